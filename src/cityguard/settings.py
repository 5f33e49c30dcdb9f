"""Django settings, read from the environment.

Every deployment choice is an environment variable so the same code runs embedded
(SQLite, one machine) and at scale (PostgreSQL and friends).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("CITYGUARD_VAR_DIR", PROJECT_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("CITYGUARD_DEBUG", False)
SECRET_KEY = os.environ.get("CITYGUARD_SECRET_KEY", "")
if not SECRET_KEY:
    # A stable per-installation key, so sessions survive a restart of `make run`.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("CITYGUARD_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CITYGUARD_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "simple_history",
    "huey.contrib.djhuey",
    "cityguard.core",
    "cityguard.onemap",
    "cityguard.risk",
    "cityguard.hazards",
    "cityguard.chemicals",
    "cityguard.resources",
    "cityguard.plans",
    "cityguard.incidents",
    "cityguard.consequence",
    "cityguard.monitoring",
    "cityguard.warnings",
    "cityguard.equipment",
    "cityguard.enforcement",
    "cityguard.duties",
    "cityguard.permits",
    "cityguard.indicators",
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
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "cityguard.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cityguard.core.context_processors.platform",
            ],
        },
    }
]

WSGI_APPLICATION = "cityguard.wsgi.application"
ASGI_APPLICATION = "cityguard.asgi.application"

DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'cityguard.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL", DEFAULT_SQLITE)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Connections are kept (per thread) so each request does not re-read the schema and
    # starts with a warm page cache.
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CITYGUARD_SQLITE_CONN_MAX_AGE", 60))
    # Page cache per connection (MiB) and WAL size (pages) before a commit checkpoints it
    # into the database file. A checkpoint writes each changed page once and syncs the file:
    # a larger WAL coalesces many commits into one checkpoint, which is what lets bulk
    # ingestion run at several times SQLite's default pace (the WAL stays ~80 MB).
    SQLITE_CACHE_MB = int(os.environ.get("CITYGUARD_SQLITE_CACHE_MB", 64))
    SQLITE_CHECKPOINT_PAGES = int(os.environ.get("CITYGUARD_SQLITE_CHECKPOINT_PAGES", 20000))
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers proceed while one writer commits; IMMEDIATE avoids the
        # upgrade deadlock when two processes start write transactions together.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
            f" PRAGMA foreign_keys=ON; PRAGMA cache_size=-{SQLITE_CACHE_MB * 1024};"
            f" PRAGMA wal_autocheckpoint={SQLITE_CHECKPOINT_PAGES};"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("CITYGUARD_TEST_SQLITE", "")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# whitenoise serves from finders too (WHITENOISE_USE_FINDERS); the folder must exist.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# Background and periodic jobs (huey). Embedded: a SQLite queue file beside the database;
# at scale: Redis from REDIS_URL. CITYGUARD_JOBS_IMMEDIATE runs jobs inline (tests).
REDIS_URL = os.environ.get("REDIS_URL", "")
_huey_immediate = _env_bool("CITYGUARD_JOBS_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "cityguard",
        "url": REDIS_URL,
        "immediate": _huey_immediate,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "cityguard",
        "filename": str(VAR_DIR / "jobs.sqlite3"),
        "immediate": _huey_immediate,
        "consumer": {"workers": 2, "worker_type": "thread", "periodic": True},
    }

# Uploads: imports are read in memory and refused above this size.
CITYGUARD_IMPORT_MAX_BYTES = int(os.environ.get("CITYGUARD_IMPORT_MAX_BYTES", 5 * 1024 * 1024))
CITYGUARD_IMPORT_MAX_ROWS = int(os.environ.get("CITYGUARD_IMPORT_MAX_ROWS", 20000))
DATA_UPLOAD_MAX_MEMORY_SIZE = CITYGUARD_IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = CITYGUARD_IMPORT_MAX_BYTES + 1024 * 1024

# The map's basemap. Empty: no tiles, layers over a plain background (works offline).
# CITYGUARD_TILE_CRS says which datum the tiles use (wgs84, gcj02 or bd09); the map
# shifts our WGS 84 features onto it at display time. Several tile templates may be
# joined with "|" (e.g. Tianditu's vec_w|cva_w: the base and its label layer).
CITYGUARD_TILE_URL = os.environ.get("CITYGUARD_TILE_URL", "")
CITYGUARD_TILE_ATTRIBUTION = os.environ.get("CITYGUARD_TILE_ATTRIBUTION", "")
CITYGUARD_TILE_CRS = os.environ.get("CITYGUARD_TILE_CRS", "wgs84")
CITYGUARD_TILE_SUBDOMAINS = os.environ.get("CITYGUARD_TILE_SUBDOMAINS", "abc")

# The MQTT broker the ingestion worker subscribes to (`cityguard ingest`), e.g.
# mqtt://user:password@127.0.0.1:1883. Empty: readings arrive over HTTP only.
MQTT_URL = os.environ.get("MQTT_URL", "")

# Outgoing e-mail (alarm notifications, warnings). With no EMAIL_HOST the messages are
# written as files under var/mail, so the embedded platform needs no mail server.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "cityguard@localhost")
# Seconds an outgoing webhook call may take before its delivery counts as failed.
CITYGUARD_WEBHOOK_TIMEOUT = float(os.environ.get("CITYGUARD_WEBHOOK_TIMEOUT", "5"))

# Lifetime of API tokens, in days (0 = never expire).
CITYGUARD_TOKEN_TTL_DAYS = int(os.environ.get("CITYGUARD_TOKEN_TTL_DAYS", "90"))

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CITYGUARD_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Domain apps read their options from settings (each app's config.py lists them with
# their defaults). Any other CITYGUARD_* environment variable becomes a setting of the
# same name, parsed as JSON where it is JSON (numbers, objects), else kept as text.
for _name, _value in os.environ.items():
    if _name.startswith("CITYGUARD_") and _name not in globals():
        try:
            globals()[_name] = json.loads(_value)
        except ValueError:
            globals()[_name] = _value
