"""Django settings, all driven by KEFU_* environment variables (see README, Configuration)."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None


DATA_DIR = Path(env_str("KEFU_DATA_DIR", str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)
DEBUG = env_bool("KEFU_DEBUG", False)
# The production switch: HTTPS only (HSTS, secure cookies, redirect), behind a proxy that
# says so, with a secret key of the installation's own (see README, Production).
PRODUCTION = env_bool("KEFU_PRODUCTION", False)

#: The key that once shipped in this file: published, so never acceptable with debug off.
DEMO_SECRET_KEY = "kefu-demo-only-secret-key-change-me-in-production-0123456789"


def _installation_key(path: Path) -> str:
    """A random key made once per installation (data directory) and kept there, so that
    `make demo` needs no setting and no two installations share a key."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = env_str("KEFU_SECRET_KEY", "")
if SECRET_KEY == DEMO_SECRET_KEY and not DEBUG:
    raise ImproperlyConfigured(
        "KEFU_SECRET_KEY is the published demo key; with KEFU_DEBUG off set a long random "
        "value of this installation's own (or unset it to have one made in KEFU_DATA_DIR)"
    )
if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("KEFU_DEBUG must be false when KEFU_PRODUCTION is on")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "KEFU_SECRET_KEY must be set to a random value of at least 50 characters when "
            "KEFU_PRODUCTION is on"
        )
if not SECRET_KEY:
    SECRET_KEY = _installation_key(DATA_DIR / "secret_key")
ALLOWED_HOSTS = [h for h in env_str("KEFU_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [
    o for o in env_str("KEFU_CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "kefu.accounts.admin_words.LoginGuardConfig",  # django-axes
    "kefu.core",
    "kefu.accounts",
    "kefu.customers",
    "kefu.tickets",
    "kefu.outbox",
    "kefu.supervision",
    "kefu.callbacks",
    "kefu.contact",
    "kefu.outages",
    "kefu.assessment",
    "kefu.web",
    "kefu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the body (CSRF, the forms, the API): 413/414/415 and NUL bytes.
    "kefu.core.middleware.RequestGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it answers a locked-out login with the lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes counts failed logins (the workstation and the admin alike): 20 wrong
# passwords for one account, or from one address, lock it for 15 minutes; the
# administrator sees attempts and lockouts in the admin and can lift them there.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("KEFU_LOGIN_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("KEFU_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "kefu.accounts.login_guard.lockout_response"
AXES_CLIENT_IP_CALLABLE = "kefu.accounts.login_guard.client_ip"
AXES_VERBOSE = False
#: Proxies in front of Kefu that append to X-Forwarded-For (0: the peer is the client).
# The longest list a CSV export writes (a longer one is refused: filter it first). A file
# is streamed by one web worker; this keeps it well inside gunicorn's 30 s worker timeout
# and inside a spreadsheet's rows.
KEFU_CSV_MAX_ROWS = env_int("KEFU_CSV_MAX_ROWS", 100_000)
KEFU_TRUSTED_PROXIES = env_int("KEFU_TRUSTED_PROXIES", 1 if PRODUCTION else 0)

# Content-Security-Policy served by the app: everything from Kefu itself, nothing inline.
CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = True
    # The load balancer's health check may speak plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^api/health$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("KEFU_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True

ROOT_URLCONF = "kefu.urls"
WSGI_APPLICATION = "kefu.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kefu.web.context.workstation",
            ],
        },
    },
]

# One variable chooses the database. The embedded default is SQLite in WAL mode with
# IMMEDIATE transactions, so that two writers queue for the lock instead of failing halfway.
DATABASE_URL = env_str("KEFU_DATABASE_URL", f"sqlite:///{DATA_DIR / 'kefu.sqlite3'}")
# Persistent connections by default: a new PostgreSQL backend per request costs ~10 ms of
# CPU (a fresh process with cold caches). The health check reconnects, at the start of a
# request, a connection the server closed (a restart, an idle timeout).
_db = dj_database_url.parse(
    DATABASE_URL,
    conn_max_age=env_int("KEFU_DB_CONN_MAX_AGE", 600),
    conn_health_checks=True,
)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    # Tests use a file, not memory, so that threads and server processes share it.
    _db["TEST"] = {"NAME": str(DATA_DIR / "test-kefu.sqlite3")}
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db.setdefault("TEST", {})
    if os.environ.get("KEFU_TEST_DATABASE_NAME"):
        _db["TEST"]["NAME"] = os.environ["KEFU_TEST_DATABASE_NAME"]
else:
    raise ImproperlyConfigured(
        f"KEFU_DATABASE_URL uses {_db['ENGINE']}; Kefu supports sqlite:// and postgres:// only"
    )
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

# Chinese first: the UI speaks Simplified Chinese unless the user asks for English.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "kefu" / "locale"]
USE_I18N = True
# Stored in UTC, shown in the supply company's time zone; working days are Beijing days.
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns at start-up if it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Large enough for any legitimate order; a larger body is refused with 413 (kefu.core.middleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("KEFU_MAX_REQUEST_BYTES", 256 * 1024)

# The service policy in force: a profile name under kefu/policies/ or a path to a TOML file.
KEFU_POLICY = env_str("KEFU_POLICY", "county")
KEFU_POLICY_DIR = BASE_DIR / "kefu" / "policies"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("KEFU_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}

# Outgoing messages. SMS: "file" (one JSON line per message, the default) or "http" (POST to
# the operator's gateway). E-mail: SMTP through Django.
KEFU_SMS_BACKEND = env_str("KEFU_SMS_BACKEND", "file")
if KEFU_SMS_BACKEND not in ("file", "http"):
    raise ImproperlyConfigured(f"KEFU_SMS_BACKEND={KEFU_SMS_BACKEND!r}: use file or http")
KEFU_SMS_FILE = env_str("KEFU_SMS_FILE", str(DATA_DIR / "sms.jsonl"))
KEFU_SMS_URL = env_str("KEFU_SMS_URL", "")
KEFU_SMS_TOKEN = env_str("KEFU_SMS_TOKEN", "")
if KEFU_SMS_BACKEND == "http" and not KEFU_SMS_URL:
    raise ImproperlyConfigured("KEFU_SMS_BACKEND=http needs KEFU_SMS_URL")
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("KEFU_EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("KEFU_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("KEFU_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("KEFU_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("KEFU_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("KEFU_EMAIL_FROM", "kefu@localhost")

# Background work: the embedded worker (`kefu worker`, started by `kefu serve`) runs the
# sweep and delivery every minute; with a broker, Celery beat and workers run the same tasks.
KEFU_BROKER_URL = env_str("KEFU_BROKER_URL", "")
KEFU_EMBEDDED_WORKER = env_bool("KEFU_EMBEDDED_WORKER", not KEFU_BROKER_URL)
KEFU_WORKER_INTERVAL = env_int("KEFU_WORKER_INTERVAL", 60)
# Seconds everyone who lists the same orders shares one count of them (the board's counters,
# the navigation badges): in a storm every leader's board and every page asks for the same
# six counts; 0 counts for every request.
KEFU_SHARED_COUNTS_SECONDS = env_int("KEFU_SHARED_COUNTS_SECONDS", 5)

CELERY_BROKER_URL = KEFU_BROKER_URL or "memory://"
CELERY_RESULT_BACKEND = env_str("KEFU_RESULT_BACKEND", "") or None
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task gives the task back; tasks are idempotent
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# One queue name per installation, so that two on one broker never take each other's work.
CELERY_TASK_DEFAULT_QUEUE = env_str("KEFU_CELERY_QUEUE", "kefu")
CELERY_BEAT_SCHEDULE = {
    "sweep": {"task": "kefu.sweep", "schedule": float(KEFU_WORKER_INTERVAL)},
    "deliver": {"task": "kefu.deliver", "schedule": float(KEFU_WORKER_INTERVAL)},
}
