"""Salon's one settings module, driven by ``SALON_*`` environment variables.

Every value a site owner may want to change is read from the environment here, so the same
code runs the embedded demo (SQLite in ``SALON_DATA_DIR``) and a scaled install
(PostgreSQL + Redis behind a load balancer). The README lists each variable.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"SALON_{name}", default)


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if not value:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in _env(name, default).split(",") if item.strip()]


DATA_DIR = Path(_env("DATA_DIR", "salon-data")).resolve()


def _secret_key() -> str:
    """Use SALON_SECRET_KEY, or a key generated once and kept in the data directory.

    Keeping it on disk means signed cookies (likes, saved identities) survive restarts
    without the owner having to invent a key for the embedded setup.
    """
    configured = _env("SECRET_KEY")
    if configured:
        return configured
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
# Former secret keys, still accepted for what they signed (cookies, links) and for the
# Akismet-compatible API's 12-character keys, which are stored as HMACs under the secret key.
SECRET_KEY_FALLBACKS = _env_list("SECRET_KEY_FALLBACKS", "")
DEBUG = _env_bool("DEBUG", False)
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", "")

# The public address of the site, used in feeds and e-mails when no request is at hand.
SITE_URL = _env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = _env("SITE_NAME", "Salon")
SITE_TAGLINE = _env("SITE_TAGLINE", "Posts and the conversations under them")

INSTALLED_APPS = [
    # The owner's desk first, so its admin templates extend Django's; Django's admin is
    # served by Salon's admin site (salon.desk.sites), which adds the moderation screen.
    "salon.desk",
    "salon.desk.apps.SalonAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "salon",
    "salon.publishing",
    "salon.discussion",
    "salon.antispam",
    "salon.privacy",
    "salon.mentions",
    # Accounts and social log-in. salon.identity comes before allauth so its templates
    # (which extend the site's base.html) win over allauth's own.
    "salon.identity",
    "salon.identity.providers.wordpress_com",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.facebook",
    "allauth.socialaccount.providers.twitter_oauth2",
    "allauth.socialaccount.providers.github",
    "allauth.socialaccount.providers.openid_connect",
    "salon.interchange",
    "salon.notifications",
    "salon.fediverse",
    "salon.embed",
]

MIDDLEWARE = [
    "salon.middleware.RefuseNulBytes",
    # The Akismet-compatible API's requests (other servers') go no further down this list.
    "salon.middleware.AkismetApi",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed for clients that accept it; after WhiteNoise (static files come
    # pre-compressed from it) and before everything that reads or writes the body.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "salon.interchange.middleware.OldLinkRedirects",
    "django.middleware.csrf.CsrfViewMiddleware",
    # New readers' post pages from the shared cache, before the session or user is looked at.
    "salon.publishing.page_cache.PageCacheMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "salon.mentions.middleware.AdvertiseEndpoints",
    "salon.fediverse.middleware.ActivityPubObjects",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "salon.embed.middleware.PopupKeepsOpener",
]

ROOT_URLCONF = "salon.urls"
WSGI_APPLICATION = "salon.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "salon.context_processors.site",
            ],
            # Cached loaders always: a post page is rendered on every request.
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
            "builtins": ["django.templatetags.static", "salon.template_filters"],
        },
    },
    {
        # The comment thread is the one loop that runs hundreds of times per page; Jinja2
        # compiles it to Python and renders it several times faster than Django's engine.
        # Everything else stays in Django templates (the admin, log-in pages, the layout).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "autoescape": True,
            "auto_reload": False,
            "environment": "salon.jinja2.environment",
        },
    },
]

DATABASE_URL = _env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "salon.sqlite3",
            # Keep each thread's connection: opening one (and running the PRAGMAs below)
            # cost more than a whole spam check did.
            "CONN_MAX_AGE": 600,
            "OPTIONS": {
                # WAL lets readers and the writer work at once; IMMEDIATE avoids the
                # "database is locked" upgrade deadlock under concurrent comment posts.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }

REDIS_URL = _env("REDIS_URL")
# The cache every process of the site shares: rate-limit counters, the flood guard's claims,
# Akismet-compatible API limits, and whole pages. A scaled install points SALON_REDIS_URL at
# Redis; the embedded setup keeps it in SQLite files under SALON_CACHE_DIR (diskcache), which
# every worker of `salon serve` on the host opens, with atomic increments across processes.
CACHE_DIR = Path(_env("CACHE_DIR", str(DATA_DIR / "cache"))).resolve()
CACHE_MB = int(_env("CACHE_MB", "256"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": _env("CACHE_PREFIX", "salon"),
        }
    }
else:
    CACHES = {
        "default": {
            # diskcache's DjangoCache, its connections kept from one request to the next.
            "BACKEND": "salon.shared_cache.SharedDiskCache",
            "LOCATION": str(CACHE_DIR),
            # Eight SQLite files, so that writers rarely wait on one another; a write that
            # finds its file busy retries (the wait for the lock is per attempt).
            "SHARDS": 8,
            "DATABASE_TIMEOUT": 0.1,
            "OPTIONS": {
                # Past the size limit, the entries stored longest ago are evicted first.
                "size_limit": CACHE_MB * 1024 * 1024,
                "eviction_policy": "least-recently-stored",
                # Pages (tens of KB) stay in SQLite rather than in a file each: a file per
                # value cost several milliseconds a write (bench/shared_cache.py).
                "disk_min_file_size": 1024 * 1024,
            },
        }
    }

RATELIMIT_USE_CACHE = "default"
# Rate limits count per reader address, found by the same rule as everywhere else (behind the
# owner's proxy, the address it appended to X-Forwarded-For).
RATELIMIT_IP_META_KEY = "salon.discussion.visitors.client_ip"
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = _env("LANGUAGE", "en")
TIME_ZONE = _env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it, even when empty
# `salon serve` collects the static files under hashed names, with gzip and Brotli copies, and
# WhiteNoise serves those for a year ("immutable"); see salon/static_files.py. A process that
# has not collected them (a shell, a management command) links and serves the apps' own files.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "salon.static_files.HashedStaticStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_URL = "/media/"
MEDIA_ROOT = Path(_env("MEDIA_DIR", str(DATA_DIR / "media"))).resolve()
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Accounts (django-allauth). Readers sign up with a user name, e-mail and password, and log
# in with either the name or the address; whether the address must be confirmed before the
# first log-in is the owner's choice (none | optional | mandatory).
ACCOUNT_ADAPTER = "salon.identity.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "salon.identity.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = _env("EMAIL_VERIFICATION", "optional")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# Counted in the cache every process shares (Redis when SALON_REDIS_URL is set).
ACCOUNT_RATE_LIMITS = {
    "login": _env("LOGIN_RATE", "30/m/ip"),
    "login_failed": _env("LOGIN_FAILED_RATE", "10/m/ip,5/5m/key"),
    "signup": _env("SIGNUP_RATE", "10/h/ip"),
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# A provider's e-mail is not used to log into an existing account, and is trusted as
# verified only when the provider says so (see salon.identity.adapters).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_QUERY_EMAIL = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False


def _social_providers() -> dict[str, dict]:
    """allauth's provider settings, with an app for each provider the owner configured.

    ``SALON_<PROVIDER>_CLIENT_ID`` and ``_SECRET`` configure Google, Facebook, X/Twitter,
    GitHub and WordPress.com; ``SALON_OIDC_<NAME>_CLIENT_ID``, ``_SECRET``, ``_SERVER_URL``
    (and optionally ``_TITLE``) each add an OpenID Connect server. Apps may also be added in
    the administration (Social applications).
    """
    providers: dict[str, dict] = {
        "google": {"SCOPE": ["profile", "email"], "AUTH_PARAMS": {"access_type": "online"}},
        "facebook": {"METHOD": "oauth2", "SCOPE": ["email", "public_profile"]},
        "twitter_oauth2": {},
        "github": {"SCOPE": ["read:user", "user:email"]},
        "wordpress_com": {},
        "openid_connect": {},
    }
    env_names = {
        "google": "GOOGLE",
        "facebook": "FACEBOOK",
        "twitter_oauth2": "TWITTER",
        "github": "GITHUB",
        "wordpress_com": "WORDPRESS_COM",
    }
    for provider, name in env_names.items():
        client_id, secret = _env(f"{name}_CLIENT_ID"), _env(f"{name}_SECRET")
        if client_id and secret:
            providers[provider]["APPS"] = [{"client_id": client_id, "secret": secret}]
    oidc_apps = []
    for variable in sorted(os.environ):
        if not (variable.startswith("SALON_OIDC_") and variable.endswith("_CLIENT_ID")):
            continue
        name = variable[len("SALON_OIDC_") : -len("_CLIENT_ID")]
        secret, server = _env(f"OIDC_{name}_SECRET"), _env(f"OIDC_{name}_SERVER_URL")
        if name and secret and server:
            oidc_apps.append(
                {
                    "provider_id": name.lower().replace("_", "-"),
                    "name": _env(f"OIDC_{name}_TITLE", name.replace("_", " ").title()),
                    "client_id": os.environ[variable],
                    "secret": secret,
                    "settings": {"server_url": server},
                }
            )
    if oidc_apps:
        providers["openid_connect"]["APPS"] = oidc_apps
    return providers


SOCIALACCOUNT_PROVIDERS = _social_providers()

# Cookies: HttpOnly and SameSite=Lax everywhere; Secure when the site is served over HTTPS.
_HTTPS = SITE_URL.startswith("https://") or _env_bool("HTTPS", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "salon.csrf.failure"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = _HTTPS
if _env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # allauth's rate limits count by the client's address, which the proxy appends.
    ALLAUTH_TRUSTED_PROXY_COUNT = 1
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

# Salon's own settings: the discussion defaults an owner changes in the admin live in the
# database (DiscussionSettings); these are the install-wide ones.
SALON = {
    # Gravatar is a third party: off by default, so no e-mail hash leaves the server and
    # avatars are identicons drawn here.
    "EXTERNAL_AVATARS": _env_bool("EXTERNAL_AVATARS", False),
    "POSTS_PER_PAGE": int(_env("POSTS_PER_PAGE", "10")),
    # Whole post pages for new readers from the shared cache (salon.publishing.page_cache):
    # "auto" (on when the default cache is shared by every process), "on" or "off".
    "PAGE_CACHE": _env("PAGE_CACHE", "auto"),
    "IP_RETENTION_DAYS": int(_env("IP_RETENTION_DAYS", "30")),
    "SPAM_RETENTION_DAYS": int(_env("SPAM_RETENTION_DAYS", "15")),
    "TRASH_RETENTION_DAYS": int(_env("TRASH_RETENTION_DAYS", "30")),
    "FLOOD_SECONDS": int(_env("FLOOD_SECONDS", "15")),
    "LIKE_RATE": _env("LIKE_RATE", "60/m"),
    "COMMENT_RATE": _env("COMMENT_RATE", "20/m"),
    # Tries at post passwords, per address (salon.publishing.protection).
    "POST_PASSWORD_RATE": _env("POST_PASSWORD_RATE", "10/m"),
    # How long after posting a comment its author may still edit or delete it.
    "EDIT_WINDOW_MINUTES": int(_env("EDIT_WINDOW_MINUTES", "15")),
    # One per core (at least two): each has 4 threads for requests that wait on the database
    # or the network, so a further process only adds its memory (~45 MiB) and contention.
    "WORKERS": int(_env("WORKERS", str(max(2, os.cpu_count() or 1)))),
    # Mail (comment notices, subscriptions, data-request links) is off until an SMTP server
    # and a sender address are given: SALON_SMTP_URL (smtp://user:pass@host:587?tls=1,
    # smtps://… for implicit TLS) or the SALON_EMAIL_* variables, and SALON_MAIL_FROM.
    "SMTP_URL": _env("SMTP_URL"),
    "EMAIL_HOST": _env("EMAIL_HOST"),
    "EMAIL_PORT": int(_env("EMAIL_PORT", "0") or 0),
    "EMAIL_USER": _env("EMAIL_USER"),
    "EMAIL_PASSWORD": _env("EMAIL_PASSWORD"),
    "EMAIL_USE_TLS": _env_bool("EMAIL_USE_TLS", False),
    "MAIL_FROM": _env("MAIL_FROM"),
    "MAIL_MAX_ATTEMPTS": int(_env("MAIL_MAX_ATTEMPTS", "8")),
    # What erasing a person's data does to their comments: "anonymise" keeps the text under
    # "Anonymous" (threads stay readable), "delete" removes the comments.
    "ERASURE": _env("ERASURE", "anonymise"),
    # Salon's own comments may be checked by any Akismet-compatible endpoint instead of the
    # engine in this process (another Salon, or Akismet itself): its base URL and key.
    # Moderators' decisions then go to its submit-spam / submit-ham.
    "AKISMET_URL": _env("AKISMET_URL").rstrip("/"),
    "AKISMET_KEY": _env("AKISMET_KEY"),
    "AKISMET_TIMEOUT": float(_env("AKISMET_TIMEOUT", "5")),
    # Requests each key of Salon's own Akismet-compatible API may make (django-ratelimit's
    # syntax; a key may set its own in the admin).
    "AKISMET_API_RATE": _env("AKISMET_API_RATE", "6000/m"),
    # Requests with a key Salon does not know, allowed per client address (IPv6: per /64)
    # before every key from that address is refused until the window ends: the guard against
    # guessing keys.
    "AKISMET_INVALID_KEY_RATE": _env("AKISMET_INVALID_KEY_RATE", "60/h"),
    # How eager the spam filter is: "cautious" (fewest readers blocked), "balanced", "strict".
    "SPAM_SENSITIVITY": _env("SPAM_SENSITIVITY", "balanced"),
    # The function the comment pipeline asks for a spam verdict; "" turns filtering off.
    "SPAM_FILTER": _env(
        "SPAM_FILTER",
        "salon.antispam.remote.check_comment"
        if _env("AKISMET_URL")
        else "salon.antispam.filtering.check_comment",
    ),
    # Fetching other sites' pages (reblogs, and the sources of Webmentions and pingbacks):
    # private and loopback addresses are refused unless the owner allows them (a test setup,
    # or sites on one intranet); pages larger than the limit or slower than the timeout are
    # refused too.
    "REBLOG_ALLOW_PRIVATE": _env_bool("REBLOG_ALLOW_PRIVATE", False),
    "REBLOG_MAX_BYTES": int(_env("REBLOG_MAX_BYTES", str(5 * 1024 * 1024))),
    "REBLOG_TIMEOUT": float(_env("REBLOG_TIMEOUT", "10")),
    "REBLOG_WORDS": int(_env("REBLOG_WORDS", "55")),
    # Webmentions and pingbacks: sending them for published posts (`salon serve` checks
    # every MENTIONS_INTERVAL seconds), and the per-address rate of those received.
    "SEND_MENTIONS": _env_bool("SEND_MENTIONS", True),
    "MENTIONS_INTERVAL": float(_env("MENTIONS_INTERVAL", "60")),
    "MENTION_RATE": _env("MENTION_RATE", "30/m"),
    # The fediverse (ActivityPub): the blog is an actor at @<FEDIVERSE_USERNAME>@<host of
    # SITE_URL>, which must be the public https address other servers reach. Deliveries to
    # followers leave every FEDIVERSE_INTERVAL seconds (from `salon background`); each remote
    # host may post FEDIVERSE_INBOX_RATE activities; a signature's date may be off by at most
    # FEDIVERSE_CLOCK_SKEW seconds; remote actors' keys and profiles are fetched again after
    # FEDIVERSE_ACTOR_CACHE_HOURS.
    "FEDIVERSE": _env_bool("FEDIVERSE", True),
    "FEDIVERSE_USERNAME": _env("FEDIVERSE_USERNAME", "blog"),
    "FEDIVERSE_INTERVAL": float(_env("FEDIVERSE_INTERVAL", "10")),
    "FEDIVERSE_INBOX_RATE": _env("FEDIVERSE_INBOX_RATE", "120/m"),
    "FEDIVERSE_CLOCK_SKEW": int(_env("FEDIVERSE_CLOCK_SKEW", "300")),
    "FEDIVERSE_ACTOR_CACHE_HOURS": int(_env("FEDIVERSE_ACTOR_CACHE_HOURS", "24")),
    "FEDIVERSE_RETENTION_DAYS": int(_env("FEDIVERSE_RETENTION_DAYS", "30")),
    # Sites whose pages may show this site's conversation with the embed (comma-separated
    # https://host[:port]); more can be added in the administration.
    "EMBED_ORIGINS": _env_list("EMBED_ORIGINS", ""),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": _env("LOG_LEVEL", "WARNING")},
}
