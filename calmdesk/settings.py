"""Django settings. Every value that differs between installs comes from the environment
through the typed helpers in ``calmdesk.config``; the README lists each variable."""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url

from calmdesk.config import (
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_optional,
    env_path,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = env_path("CALMDESK_DATA_DIR", Path.cwd() / "var")

DEBUG = env_bool("CALMDESK_DEBUG", False)
ALLOWED_HOSTS = env_list("CALMDESK_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CALMDESK_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("CALMDESK_SITE_URL", "http://127.0.0.1:8000")


def _secret_key() -> str:
    """The key from the environment, else one generated once and kept in the data
    directory, so a demo needs no setup and sessions survive a restart."""
    configured = env_optional("CALMDESK_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key


SECRET_KEY = _secret_key()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # the API docs' static files, served from here
    "calmdesk.jobs",
    "calmdesk.accounts",
    "calmdesk.desk",
    "calmdesk.mail",
    "calmdesk.empathy",
    "calmdesk.problems",
    "calmdesk.team",
    "calmdesk.importer",
    "calmdesk.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "calmdesk.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads a table: a database behind the code answers 503, not 500.
    "calmdesk.ops.middleware.MigrationGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "calmdesk.accounts.middleware.AgentTimezoneMiddleware",
    "calmdesk.accounts.middleware.TwoFactorRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "calmdesk.urls"
WSGI_APPLICATION = "calmdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "calmdesk.accounts.context.top_bar",
                "calmdesk.mail.context.catcher",
            ],
        },
    },
]

_database_url = env_optional("DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Parallel test runs on one server need their own throwaway database names.
        _test_name = env_optional("CALMDESK_TEST_DB_NAME")
        if _test_name:
            DATABASES["default"]["TEST"] = {"NAME": _test_name}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "calmdesk.sqlite3"),
            "OPTIONS": {
                # WAL lets readers work while a writer commits; IMMEDIATE takes the write
                # lock at BEGIN so two writers queue on busy_timeout instead of deadlocking.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox"
LOGOUT_REDIRECT_URL = "login"
# A "forgot password" link works for an hour (and once: Django's token is spent by the
# new password). Invites have their own lifetime (calmdesk.accounts.invites).
PASSWORD_RESET_TIMEOUT = 3600

AXES_FAILURE_LIMIT = env_int("CALMDESK_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours: a locked-out agent can try again after 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Behind a reverse proxy every client shares its address: the proxies listed here are
# believed about X-Forwarded-For, so the lockout above is keyed on the real client.
TRUSTED_PROXIES = env_networks("CALMDESK_TRUSTED_PROXIES", [])
AXES_CLIENT_IP_CALLABLE = "calmdesk.accounts.security.client_address"
# Failed sign-ins for one account from every address together that lock the account (an
# admin is told and reactivates it): far above the per-address limit, so a stranger
# cannot lock an agent out with a few guesses.
ACCOUNT_LOCK_LIMIT = env_int("CALMDESK_ACCOUNT_LOCK_LIMIT", 20, minimum=1)
# Every signed-in person must set up two-factor sign-in before any other page.
REQUIRE_TWO_FACTOR = env_bool("CALMDESK_REQUIRE_TWO_FACTOR", False)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Whitenoise serves the files straight from the package (WHITENOISE_USE_FINDERS), so no
# collectstatic is needed. Set CALMDESK_STATIC_ROOT to collect them (compressed) instead.
_static_root = env_optional("CALMDESK_STATIC_ROOT")
STATIC_ROOT = Path(_static_root).expanduser().resolve() if _static_root else None
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "files"},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
RAW_MAIL_DIR = DATA_DIR / "raw"

# Outbound mail: the default for every mailbox without its own SMTP server.
SMTP_HOST = env_optional("CALMDESK_SMTP_HOST")
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = SMTP_HOST or "127.0.0.1"
EMAIL_PORT = env_int("CALMDESK_SMTP_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("CALMDESK_SMTP_USER", "")
EMAIL_HOST_PASSWORD = env_str("CALMDESK_SMTP_PASSWORD", "")
SMTP_SECURITY = env_str("CALMDESK_SMTP_SECURITY", "none")  # none | starttls | tls
EMAIL_USE_TLS = SMTP_SECURITY == "starttls"
EMAIL_USE_SSL = SMTP_SECURITY == "tls"
EMAIL_TIMEOUT = 30
# Set by `calmdesk demo`, which runs a local SMTP catcher: admins and leads get a page of
# what it caught (DATA_DIR/caught-mail).
MAIL_CATCHER = env_bool("CALMDESK_MAIL_CATCHER", False)
DEFAULT_FROM_EMAIL = env_str("CALMDESK_DEFAULT_FROM", "support@calmdesk.localhost")
# Inbound mail larger than this is stored from its headers only, the rest kept raw.
MAX_MESSAGE_BYTES = env_int("CALMDESK_MAX_MESSAGE_BYTES", 40 * 1024 * 1024, minimum=1024)
# Key that encrypts mailbox passwords stored in the database (Fernet, urlsafe base64).
ENCRYPTION_KEY = env_optional("CALMDESK_ENCRYPTION_KEY")
# Hosts (names, addresses or networks) the outbound HTTP client may reach although they
# are loopback, private or link-local: an internal Jira, a webhook receiver on the LAN.
OUTBOUND_ALLOWED_HOSTS = env_list("CALMDESK_OUTBOUND_ALLOWED_HOSTS", [])
# A forward proxy for that client (http://[user:password@]host:port; calmdesk/outbound/
# proxy.py), else the usual HTTPS_PROXY; hosts in NO_PROXY go direct. HTTP_PROXY is not read.
OUTBOUND_PROXY = env_str("CALMDESK_OUTBOUND_PROXY", "") or env_str("HTTPS_PROXY", "")
OUTBOUND_NO_PROXY = env_list("CALMDESK_OUTBOUND_NO_PROXY", env_list("NO_PROXY", []))

# F6: the pause before a reply leaves, unless the agent chose their own.
DEFAULT_UNDO_SECONDS = env_int("CALMDESK_UNDO_SECONDS", 20, minimum=0)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
_https = env_bool("CALMDESK_HTTPS", False)
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _https
SECURE_HSTS_SECONDS = 31536000 if _https else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_HSTS_PRELOAD = _https
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _https else None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("CALMDESK_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
