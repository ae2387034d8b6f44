"""Settings of Rathaus.

Every deployment knob is read from the environment through ``env()``; nothing differs between
deployments but those variables. ``RATHAUS_ENV`` selects the defaults:

- ``development`` (default): embedded SQLite under ``var/``, e-mail into the demo outbox,
  demo data allowed, served on localhost only.
- ``production``: refuses to start without a real ``SECRET_KEY``, with ``DEBUG`` on, or without
  ``ALLOWED_HOSTS``; secure cookies, HSTS, JSON logs.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env(name: str, default=None, *, cast=str):
    """Read one setting from the environment, typed by ``cast`` (str, bool, int or list)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    if cast is bool:
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name} must be a boolean, got {raw!r}")
    if cast is list:
        return [item.strip() for item in raw.split(",") if item.strip()]
    if cast is int:
        try:
            return int(raw)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc
    return raw


RATHAUS_ENV = env("RATHAUS_ENV", "development")
if RATHAUS_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("RATHAUS_ENV must be 'development' or 'production'")
PRODUCTION = RATHAUS_ENV == "production"

VAR_DIR = Path(env("RATHAUS_VAR_DIR", str(BASE_DIR / "var")))

_INSECURE_KEY = "django-insecure-rathaus-development-only"
SECRET_KEY = env("SECRET_KEY", _INSECURE_KEY)
DEBUG = env("DEBUG", False, cast=bool)
ALLOWED_HOSTS = env("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"], cast=list)
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS", [], cast=list)

# Demo mode loads the Regensburg demo, shows the e-mail outbox and the demo TOTP hint.
DEMO_MODE = env("DEMO_MODE", not PRODUCTION, cast=bool)

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production.")
    if SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("Set a SECRET_KEY of at least 50 random characters.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Set ALLOWED_HOSTS to the public host name(s).")
    if DEMO_MODE:
        raise ImproperlyConfigured("DEMO_MODE must be off in production.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served by us: no CDN, and the CSP holds
    "django_tasks",
    "django_tasks_db",
    "django_prometheus",
    "django_htmx",
    "djangosaml2",
    "mozilla_django_oidc",
    "rathaus.core",
    "rathaus.accounts",
    "rathaus.catalog",
    "rathaus.forms",
    "rathaus.cases",
    "rathaus.mailbox",
    "rathaus.booking",
    "rathaus.strategy",
    "rathaus.demo",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "rathaus.core.middleware.GermanFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "rathaus.accounts.middleware.StaffSecondFactorMiddleware",
    "rathaus.accounts.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "rathaus.core.middleware.ClientAddressMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "rathaus.urls"
FORM_RENDERER = "rathaus.core.forms.KernFormRenderer"
WSGI_APPLICATION = "rathaus.wsgi.application"
ASGI_APPLICATION = "rathaus.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Django's own form widget templates, for the KERN form renderer (TemplatesSetting).
        "DIRS": [PACKAGE_DIR / "templates", Path(django.__file__).parent / "forms" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "rathaus.core.context_processors.site",
                "rathaus.mailbox.context_processors.mailbox",
            ],
        },
    }
]

# --- Database -----------------------------------------------------------------------------
# The embedded default is SQLite in WAL mode; writes take the lock at BEGIN (IMMEDIATE) so
# concurrent writers queue instead of failing half-way. PostgreSQL via DATABASE_URL.
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'rathaus.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env("DB_CONN_MAX_AGE", 60, cast=int))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
            " PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": env("SQLITE_TEST_NAME", None)}
# The statements every API request runs are prepared once per connection (PostgreSQL,
# ``core.prepared``); off for a connection pooler that does not keep prepared statements.
DATABASE_PREPARED_STATEMENTS = env("DB_PREPARED_STATEMENTS", True, cast=bool)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ---------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", None)
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rathaus"}
    )
}

# Fragments of the page frame (base.html): per process always, even with Redis, so that a deploy
# with new static file names or URLs never meets fragments cached by the one before.
CACHES["template_fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "rathaus-fragments",
    "OPTIONS": {"MAX_ENTRIES": 1000},
}

# --- Accounts and authentication --------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "rathaus.accounts.backends.EmailBackend",
    "rathaus.accounts.eid.oidc.EidOIDCBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "core:home"
PASSWORD_RESET_TIMEOUT = env("PASSWORD_RESET_TIMEOUT", 60 * 60 * 24, cast=int)
EMAIL_VERIFICATION_TIMEOUT = env("EMAIL_VERIFICATION_TIMEOUT", 60 * 60 * 24 * 3, cast=int)

# Sessions expire after 30 minutes without activity (BSI IT-Grundschutz ORP.4) and at browser close.
# cached_db only with a shared cache: with the per-process local-memory cache, several app server
# processes would each read their own stale copy of a session (a write in one process is not
# seen by the next request landing on another one).
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if REDIS_URL else "db")
SESSION_COOKIE_AGE = env("SESSION_IDLE_SECONDS", 30 * 60, cast=int)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "rathaus.core.views.csrf_failure"

# Login throttling: five failures per account and address lock for 15 minutes.
AXES_FAILURE_LIMIT = env("AXES_FAILURE_LIMIT", 5, cast=int)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
# Addresses count case-insensitively, as the login does: "Maria@…" and "maria@…" share one lock,
# which a completed password reset lifts (accounts.services.password_reset_completed).
AXES_USERNAME_CALLABLE = "rathaus.accounts.backends.axes_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_VERBOSE = False

OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", "Rathaus")

# --- Electronic identity (eID broker / BundID) --------------------------------------------------
# OIDC: set OIDC_OP_ISSUER and the client credentials; the endpoints follow the issuer unless
# given one by one. The acr claim maps onto our trust levels through EID_ACR_TRUST_LEVELS.
OIDC_ENABLED = bool(env("OIDC_RP_CLIENT_ID", ""))
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_OP_ISSUER = env("OIDC_OP_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", f"{OIDC_OP_ISSUER}/authorization")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", f"{OIDC_OP_ISSUER}/token")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", f"{OIDC_OP_ISSUER}/userinfo")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", f"{OIDC_OP_ISSUER}/jwks")
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", "openid email profile address")
OIDC_USE_NONCE = True
OIDC_USE_PKCE = env("OIDC_USE_PKCE", True, cast=bool)
OIDC_TIMEOUT = env("OIDC_TIMEOUT", 10, cast=int)
OIDC_STORE_ID_TOKEN = False
OIDC_CREATE_USER = True
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
LOGIN_REDIRECT_URL_FAILURE = "accounts:eid_failed"
EID_ACR_TRUST_LEVELS = {
    "urn:rathaus:trust:basic": "basic",
    "urn:rathaus:trust:substantial": "substantial",
    "urn:rathaus:trust:high": "high",
    "http://eidas.europa.eu/LoA/low": "basic",
    "http://eidas.europa.eu/LoA/substantial": "substantial",
    "http://eidas.europa.eu/LoA/high": "high",
    "STORK-QAA-Level-1": "basic",
    "STORK-QAA-Level-3": "substantial",
    "STORK-QAA-Level-4": "high",
}

# SAML 2.0: set SAML_IDP_METADATA (a file path or URL) and the SP key/certificate files.
SAML_ENABLED = bool(env("SAML_IDP_METADATA", ""))
SAML_IDP_METADATA = env("SAML_IDP_METADATA", "")
SAML_SP_ENTITY_ID = env("SAML_SP_ENTITY_ID", "")
SAML_SP_KEY_FILE = env("SAML_SP_KEY_FILE", "")
SAML_SP_CERT_FILE = env("SAML_SP_CERT_FILE", "")
SAML_XMLSEC_BINARY = env("SAML_XMLSEC_BINARY", "/usr/bin/xmlsec1")
SAML_PUBLIC_URL = env("SAML_PUBLIC_URL", "http://127.0.0.1:8000")
# djangosaml2 reads the configuration per request from the settings above.
SAML_CONFIG_LOADER = "rathaus.accounts.eid.saml.config_loader"
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_ATTRIBUTE_MAPPING: dict = {}
SAML_CREATE_UNKNOWN_USER = True
SAML_SESSION_COOKIE_NAME = "rathaus_saml"
if SAML_ENABLED:
    from rathaus.accounts.eid.saml_config import build_saml_config

    SAML_CONFIG = build_saml_config(
        idp_metadata=SAML_IDP_METADATA,
        sp_entity_id=SAML_SP_ENTITY_ID,
        sp_key_file=SAML_SP_KEY_FILE,
        sp_cert_file=SAML_SP_CERT_FILE,
        xmlsec_binary=SAML_XMLSEC_BINARY,
        public_url=SAML_PUBLIC_URL,
    )
    AUTHENTICATION_BACKENDS.append("rathaus.accounts.eid.saml.EidSaml2Backend")
    # The SAML state travels in its own cookie (SameSite=None) so the IdP's POST carries it.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
        "djangosaml2.middleware.SamlSessionMiddleware",
    )

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "rathaus_language"
# English dates read day, month, year (rathaus/formats/en); German ones are Django's.
FORMAT_MODULE_PATH = ["rathaus.formats"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("kern", NODE_MODULES / "@kern-ux" / "native" / "dist"),
    ("htmx", NODE_MODULES / "htmx.org" / "dist"),
]
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploaded documents are never served by the web server: views stream them after a permission
# check. MEDIA_URL stays unset on purpose.
STORAGES = {
    "default": {"BACKEND": env("STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- E-mail -------------------------------------------------------------------------------------
# In the embedded default every message lands in the demo outbox (a page in demo mode).
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "rathaus.core.mail.OutboxBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env("EMAIL_PORT", 25, cast=int)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env("EMAIL_USE_TLS", False, cast=bool)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Rathaus <noreply@rathaus.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks -----------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# --- API ---------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # The token scheme first: a request without credentials gets 401 with
    # "WWW-Authenticate: Token", so an integration learns how to log in.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rathaus.core.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "rathaus.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rathaus API",
    "DESCRIPTION": "REST API of Rathaus, the digital town hall.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "rathaus.accounts.constants.OrganisationKind",
        "DocumentKindEnum": "rathaus.cases.models.DocumentKind",
    },
}

# --- Security headers ----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # The request's nonce (csp.constants.NONCE): the literal "'nonce'" that stood here is not
        # a source expression, so browsers ignored it and no page's nonce ever reached the header.
        "script-src": ["'self'", NONCE],
        # No inline styles: the few pages that need a <style> block carry the request's nonce.
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "form-action": ["'self'", *env("CSP_FORM_ACTION", [], cast=list)],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env("SECURE_SSL_REDIRECT", True, cast=bool)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, cast=int)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# The address of a request: behind a reverse proxy, the number of trusted proxies in front.
TRUSTED_PROXY_COUNT = env("TRUSTED_PROXY_COUNT", 0, cast=int)

# --- Logging ---------------------------------------------------------------------------------------
# JSON lines in production. Log records carry ids, never names, addresses or e-mail addresses.
LOG_LEVEL = env("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "rathaus.core.logging.RedactPersonalDataFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if PRODUCTION or env("LOG_JSON", False, cast=bool) else "plain",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        "saml2": {"level": "WARNING"},
        "xmlschema": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Operations -------------------------------------------------------------------------------------
# /metrics is for the monitoring network: with METRICS_TOKEN set it wants "Authorization: Bearer".
METRICS_TOKEN = env("METRICS_TOKEN", "")
# The portal's public address, for links in e-mails sent by background tasks.
PORTAL_URL = env("PORTAL_URL", "http://127.0.0.1:8000")
CASE_REFERENCE_PREFIX = env("CASE_REFERENCE_PREFIX", "RBG")
# /bench/floor, the benchmark floor view; off unless a benchmark run switches it on.
BENCH_ENDPOINTS = env("BENCH_ENDPOINTS", False, cast=bool)
# The worker counts as alive when it checked in within this many seconds.
WORKER_HEARTBEAT_MAX_AGE = env("WORKER_HEARTBEAT_MAX_AGE", 120, cast=int)
