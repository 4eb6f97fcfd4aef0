"""
Settings for the CSTO news archive.

One module, driven by environment variables. The defaults are safe: debug is
off unless DJANGO_DEBUG says otherwise, and then a secret key must be given.
`make run` and `make test` turn debug on for local work.
"""

import hashlib
import json
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name, default)
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off "
            "(for local work, set DJANGO_DEBUG=1)."
        )
    # Only ever used with debug on, on a developer's machine.
    SECRET_KEY = "django-insecure-local-development-key-not-for-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "csp",
    "axes",
    "django_prose_editor",
    "archive",
]

MIDDLEWARE = [
    # Outermost: a HEAD answer leaves without its body.
    "archive.middleware.HeadMiddleware",
    # Then health checks answer whatever the Host header and scheme.
    "archive.middleware.HealthMiddleware",
    # Then a page this process holds, as the whole stack below answered it
    # (with Redis: see docs/performance.md).
    "archive.pagecache.MemoryPageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "archive.middleware.RejectBadQueryMiddleware",
    # Above the page cache: a page being built is compressed for each visitor
    # whose browser takes gzip (a kept page is kept gzipped as well).
    "archive.middleware.CompressTextMiddleware",
    # A hit ends here: the middleware below is only for pages that are built,
    # and the headers it gives them (ETag, Content-Language) are kept with them.
    "archive.pagecache.PageCacheMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A stalled database gives a 503 within the deadline.
    "archive.middleware.DatabaseDeadlineMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "archive.middleware.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its message.
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # With debug on, runserver serves static/ itself.
    # Right after SecurityMiddleware, as WhiteNoise's documentation asks.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

ROOT_URLCONF = "cstonews.urls"

# The public site's templates are Jinja2 (templates/jinja2/, see
# archive/templating.py), for speed; the admin and the apps' own templates
# are Django's (templates/admin/). Jinja2 is asked first, so a public
# template's name never reaches Django's engine.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "archive.templating.environment",
            "context_processors": [
                "django.template.context_processors.i18n",
                "archive.context_processors.navigation",
            ],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

WSGI_APPLICATION = "cstonews.wsgi.application"

# SQLite by default, so that one command runs the site on a new machine;
# PostgreSQL (or any database dj-database-url knows) through DATABASE_URL.
DATABASES = {
    # An empty DATABASE_URL (as `DATABASE_URL= make test` gives) is no URL either.
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with a check of a kept connection that asks the
    # database nothing (cstonews/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "cstonews.postgresql"
    options = DATABASES["default"].setdefault("OPTIONS", {})
    if env_bool("DATABASE_PREPARED_STATEMENTS", True):
        # Parameters sent apart from the SQL, so that psycopg prepares a query
        # the site has run 5 times and PostgreSQL plans it once per
        # connection (planning costs more than running a page's small
        # queries). Turn off (0) behind a pooler that cannot keep prepared
        # statements (PgBouncer before 1.21 in transaction mode).
        options.update(server_side_binding=True, prepare_threshold=5)
    server_options = []
    if not env_bool("DATABASE_PARALLEL_QUERY", False):
        # Each web request reads a handful of rows; PostgreSQL misjudging one
        # would start parallel workers that only compete with the other
        # requests for the cores.
        server_options.append("-c max_parallel_workers_per_gather=0")
    # A database that does not answer must not hold a process for ever
    # (docs/failure-modes.md); 0 turns either limit off.
    options["connect_timeout"] = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
    statement_seconds = float(os.environ.get("DATABASE_STATEMENT_TIMEOUT", "20"))
    if statement_seconds:
        server_options.append(f"-c statement_timeout={int(statement_seconds * 1000)}")
    if server_options:
        options["options"] = " ".join(server_options)
# Seconds a web request may wait for the database in all before its
# connection is cut and the page answers 503 (archive/middleware.py): it
# holds when the server or the network stalls and statement_timeout cannot
# fire. Below gunicorn's timeout; 0 turns it off.
DATABASE_REQUEST_TIMEOUT = float(os.environ.get("DATABASE_REQUEST_TIMEOUT", "25"))
# After the database failed, each process leaves it alone this many seconds:
# pages that need it answer 503 at once, cached pages are served without
# checking it (archive/breaker.py).
DATABASE_RETRY_SECONDS = float(os.environ.get("DATABASE_RETRY_SECONDS", "10"))
# Seconds /readyz waits for the database before answering 503: a probe
# answers within a load balancer's own timeout.
READYZ_TIMEOUT = float(os.environ.get("READYZ_TIMEOUT", "3"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The list indexes carry expire_at as a covering column for PostgreSQL; SQLite
# ignores it, as intended, and Django warns of that on every SQLite run.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# A shared cache when REDIS_URL is set (several app servers), otherwise a
# per-process memory cache.
# "pages" holds the page cache and its generation number: it must be shared
# by every worker, so without Redis it is a folder on this machine.
# Keys carry the database's name, so that sites sharing a Redis or a folder
# (a benchmark beside a development server, say) never read each other's
# pages, totals or generation.
DATABASE_KEY = hashlib.sha256(str(DATABASES["default"]["NAME"]).encode()).hexdigest()[:12]
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Redis failures are misses, logged (archive/caching.py): the site keeps
    # answering from the database; short timeouts, as Redis answers at once or not at all.
    redis = {
        "BACKEND": "archive.caching.FailSafeRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    CACHES = {
        "default": {**redis, "KEY_PREFIX": f"cstonews-{DATABASE_KEY}"},
        "pages": {**redis, "KEY_PREFIX": f"cstonews-pages-{DATABASE_KEY}"},
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": {
            "BACKEND": "archive.caching.FailSafeFileBasedCache",
            "LOCATION": os.environ.get("PAGE_CACHE_DIR", str(BASE_DIR / ".pagecache")),
            "KEY_PREFIX": DATABASE_KEY,
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        },
    }

# django-axes: after AXES_FAILURE_LIMIT wrong passwords for one account from
# one address, that pair is refused for an hour, with a message saying so
# (templates/admin/locked_out.html). Attempts are kept in the database, so
# every app server sees them. Behind a proxy, the visitor's address is the
# last one the proxy adds to X-Forwarded-For (DJANGO_PROXY_COUNT proxies).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "archive.middleware.client_address"
PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "0"))
AXES_VERBOSE = False
# The admin is the only sign-in: staff land on the editorial queue.
LOGIN_REDIRECT_URL = "editorial-queue"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
# The project's catalog, then Django's admin messages reworded for Russian
# (locale/overrides/, kept by hand; makemessages writes only the first).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "overrides"]
# The CSTO Secretariat works in Moscow: dates on the site are Moscow dates.
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True
# Dates as dd.mm.yyyy in the English interface too (cstonews/formats/en/).
FORMAT_MODULE_PATH = ["cstonews.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))


def storage(prefix, local_backend):
    """
    A storage chosen by configuration alone: <prefix>_STORAGE_BACKEND (e.g.
    storages.backends.s3.S3Storage, with django-storages installed) and
    <prefix>_STORAGE_OPTIONS (JSON), or by default a folder on this machine.
    """
    return {
        "BACKEND": os.environ.get(f"{prefix}_STORAGE_BACKEND", "") or local_backend,
        "OPTIONS": json.loads(os.environ.get(f"{prefix}_STORAGE_OPTIONS", "{}")),
    }


PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private-media"))
STORAGES = {
    # Images and their renditions, in MEDIA_ROOT, served at MEDIA_URL.
    "default": storage("MEDIA", "archive.storage.WholeFileStorage"),
    # Documents, in PRIVATE_MEDIA_ROOT: never served from a folder, only by
    # the download view.
    "attachments": storage("ATTACHMENT", "archive.storage.PrivateStorage"),
    # Hashed, compressed names need `collectstatic`; with debug on the plain
    # storage serves straight from static/.
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Tests write uploads to a temporary folder (archive/tests/runner.py).
TEST_RUNNER = "archive.tests.runner.TemporaryMediaRunner"

# Query-string limits: a public list has a handful of filters and a search of
# at most 200 characters. Longer or more answer 400 (archive/middleware.py).
QUERY_STRING_MAX_LENGTH = 2048
QUERY_MAX_PARAMETERS = 30

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # When, how bad and from where: what an operator reads a log line by
    # (gunicorn's own lines carry the same, its access log aside).
    "formatters": {
        "line": {
            "format": "[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s",
            "datefmt": "%Y-%m-%d %H:%M:%S %z",
        }
    },
    "filters": {"skip_readiness_probes": {"()": "archive.logs.SkipReadinessProbes"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "line"},
        "null": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {
        # A 404 is an answer, not a fault: log server errors only.
        "django.request": {"level": "ERROR", "filters": ["skip_readiness_probes"]},
        # A Host header not in ALLOWED_HOSTS (scanners) is answered 400, not a fault either.
        "django.security.DisallowedHost": {"handlers": ["null"], "propagate": False},
    },
}

# Behind a TLS-terminating proxy in production.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")
SECURE_CONTENT_TYPE_NOSNIFF = True
# A form sent after its session changed (signed out, or in again elsewhere): a page that says so.
CSRF_FAILURE_VIEW = "archive.views.site.csrf_failure"
# The Content Security Policy of every page, the admin's included: scripts,
# styles and everything else from this site only, never inline; no plugins,
# no framing, forms post here. Media on another host (S3, a CDN) is named in
# DJANGO_CSP_MEDIA_ORIGINS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *env_list("DJANGO_CSP_MEDIA_ORIGINS", "")],
        "media-src": [SELF, *env_list("DJANGO_CSP_MEDIA_ORIGINS", "")],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Public list pages.
NEWS_PAGE_SIZE = 20
# Whole pages cached for anonymous visitors, never stale (archive/pagecache.py);
# 0 turns the cache off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300"))
# Each process reads the generation from the database at least this often, so
# that a change the cache missed (Redis down, a write bypassing the ORM) shows
# within it (docs/failure-modes.md).
GENERATION_CHECK_SECONDS = float(os.environ.get("GENERATION_CHECK_SECONDS", "5"))
# How long that read of the database may take before a cached page is served
# with the cache's copy and the database is left to rest (archive/breaker.py).
GENERATION_CHECK_TIMEOUT = float(os.environ.get("GENERATION_CHECK_TIMEOUT", "2"))
# Uploads.
IMAGE_MAX_BYTES = int(os.environ.get("IMAGE_MAX_BYTES", 10 * 1024 * 1024))
IMAGE_MAX_PIXELS = int(os.environ.get("IMAGE_MAX_PIXELS", 40_000_000))
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))
RENDITION_WIDTHS = (320, 640, 1280)

# How long a signed preview link of an unpublished item works.
PREVIEW_LINK_DAYS = int(os.environ.get("PREVIEW_LINK_DAYS", "7"))

# Workflow mails (archive/notifications.py). Without DJANGO_EMAIL_HOST they are
# printed to the console; the test runner keeps them in memory.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "webmaster@localhost")
# The site's address, for the links in mails, which are sent outside any request.
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://localhost:8000").rstrip("/")
