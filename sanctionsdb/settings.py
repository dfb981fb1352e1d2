"""Settings for sanctionsdb, read from the environment.

One file for every deployment. Without any variable ``DEBUG`` is off, as in production, and
the database is SQLite under ``var/``; ``python3 dev.py up`` sets ``DEBUG=true``. Production
sets ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL`` and the HTTPS variables of
docs/operations.md ("Production settings"), where every variable is explained.
"""

import base64
import copy
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

# The development key is public; the ``sanctionsdb.E001`` check refuses it when DEBUG is off.
DEVELOPMENT_SECRET_KEY = "development-only-not-secret-sanctionsdb"


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
# Off unless set: a deployment that forgets the variable does not show tracebacks.
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "csp",
    # Background work (recomputing findings after a change that touches many transfers):
    # Django's Tasks API (django-tasks) with its database backend; workers: manage.py db_worker.
    "django_tasks",
    "django_tasks_db",
    "apps.common",
    "apps.geo",
    "apps.actors",
    "apps.evidence",
    "apps.resolutions",
    "apps.sanctions",
    "apps.transfers",
    "apps.relations",
    "apps.ingest",
    "apps.explore",
    # Login lockout (its AccessAttempt table): after the apps whose users it watches.
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A database out of reach (a restart, a failover) answers 503 with Retry-After, not 500.
    "apps.common.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sanctionsdb.urls"
WSGI_APPLICATION = "sanctionsdb.wsgi.application"

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
            ],
        },
    },
]

# The API's compiled reads (apps.common.compiled) as prepared statements, parsed once per
# connection, their values bound by the server (docs/benchmarks.md: a few per cent more list
# throughput than unprepared). Off behind a connection pooler in transaction mode that cannot
# keep them.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
# The memory each process may give to what it keeps between requests (apps.common.kept: the
# API's compiled statements, its list plans, answers kept in process), estimated; the least
# recently used are dropped past it. A list page's filters come from clients, each a statement.
COMPILED_READS_MAX_BYTES = env_int("COMPILED_READS_MAX_BYTES", 32 * 1024 * 1024)

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'sanctionsdb.sqlite3'}"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections, checked before reuse so a restarted server is survived.
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation: it costs a page of the API more (100-200 ms) than it saves, on short
    # queries whose cost the planner overestimates.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    # psycopg prepares the statements it is asked to (the API's compiled reads) only with a
    # threshold (Django's default, None, turns preparing off); no count of executions reaches
    # this one, so it prepares nothing by itself (the ORM's client-side cursors never prepare).
    if DATABASE_PREPARED_STATEMENTS:
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 2**31 - 1)
else:
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL lets readers go on while the loader or an editor writes.
    DATABASES["default"]["OPTIONS"].setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")

# Read-only copies (PostgreSQL streaming replicas), each an alias replica_1, replica_2, … with
# the primary's options; apps.common.routing sends the reads it may to one (docs/deploy.md).
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS", [])
# How long an API client's requests read the primary after it wrote (its Authorization header).
DATABASE_REPLICA_PIN_SECONDS = env_int("DATABASE_REPLICA_PIN_SECONDS", 10)
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    _replica = dj_database_url.parse(_url)
    for _option in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "OPTIONS"):
        if _option in DATABASES["default"]:
            _replica[_option] = copy.deepcopy(DATABASES["default"][_option])
    # The tests see one database: each replica is the test database of default.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_number}"] = _replica
if DATABASE_REPLICA_URLS:
    DATABASE_ROUTERS = ["apps.common.routing.PrimaryReplicaRouter"]
    # First, so that the queries of every other middleware are routed too.
    MIDDLEWARE.insert(0, "apps.common.routing.PrimaryReplicaMiddleware")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Stored findings: a write that bears on at most this many transfers recomputes them itself;
# a larger one leaves them to the background worker (apps/transfers/findings.py).
FINDINGS_SYNC_LIMIT = env_int("FINDINGS_SYNC_LIMIT", 500)

# Two caches: "default" for answers kept until the next write (apps.common.cache: public
# pages, counts, findings) and the replica pins; "limits" for the rate-limit and failed-token
# counts (apps.common.api.throttling), apart, so that answers filling the first never push a
# count out. One of each for every process when REDIS_URL is set (the limits under their own
# key prefix, or on LIMITS_REDIS_URL: docs/deploy.md); otherwise each process keeps its own in
# memory, which is right for one process only, the answers to ANSWER_CACHE_MAX_ENTRIES.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
ANSWER_CACHE_MAX_ENTRIES = env_int("ANSWER_CACHE_MAX_ENTRIES", 300)
if REDIS_URL:
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "sanctionsdb")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        },
        "limits": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ.get("LIMITS_REDIS_URL", "").strip() or REDIS_URL,
            "KEY_PREFIX": f"{CACHE_KEY_PREFIX}-limits",
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "sanctionsdb",
            "OPTIONS": {"MAX_ENTRIES": ANSWER_CACHE_MAX_ENTRIES},
        },
        # A few entries per client address: room for many clients.
        "limits": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "sanctionsdb-limits",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
    }

# The login form (admin): django-axes refuses a username from an address after
# AXES_FAILURE_LIMIT wrong passwords, for AXES_COOLOFF_MINUTES; a right password resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 60))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The attempts are counted in the database (axes' default handler); were they moved to the
# cache (AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"), they would go with the limits.
AXES_CACHE = "limits"
# The client's address as the API's throttles see it (NUM_PROXIES below).
AXES_CLIENT_IP_CALLABLE = "apps.common.api.throttling.client_address"

# How many reverse proxies stand in front of the app and append to X-Forwarded-For. 0: the
# header is ignored and the connection's address is the client (a client cannot pick its own
# rate-limit bucket); 1: the address the one proxy appended.
NUM_PROXIES = env_int("NUM_PROXIES", 0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise warns on every request when the collectstatic target is missing.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGIN_URL = "admin:login"

# --- HTTPS and browser protections (docs/operations.md, "Production settings") ---------------
# Off by default so that the quickstart and the tests run over plain HTTP; production turns
# them on from the environment, and ``manage.py check --deploy`` is clean with them.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Behind a proxy that terminates TLS: the header it sets to "https" (HTTP_X_FORWARDED_PROTO).
_proxy_ssl_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https") if _proxy_ssl_header else None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Cookies go over HTTPS only wherever HTTP is redirected to HTTPS, unless set otherwise.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SECURE_SSL_REDIRECT)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"


def csp_hash(source):
    """A CSP source allowing exactly this inline code: ``'sha256-…'``."""
    return f"'sha256-{base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()}'"


# Content-Security-Policy (django-csp) on every response: scripts, styles, fonts and the
# schema only from this origin (the admin's and Swagger UI's files are served by the app;
# no CDN), no inline script. The one inline style block of the Swagger UI page is allowed
# by its hash in sanctionsdb/urls.py. The inline attributes of templates we do not own are
# allowed by the hash of their exact value ('unsafe-hashes' allows those values and no other):
CSP_STYLE_ATTRIBUTES = [
    "border-top: 0",  # the history page (django-simple-history's template, and ours after it)
    "padding: 0;",  # the admin's export page (django-import-export)
    "font-weight: bold;",  # idem
]
CSP_SCRIPT_ATTRIBUTES = [
    "onSelectToggleChange(event)",  # the export page's "select all" box (django-import-export)
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "script-src-attr": ["'unsafe-hashes'", *map(csp_hash, CSP_SCRIPT_ATTRIBUTES)],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-hashes'", *map(csp_hash, CSP_STYLE_ATTRIBUTES)],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True


def env_rate(name, default):
    """A throttle rate such as "120/minute"; "off" (or "none") turns the limit off."""
    value = os.environ.get(name, default).strip()
    return None if value.lower() in {"", "off", "none"} else value


API_PAGE_SIZE = int(os.environ.get("API_PAGE_SIZE", "50"))
API_MAX_PAGE_SIZE = int(os.environ.get("API_MAX_PAGE_SIZE", "500"))
# A list counts the matching records exactly up to this many; beyond, it gives PostgreSQL's
# estimate and says so (``count_exact``), so that no page counts a million rows.
API_EXACT_COUNT_LIMIT = int(os.environ.get("API_EXACT_COUNT_LIMIT", "1000"))
# Read on every request by apps.common.api.throttling, so tests and deployments can set them.
# failed_auth: wrong API credentials (a bad token) per client address; past it every request
# from that address gets 429, before any authentication, until the window that began with its
# first failure is over.
API_THROTTLE_RATES = {
    "anon": env_rate("API_THROTTLE_ANON", "120/minute"),
    "user": env_rate("API_THROTTLE_USER", "1200/minute"),
    "failed_auth": env_rate("API_THROTTLE_FAILED_AUTH", "20/minute"),
}
# PUT, PATCH and DELETE must send If-Match with the ETag the client read (428 without it),
# so that a second writer cannot silently overwrite the first.
API_REQUIRE_IF_MATCH = env_bool("API_REQUIRE_IF_MATCH", True)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "apps.common.api.schema.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Refuses a client past API_THROTTLE_RATES["failed_auth"] before authenticating it, and
        # counts each wrong token.
        "apps.common.api.throttling.GuardedTokenAuthentication",
        "apps.common.api.throttling.GuardedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.common.api.permissions.ReadAnyoneWriteByModelPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "apps.common.api.ordering.RelevanceOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "apps.common.api.pagination.PageNumberOrCursorPagination",
    "DEFAULT_RENDERER_CLASSES": ["apps.common.api.renderers.ORJSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.common.api.throttling.AnonThrottle",
        "apps.common.api.throttling.UserThrottle",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "NUM_PROXIES": NUM_PROXIES,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "sanctionsdb API",
    "DESCRIPTION": "Sanctions, votes, designations and the transfers alleged to break them.",
    "VERSION": "1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {
        "TransferCategoryEnum": "apps.sanctions.choices.TransferCategory",
        "PositionEnum": "apps.resolutions.choices.Position",
    },
}
