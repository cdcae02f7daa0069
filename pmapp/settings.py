"""Settings for pmapp, read from environment variables.

Defaults make a first run work on a laptop (DEBUG on, SQLite file in the project folder).
Production behaviour is switched by variables, never by a second settings file.
"""

import datetime
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from operations.logs import logging_settings, start_error_reporting
from pmapp import api

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: str) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


# Off unless set on: a server that forgets it never shows Django's technical error pages.
# The README's two commands (`make run`, `make test`) set it on for the embedded default.
DEBUG = envbool("DEBUG", "false")
# The development key is public (it is in this file): good for a first run on one machine,
# refused in production, where anyone knowing it could forge sessions.
DEVELOPMENT_SECRET_KEY = "insecure-development-key-change-me-" + "x" * 30
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG=false the app refuses to start on the public "
            "development key: set SECRET_KEY to a long random value, for example the output "
            "of: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
elif not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is the public development key. Set it to a long random value."
    )
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # modeltranslation must come before the admin to patch its forms.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    # Background tasks (long portfolio reports): the backport of Django 6's django.tasks,
    # with its database backend; `manage.py db_worker` runs them.
    "django_tasks",
    # Before django_tasks_db: its `db_worker` command replaces the library's own, to record
    # the worker's heartbeat for /health/ (operations/management/commands/db_worker.py).
    "operations",
    "django_tasks_db",
    # Brute-force protection on login.
    "axes",
    # Content Security Policy header.
    "csp",
    # The read API (/api/v1/) for analysts' BI tools, and its OpenAPI schema.
    "rest_framework",
    "drf_spectacular",
    "projects",
    "checklists",
]

MIDDLEWARE = [
    # First, so it times the whole request and sees every answer, redirects included.
    "operations.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Checklist pages are large and field offices have slow links; Django pads compressed
    # responses against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Refuses bodies too large or in another encoding than UTF-8 with a clear 4xx page,
    # before anything reads the body.
    "projects.middleware.RequestBodyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Ends idle and over-long sessions, and says what the browser may keep of each page.
    "projects.sessions.SessionLifetimeMiddleware",
    # Every page needs a logged-in user unless its view says otherwise (login only).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "projects.middleware.UserTimeZoneMiddleware",
    # App pages for 403 and 404 (also while DEBUG is on: no URL list for a foreign office).
    "projects.middleware.ErrorPageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pmapp.urls"
WSGI_APPLICATION = "pmapp.wsgi.application"

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
                "projects.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
        conn_health_checks=True,
    )
}
# Caches live in each server process's memory. "default" counts API requests per token.
# "checklist_pages" keeps the rendered items of checklist pages, keyed on the checklist's
# revision (checklists/views/filling.py), so a key never serves an older checklist; the
# timeout only bounds how long a person's renamed display name can take to show. A
# process's memory, on purpose: the entries hold hashed static file names, which a new
# release changes, and a restart empties it.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "checklist_pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "checklist-pages",
        "TIMEOUT": envint("CHECKLIST_PAGE_CACHE_SECONDS", "300"),
        "OPTIONS": {"MAX_ENTRIES": envint("CHECKLIST_PAGE_CACHE_ENTRIES", "200")},
    },
}

# No transaction per request: each change is one atomic workflow function (or form save),
# so row locks last as long as the writes, never while a page or a PDF renders.
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite as a single-office server runs it: readers never wait for the writer (WAL),
    # a writer waits its turn instead of failing with "database is locked" (IMMEDIATE
    # transactions and a busy timeout), shared by the web server and the task worker.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": envint("SQLITE_TIMEOUT", "20"),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
    # Tests use a file too: the browser tests' server threads need their own connections.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test_db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Signing in with the organisation's account (OpenID Connect: Microsoft Entra ID, Google,
# Keycloak...), on when OIDC_RP_CLIENT_ID is set; the app's own passwords stay unless
# LOCAL_SIGN_IN=false. Endpoints come from the provider's .well-known/openid-configuration.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")  # mapped by SignInGroup
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "")  # on the button, e.g. "IOM"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = envint("OIDC_TIMEOUT", "10")
OIDC_CALLBACK_CLASS = "projects.sign_in.SignInReturn"
# Signing out of the app also signs out of the organisation's account when the provider
# has an end_session_endpoint (RP-initiated logout, with the ID token as a hint); without
# one, the next organisation sign-in from that browser asks for the password again.
OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("OIDC_OP_LOGOUT_ENDPOINT", "")
OIDC_STORE_ID_TOKEN = True
LOCAL_SIGN_IN = envbool("LOCAL_SIGN_IN", "true")
AUTHENTICATION_BACKENDS = [
    # Refuses logins for a locked-out username and address before checking the password.
    "axes.backends.AxesStandaloneBackend",
    *(["django.contrib.auth.backends.ModelBackend"] if LOCAL_SIGN_IN else []),
    *(["projects.sign_in.SignInBackend"] if OIDC_RP_CLIENT_ID else []),
]
# Locked out after a few failed attempts for one username from one address; the lock expires.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = datetime.timedelta(minutes=envint("AXES_COOLOFF_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "projects.views.locked_out"
AXES_VERBOSE = False
# Behind a reverse proxy: AXES_PROXY_COUNT, in the accounts block at the end.

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "checklists:home"
LOGIN_REDIRECT_URL_FAILURE = "login"
LOGOUT_REDIRECT_URL = "login"
# Sessions fit a shared computer (projects/sessions.py): the cookie ends when the browser
# closes; a session nobody uses for SESSION_IDLE_MINUTES ends (autosave and typing count as
# use; the page warns SESSION_IDLE_WARNING_SECONDS before); SESSION_COOKIE_AGE after signing
# in, it ends whatever happens. SESSION_KEPT_COOKIE_DAYS: how long a browser remembers that
# it kept someone's things, so that the first visit after it was closed clears them.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(60 * 60 * 12))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_IDLE_MINUTES = envint("SESSION_IDLE_MINUTES", "30")
SESSION_IDLE_WARNING_SECONDS = envint("SESSION_IDLE_WARNING_SECONDS", "120")
SESSION_KEPT_COOKIE_DAYS = envint("SESSION_KEPT_COOKIE_DAYS", "30")

# Languages: adding one here (plus a migration for translated fields, a catalogue in
# locale/ and the content in fixtures) is all a new language needs.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish")), ("ar", _("Arabic"))]
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Bootstrap comes from the npm registry at install time (package-lock.json), never a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "checklists.static_files.StaticFilesStorage"
        )
    },
}


# Report files and evidence go through Django's storage API: the MEDIA_ROOT folder by
# default; an S3-compatible bucket when S3_BUCKET is set (what several app servers need).
# The bucket stays private: files are streamed by the app to those who may see them.
def s3_storage(bucket: str, **connection) -> dict:
    """The default storage on an S3-compatible bucket (the tests use it with a local one)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            **connection,
            "default_acl": "private",
            # url() gives links signed for one minute; the app streams files itself.
            "querystring_auth": True,
            "querystring_expire": 60,
            "signature_version": "s3v4",
            "file_overwrite": False,
        },
    }


S3_BUCKET = os.environ.get("S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["default"] = s3_storage(
        S3_BUCKET,
        endpoint_url=os.environ.get("S3_ENDPOINT_URL") or None,
        region_name=os.environ.get("S3_REGION") or None,
        access_key=os.environ.get("S3_ACCESS_KEY_ID") or None,
        secret_key=os.environ.get("S3_SECRET_ACCESS_KEY") or None,
        location=os.environ.get("S3_PREFIX", ""),
    )

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
# Evidence files on answers: the largest accepted (types: checklists/models/evidence.py).
EVIDENCE_MAX_BYTES = envint("EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024))
# The unix socket of a ClamAV daemon (clamd) that scans every evidence file before it is
# kept, e.g. /run/clamav/clamd.ctl; empty: no scan (`check --deploy` warns).
EVIDENCE_CLAMAV_SOCKET = os.environ.get("EVIDENCE_CLAMAV_SOCKET", "")
# System checks a deployment has decided to live with, e.g. pmapp.W003 where no antivirus
# daemon can run: said in its environment, not hidden in code.
SILENCED_SYSTEM_CHECKS = envlist("SILENCED_SYSTEM_CHECKS", "")
# Generated report files. In a multi-server deployment point the default storage at shared
# storage (e.g. an S3 bucket through django-storages) so every app server and worker sees them.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"  # never served directly: downloads go through a permission check

# A background report whose worker shows no sign of progress for this long is picked up
# again (a few times, then marked failed); report files are removed after some days
# (`manage.py expire_report_files`, daily from cron).
REPORT_STALE_SECONDS = envint("REPORT_STALE_SECONDS", "60")
REPORT_FILES_KEEP_DAYS = envint("REPORT_FILES_KEEP_DAYS", "14")
# The retention schedule, applied by `manage.py apply_retention` (daily from cron): the
# evidence files and free-text comments of projects whose end date is this many years past,
# and access log entries older than this many years, are deleted, each leaving a deletion
# receipt. A legal hold on a project (admin) keeps all of it. docs/data-protection.md.
RETENTION_EVIDENCE_YEARS = envint("RETENTION_EVIDENCE_YEARS", "5")
RETENTION_ACCESS_LOG_YEARS = envint("RETENTION_ACCESS_LOG_YEARS", "5")
# /health/ reports the task worker as failing when its last heartbeat is older than this.
WORKER_HEARTBEAT_MAX_AGE = envint("WORKER_HEARTBEAT_MAX_AGE", "120")

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "pmapp@localhost")
# Where the app is reached, for links in e-mails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Hardening: on by default whenever DEBUG is off, each can be turned off by a variable
# (e.g. behind a proxy that terminates TLS and redirects itself).
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", str(not DEBUG))
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", str(not DEBUG))
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", str(not DEBUG))
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", str(not DEBUG))
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", str(not DEBUG))
SECURE_CONTENT_TYPE_NOSNIFF = True
# Health probes come over the private network in plain HTTP: they get the answer, not a
# redirect to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^health/"]


def provider_origin(url: str) -> list[str]:
    parts = urlsplit(url)
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme and parts.netloc else []


# Content Security Policy: only the app's own scripts, styles and images; no inline script
# or style is needed anywhere (data for scripts travels in json_script blocks).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # The sign-out form ends at the organisation's provider when it has an
        # end_session_endpoint: a form's redirect must be allowed to go there.
        "form-action": ["'self'", *provider_origin(OIDC_OP_LOGOUT_ENDPOINT)],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if envbool("USE_X_FORWARDED_PROTO", "false"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# LOG_FORMAT=json: one JSON object a line, and one line a request (operations/logs.py), for
# a log collector; "text" (the default): plain lines, and the web server logs requests.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("LOG_FORMAT is text or json.")
LOGGING = logging_settings(LOG_FORMAT, level=os.environ.get("LOG_LEVEL", "INFO"))

# Errors go to Sentry (or GlitchTip) when SENTRY_DSN is set, without personal data
# (operations/logs.py). Off by default: nothing leaves the server unless an operator says so.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    start_error_reporting(SENTRY_DSN, os.environ.get("SENTRY_ENVIRONMENT", "production"))

# --- The read API (/api/v1/) ----------------------------------------------------------------
# Read-only, for analysts' BI tools and scripts (pmapp/api.py). Pages are cursor-paginated:
# stable while data changes, and as fast at the millionth answer as at the first.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300/min")  # per token (or user), per server
API_TOKEN_MAX_ACTIVE = envint("API_TOKEN_MAX_ACTIVE", "10")  # a user's unrevoked, unexpired tokens
REST_FRAMEWORK, SPECTACULAR_SETTINGS = api.REST_FRAMEWORK, api.SPECTACULAR_SETTINGS  # pmapp/api.py

# --- Accounts: second factor, passwords, sessions, tokens, leavers, lockout (issue 25) -------
# Kept in one block, added to the lists above rather than written into them.
# Second factor: django-otp (TOTP apps and single-use recovery codes). The admin site is
# the project's own (projects/apps.py), which asks for the second factor.
INSTALLED_APPS[INSTALLED_APPS.index("django.contrib.admin")] = "projects.apps.AdminConfig"
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
_AUTH = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware")
# request.user.is_verified(): whether this session passed the second factor.
MIDDLEWARE.insert(_AUTH + 1, "django_otp.middleware.OTPMiddleware")
# Sessions of organisation accounts are checked again with the provider every
# OIDC_SESSION_CHECK_MINUTES (mozilla-django-oidc's SessionRefresh), once the session's own
# time limits (projects.sessions) had their say.
_LIFETIME = "projects.sessions.SessionLifetimeMiddleware"
MIDDLEWARE.insert(
    MIDDLEWARE.index(_LIFETIME) + 1 if _LIFETIME in MIDDLEWARE else _AUTH + 2,
    "projects.sign_in.SessionCheck",
)
# Required for administrators, framework editors and HQ-wide roles; for everyone with this on.
SECOND_FACTOR_FOR_EVERYONE = envbool("SECOND_FACTOR_FOR_EVERYONE", "false")
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Protection mainstreaming")
# Passwords: at least 12 characters (OWASP ASVS 2.1.1), the common-password check kept.
PASSWORD_MIN_LENGTH = envint("PASSWORD_MIN_LENGTH", "12")
for _validator in AUTH_PASSWORD_VALIDATORS:
    if _validator["NAME"].endswith("MinimumLengthValidator"):
        _validator["OPTIONS"] = {"min_length": PASSWORD_MIN_LENGTH}
# Organisation accounts: how often an open session is checked again with the provider (a
# person removed there, or whose groups no longer map, loses that access within this time).
OIDC_SESSION_CHECK_MINUTES = envint("OIDC_SESSION_CHECK_MINUTES", "15")
OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS = OIDC_SESSION_CHECK_MINUTES * 60
# API tokens: 30 days unless the owner picks longer, never more than this.
API_TOKEN_MAX_DAYS = envint("API_TOKEN_MAX_DAYS", "90")
# A token of an organisation account stops once the provider has not confirmed its owner
# (sign-in or session check) for this long: a BI tool's nightly refresh still works after
# a working day, a leaver's token stops at most this long after their last confirmation,
# and at once when a session check fails or an administrator removes their access.
API_TOKEN_PROVIDER_CHECK_HOURS = envint("API_TOKEN_PROVIDER_CHECK_HOURS", "24")
# Typing the password again (or signing in again with the organisation) is asked before a
# token is made; a fresh organisation sign-in counts for this long.
REAUTHENTICATION_MINUTES = envint("REAUTHENTICATION_MINUTES", "10")
# Lockout behind a reverse proxy: the number of proxies in front of the app (0: clients
# connect directly). Only then is the client's address read from X-Forwarded-For, as the
# proxies wrote it (the right-most entries), through django-ipware; a longer, made-up chain
# falls back to the proxy's own address.
TRUSTED_PROXY_COUNT = envint("AXES_PROXY_COUNT", "0")
AXES_CLIENT_IP_CALLABLE = "projects.accounts.client_address"
