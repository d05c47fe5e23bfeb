// A fediverse account ("alice") on its own server, run by Fedify, for Salon's federation
// test. Fedify does the protocol: WebFinger look-ups, HTTP signatures (RFC 9421 first, then
// draft-cavage, as it does with any server), verifying what Salon sends, JSON-LD.
//
// The test drives it over HTTP on loopback with JSON requests to /_control/*:
//   POST lookup {handle}            look an account up by WebFinger, fetch its actor
//   POST follow {handle}            follow it
//   POST reply {to, inReplyTo, content}, edit {id, to, content}, delete {id, to}
//   POST like {to, object}
//   POST forged {to, inReplyTo}     a Create signed with a key that is not alice's
//   GET  received                   the activities alice's inboxes accepted (verified)
//
// Local testing: `allowPrivateAddress: true` lets Fedify fetch loopback addresses (Fedify
// refuses them otherwise), and Salon is served over HTTPS with a test CA that node trusts
// through NODE_EXTRA_CA_CERTS (Fedify's WebFinger look-ups of handles are HTTPS only).
import { createServer } from "node:http";
import { Temporal } from "@js-temporal/polyfill";
import {
  createFederation,
  generateCryptoKeyPair,
  MemoryKvStore,
  signRequest,
} from "@fedify/fedify";
import {
  Create,
  Delete,
  Endpoints,
  Follow,
  Like,
  Note,
  Person,
  PUBLIC_COLLECTION,
  Tombstone,
  Update,
  Accept,
  Announce,
} from "@fedify/vocab";

const PORT = Number(process.env.PEER_PORT);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const FIRST_KNOCK = process.env.PEER_FIRST_KNOCK || undefined;

const federation = createFederation({
  kv: new MemoryKvStore(),
  allowPrivateAddress: true,
  origin: ORIGIN,
  ...(FIRST_KNOCK ? { firstKnock: FIRST_KNOCK } : {}),
});
const keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
const received = [];
let counter = 0;

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== "alice") return null;
    const [pair] = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Alice Peer",
      url: new URL(`/@${identifier}`, ORIGIN),
      inbox: ctx.getInboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      publicKey: pair.cryptographicKey,
    });
  })
  .setKeyPairsDispatcher(async (ctx, identifier) => (identifier === "alice" ? [keys] : []));

const remember = (kind) => async (ctx, activity) => {
  const object = await activity.getObject().catch(() => null);
  received.push({
    type: kind,
    id: activity.id?.href ?? null,
    actor: activity.actorId?.href ?? null,
    object: activity.objectId?.href ?? object?.id?.href ?? null,
    objectType: object?.constructor?.name ?? null,
    name: object?.name?.toString() ?? null,
    document: await activity.toJsonLd(),
  });
};
federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Accept, remember("Accept"))
  .on(Create, remember("Create"))
  .on(Update, remember("Update"))
  .on(Delete, remember("Delete"))
  .on(Announce, remember("Announce"));

const context = () => federation.createContext(new URL(ORIGIN), undefined);
const me = () => context().getActorUri("alice");
const sender = { identifier: "alice" };

async function actor(handleOrUri) {
  const found = await context().lookupObject(handleOrUri);
  if (!found || !found.inboxId) throw new Error(`no actor found for ${handleOrUri}`);
  return found;
}

function nextId(kind) {
  counter += 1;
  return new URL(`/users/alice/${kind}/${counter}`, ORIGIN);
}

function note(id, to, inReplyTo, content) {
  return new Note({
    id,
    attribution: me(),
    replyTarget: inReplyTo ? new URL(inReplyTo) : null,
    content,
    url: new URL(`/@alice/${id.pathname.split("/").pop()}`, ORIGIN),
    to: PUBLIC_COLLECTION,
    cc: to.id,
    published: Temporal.Now.instant(),
  });
}

const notes = new Map();
const control = {
  async lookup({ handle }) {
    const found = await actor(handle);
    return {
      id: found.id.href,
      type: found.constructor.name,
      preferredUsername: found.preferredUsername?.toString(),
      name: found.name?.toString(),
      inbox: found.inboxId.href,
      sharedInbox: found.endpoints?.sharedInbox?.href ?? null,
    };
  },
  async follow({ handle }) {
    const blog = await actor(handle);
    const id = nextId("follows");
    await context().sendActivity(sender, blog, new Follow({ id, actor: me(), object: blog.id }), {
      immediate: true,
    });
    return { id: id.href };
  },
  async reply({ to, inReplyTo, content }) {
    const blog = await actor(to);
    const id = nextId("statuses");
    const object = note(id, blog, inReplyTo, content);
    notes.set(id.href, { inReplyTo });
    await context().sendActivity(
      sender,
      blog,
      new Create({ id: new URL(`${id.href}/activity`), actor: me(), object, to: PUBLIC_COLLECTION, cc: blog.id }),
      { immediate: true, preferSharedInbox: true },
    );
    return { id: id.href, url: object.url.href };
  },
  async edit({ id, to, content }) {
    const blog = await actor(to);
    const object = note(new URL(id), blog, notes.get(id).inReplyTo, content);
    await context().sendActivity(
      sender,
      blog,
      new Update({ id: nextId("updates"), actor: me(), object, to: PUBLIC_COLLECTION }),
      { immediate: true, preferSharedInbox: true },
    );
    return { id };
  },
  async delete({ id, to }) {
    const blog = await actor(to);
    await context().sendActivity(
      sender,
      blog,
      new Delete({ id: nextId("deletes"), actor: me(), object: new Tombstone({ id: new URL(id) }), to: PUBLIC_COLLECTION }),
      { immediate: true, preferSharedInbox: true },
    );
    return { id };
  },
  async like({ to, object }) {
    const blog = await actor(to);
    const id = nextId("likes");
    await context().sendActivity(sender, blog, new Like({ id, actor: me(), object: new URL(object) }), {
      immediate: true,
      preferSharedInbox: true,
    });
    return { id: id.href };
  },
  async forged({ to, inReplyTo }) {
    // Signed by Fedify, but with a key that is not the one alice publishes.
    const blog = await actor(to);
    const impostor = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    const id = nextId("statuses");
    const activity = new Create({ id: new URL(`${id.href}/activity`), actor: me(), object: note(id, blog, inReplyTo, "<p>Forged</p>") });
    const body = JSON.stringify(await activity.toJsonLd({ contextLoader: context().contextLoader }));
    const inbox = blog.endpoints?.sharedInbox ?? blog.inboxId;
    const results = {};
    for (const spec of ["rfc9421", "draft-cavage-http-signatures-12"]) {
      const request = await signRequest(
        new Request(inbox, { method: "POST", body, headers: { "Content-Type": "application/activity+json" } }),
        impostor.privateKey,
        new URL("#main-key", me()),
        { spec },
      );
      const response = await fetch(request);
      results[spec] = { status: response.status, text: await response.text() };
    }
    return results;
  },
};

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

const server = createServer(async (req, res) => {
  try {
    const body = await readBody(req);
    const url = new URL(req.url, ORIGIN);
    if (url.pathname.startsWith("/_control/")) {
      const name = url.pathname.slice("/_control/".length);
      let result;
      if (name === "received") result = received;
      else if (control[name]) result = await control[name](JSON.parse(body.toString() || "{}"));
      else throw new Error(`no control ${name}`);
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(result));
      return;
    }
    const request = new Request(url, {
      method: req.method,
      headers: Object.entries(req.headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])),
      body: ["GET", "HEAD"].includes(req.method) ? undefined : body,
    });
    const response = await federation.fetch(request, {
      contextData: undefined,
      onNotFound: () => new Response("Not found", { status: 404 }),
      onNotAcceptable: () => new Response("Not acceptable", { status: 406 }),
    });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  } catch (error) {
    res.writeHead(500, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ error: String(error?.stack ?? error) }));
  }
});
server.listen(PORT, "127.0.0.1", () => console.log(`peer ready at ${ORIGIN}`));
