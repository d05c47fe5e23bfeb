// A real OpenID Connect provider (node-oidc-provider) for Salon's browser tests.
//
// Started by tests/identity/oidc_server.py with its settings in the environment:
//   OIDC_PORT, OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI.
// It uses the library's development log-in and consent pages ("any login" is accepted), and
// answers for one person whose claims are below. It prints "ready <issuer>" once listening.
import Provider from "oidc-provider";

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set`);
    process.exit(2);
  }
  return value;
};

const port = Number(env("OIDC_PORT"));
const issuer = env("OIDC_ISSUER");

// The person behind every log-in: a confirmed address, so Salon may trust it.
const claimsFor = (login) => ({
  sub: login, // the library requires sub to be the account id (here, the login typed)
  email: `${login}@oidc.example`,
  email_verified: true,
  name: "Octavia Idris",
  given_name: "Octavia",
  family_name: "Idris",
  preferred_username: login,
});

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env("OIDC_CLIENT_ID"),
      client_secret: env("OIDC_CLIENT_SECRET"),
      redirect_uris: [env("OIDC_REDIRECT_URI")],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    },
  ],
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "given_name", "family_name", "preferred_username"],
  },
  async findAccount(ctx, id) {
    return { accountId: id, claims: async () => claimsFor(id) };
  },
  cookies: { keys: ["salon-test-oidc-cookie-key"] },
  features: { devInteractions: { enabled: true } },
});

const server = provider.listen(port, "127.0.0.1", () => {
  console.log(`ready ${issuer}`);
});

const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
