"""Maillage settings, driven by MAILLAGE_* environment variables (docs/configuration.md)."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from maillage.lib.env import database_config, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    """The configured key, else one generated once and kept in var/ so sessions survive restarts."""
    configured = env_str("SECRET_KEY")
    if configured:
        return configured
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    # Before allauth so its styled overrides of allauth's templates win.
    "maillage.accounts",
    "allauth",
    "allauth.account",
    "django_tasks",
    "django_tasks_db",
    "maillage.network",
    "maillage.presence",
    "maillage.imports",
    "maillage.demo",
    "maillage.connectors",
    "maillage.publishing",
    "maillage.notifications",
    "maillage.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "maillage.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "maillage.urls"
WSGI_APPLICATION = "maillage.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "maillage" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["maillage.lib.menu"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "maillage.notifications.context_processors.notifications",
            ],
        },
    },
]

# Database: SQLite in var/ by default (WAL, busy timeout), anything dj-database-url reads otherwise.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'maillage.sqlite3'}")
DATABASES = {"default": database_config(DATABASE_URL, env_int("SQLITE_BUSY_TIMEOUT", 20))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Tests run on a file in WAL mode, as production does. Django's default in-memory test
    # database is shared between threads with table locks: a reader there fails at once
    # ("database table is locked") where WAL lets it read beside the one writer.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env_str("EMAIL_VERIFICATION", "optional")
ACCOUNT_ADAPTER = "maillage.accounts.adapter.AccountAdapter"
# "open": anyone may create an account (a laptop, the demo); "invitation": only someone who
# follows a circle's invitation link (a server on the Internet; the first account comes from
# `maillage createsuperuser`).
SIGNUP = env_str("SIGNUP", "open")
if SIGNUP not in {"open", "invitation"}:
    raise ValueError(f"MAILLAGE_SIGNUP must be open or invitation, not {SIGNUP!r}")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_RATE_LIMITS: dict[str, str] | bool = (
    False if env_bool("DISABLE_RATE_LIMITS", False) else {"login_failed": "10/m/ip,5/5m/key"}
)

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "maillage" / "locale"]
LANGUAGE_COOKIE_NAME = "maillage_language"
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every start when it is missing
STATICFILES_DIRS = [BASE_DIR / "maillage" / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = True

# An SMTP server named is an SMTP server used; without one, e-mails are printed (development).
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
# STARTTLS on the submission port, implicit TLS on 465: what each port expects.
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587 and not EMAIL_USE_SSL)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Maillage <maillage@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Archive safety limits (docs/imports.md): refuse what would exhaust disk or memory.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 512 * 1024 * 1024)
IMPORT_MAX_TOTAL_BYTES = env_int("IMPORT_MAX_TOTAL_BYTES", 2 * 1024 * 1024 * 1024)
IMPORT_MAX_FILE_BYTES = env_int("IMPORT_MAX_FILE_BYTES", 512 * 1024 * 1024)
IMPORT_MAX_RATIO = env_int("IMPORT_MAX_RATIO", 100)
IMPORT_MAX_MEMBERS = env_int("IMPORT_MAX_MEMBERS", 10_000)
DATA_UPLOAD_MAX_NUMBER_FILES = 200
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

CIRCLE_INVITATION_DAYS = env_int("CIRCLE_INVITATION_DAYS", 14)

# Publishing (docs/publishing.md). An unsent delivery older than the cutoff is "missed".
PUBLISHING_CUTOFF_MINUTES = env_int("PUBLISHING_CUTOFF_MINUTES", 60)
# A claim whose worker has not been seen for this long is taken back (never re-sent blindly).
PUBLISHING_LEASE_SECONDS = env_int("PUBLISHING_LEASE_SECONDS", 300)
# How long after an ambiguous send the account's posts are read back to settle it.
PUBLISHING_RECONCILE_AFTER_SECONDS = env_int("PUBLISHING_RECONCILE_AFTER_SECONDS", 120)
PUBLISHING_MAX_ATTEMPTS = env_int("PUBLISHING_MAX_ATTEMPTS", 5)
PUBLISHING_RETRY_BASE_SECONDS = env_int("PUBLISHING_RETRY_BASE_SECONDS", 30)
PUBLISHING_RETRY_MAX_SECONDS = env_int("PUBLISHING_RETRY_MAX_SECONDS", 3600)
PUBLISHING_WORKER_THREADS = env_int("PUBLISHING_WORKER_THREADS", 20)
# Notifications (docs/notifications.md): an unconfirmed send alarms only if still unsure then;
# e-mails wait a little so a burst of failures makes one message.
NOTIFY_UNCONFIRMED_AFTER_MINUTES = env_int("NOTIFY_UNCONFIRMED_AFTER_MINUTES", 15)
NOTIFY_EMAIL_AFTER_SECONDS = env_int("NOTIFY_EMAIL_AFTER_SECONDS", 60)
# Fernet keys (comma-separated, newest first) for the tokens kept at rest; derived from
# SECRET_KEY when empty. Rotation: docs/publishing.md.
TOKEN_ENCRYPTION_KEYS = [key.strip() for key in env_str("TOKEN_KEYS").split(",") if key.strip()]
# Connectors' HTTP timeouts (seconds): connecting sends nothing, reading happens after sending.
CONNECTOR_CONNECT_TIMEOUT = float(env_str("CONNECTOR_CONNECT_TIMEOUT", "10"))
CONNECTOR_READ_TIMEOUT = float(env_str("CONNECTOR_READ_TIMEOUT", "30"))
# Networks' API roots, replaceable so tests and benchmarks can point at a fake network.
# (Mastodon has none: each channel keeps its own instance URL.)
CONNECTOR_BASE_URLS = {
    "linkedin": env_str("LINKEDIN_API_URL", "https://api.linkedin.com"),
    "facebook": env_str("FACEBOOK_GRAPH_URL", "https://graph.facebook.com"),
    "x": env_str("X_API_URL", "https://api.x.com"),
    "bluesky": env_str("BLUESKY_PDS_URL", "https://bsky.social"),
}
LINKEDIN_VERSION = env_str("LINKEDIN_VERSION", "202610")
# The X application's OAuth 2.0 client (developer.x.com > Projects & Apps > Keys and tokens);
# without them a member cannot connect X and an expired X token asks for a reconnection.
X_CLIENT_ID = env_str("X_CLIENT_ID")
X_CLIENT_SECRET = env_str("X_CLIENT_SECRET")
# The LinkedIn application (linkedin.com/developers > My apps > Auth): products "Sign In with
# LinkedIn using OpenID Connect", "Share on LinkedIn" and, for pages, the Community Management
# API. Without them a member cannot connect LinkedIn.
LINKEDIN_CLIENT_ID = env_str("LINKEDIN_CLIENT_ID")
LINKEDIN_CLIENT_SECRET = env_str("LINKEDIN_CLIENT_SECRET")
# Where LinkedIn's OAuth lives (authorization page and token endpoint), apart from its API.
LINKEDIN_OAUTH_URL = env_str("LINKEDIN_OAUTH_URL", "https://www.linkedin.com/oauth/v2")
# The Meta application (developers.facebook.com > My Apps > App settings > Basic) with Facebook
# Login; without them a member cannot connect a Facebook Page.
FACEBOOK_APP_ID = env_str("FACEBOOK_APP_ID")
FACEBOOK_APP_SECRET = env_str("FACEBOOK_APP_SECRET")
FACEBOOK_GRAPH_VERSION = env_str("FACEBOOK_GRAPH_VERSION", "v26.0")
# Where Facebook Login's dialog lives, apart from the Graph API.
FACEBOOK_DIALOG_URL = env_str("FACEBOOK_DIALOG_URL", "https://www.facebook.com")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        # `db_worker` sets its loggers to INFO itself and logs two lines per task: `make run`'s
        # terminal drowned the address and the logins under them. A handler's level still
        # filters, so failed tasks (ERROR, with their traceback) show and routine lines do not,
        # unless MAILLAGE_TASK_LOG_LEVEL=INFO.
        "tasks": {"class": "logging.StreamHandler", "level": env_str("TASK_LOG_LEVEL", "WARNING")},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # httpx logs every request at INFO: the publish worker's output would drown in it.
        "httpx": {"level": "WARNING"},
        "django_tasks": {"handlers": ["tasks"], "propagate": False},
        "django_tasks_db": {"handlers": ["tasks"], "propagate": False},
    },
}

if not DEBUG:
    SESSION_COOKIE_HTTPONLY = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts only from Maillage's own files, so an injected
# <script> or onclick= does not run; no page of Maillage has inline script (site.js holds the
# small behaviours pages declare with data attributes). Inline styles stay allowed: Bootstrap
# markup sets widths in style attributes, and FullCalendar and htmx add their own <style>.
# Images: Maillage's own, and blob: for the composer's previews of images not yet sent.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Served over HTTPS by a reverse proxy (docs/deployment.md): cookies only travel encrypted, plain
# HTTP is redirected, and the proxy's X-Forwarded-Proto says which requests came in over TLS.
# Only behind a proxy that sets that header itself, or a client could claim HTTPS.
HTTPS = env_bool("HTTPS", False)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # Monitors on the machine itself ask over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Off unless asked: once a browser has seen it, the site cannot go back to plain HTTP.
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 0)
