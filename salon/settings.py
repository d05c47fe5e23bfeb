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
DEBUG = _env_bool("DEBUG", False)
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", "")

# The public address of the site, used in feeds and e-mails when no request is at hand.
SITE_URL = _env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = _env("SITE_NAME", "Salon")
SITE_TAGLINE = _env("SITE_TAGLINE", "Posts and the conversations under them")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "salon",
    "salon.publishing",
    "salon.discussion",
    "salon.antispam",
    "salon.privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
            "builtins": ["django.templatetags.static"],
        },
    },
    {
        # The comment thread is the one loop that runs hundreds of times per page; Jinja2
        # compiles it to Python and renders it several times faster than Django's engine.
        # Everything else stays in Django templates (the admin, log-in pages, the layout).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": True, "auto_reload": False},
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
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": _env("CACHE_PREFIX", "salon"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Rate limits count in the cache; locmem is per process, which is right for the embedded
# single-host setup. Scaled installs set SALON_REDIS_URL so every process shares the counts.
RATELIMIT_USE_CACHE = "default"
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
# Serve app static files straight from their packages: no collectstatic step to forget.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_URL = "/media/"
MEDIA_ROOT = Path(_env("MEDIA_DIR", str(DATA_DIR / "media"))).resolve()
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6's default; a bare "example.com" means https

LOGIN_URL = "/admin/login/"

# Cookies: HttpOnly and SameSite=Lax everywhere; Secure when the site is served over HTTPS.
_HTTPS = SITE_URL.startswith("https://") or _env_bool("HTTPS", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = _HTTPS
if _env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
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
    "IP_RETENTION_DAYS": int(_env("IP_RETENTION_DAYS", "30")),
    "SPAM_RETENTION_DAYS": int(_env("SPAM_RETENTION_DAYS", "15")),
    "TRASH_RETENTION_DAYS": int(_env("TRASH_RETENTION_DAYS", "30")),
    "FLOOD_SECONDS": int(_env("FLOOD_SECONDS", "15")),
    "LIKE_RATE": _env("LIKE_RATE", "60/m"),
    "COMMENT_RATE": _env("COMMENT_RATE", "20/m"),
    "WORKERS": int(_env("WORKERS", str(max(2, (os.cpu_count() or 1) + 1)))),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": _env("LOG_LEVEL", "WARNING")},
}
