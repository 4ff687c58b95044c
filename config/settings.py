"""lotpick settings, read from the environment.

Defaults make `git clone` + `make run` work: SQLite in the project folder, Celery tasks run eagerly,
DEBUG on. Production sets DJANGO_DEBUG=0, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and DATABASE_URL.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    return [part.strip() for part in value.split(",") if part.strip()] or default


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "django-insecure-lotpick-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "core.apps.LotpickAdminConfig",  # the admin, for superusers only (core/admin.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "core",
    "tracking",
    "warehouse",
    "picking",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.LanguageMiddleware",  # the language of each request (core/language.py)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "core.context_processors.roles",
                "core.context_processors.language",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite as a real embedded database: every transaction takes the write lock when it begins
    # (IMMEDIATE), so concurrent writers wait for each other (busy timeout, seconds) instead of failing
    # with "database is locked" when a reader tries to become a writer; WAL lets readers read meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": int(os.environ.get("LOTPICK_SQLITE_TIMEOUT", "20")),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not os.environ.get(
    "LOTPICK_PG_JIT"
):
    # No JIT compilation: PostgreSQL compiles a query once its estimated cost passes `jit_above_cost`,
    # which the set-based reads and writes of a big pick or document do. For these short queries the
    # compilation cost more than it saved (40 ms of a 200 ms read; docs/performance.md, "Round four").
    # LOTPICK_PG_JIT=1 keeps the server's setting.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The interface's languages; catalogues live in each app's locale/ and, for the project's templates and
# settings, in LOCALE_PATHS.
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("es", "Español"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and numbers on pages follow the language (Django's formats; English keeps ISO dates: config/formats).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Security: strict when DEBUG is off (passes `manage.py check --deploy`).
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Content-Security-Policy (django-csp): pages load scripts, styles, images and fonts from lotpick itself
# only; no inline script or style, no plugins, no framing. JavaScript lives in static/js/, CSS in
# static/css/. Only the API documentation pages (Swagger UI, ReDoc) also allow inline styles (config/urls.py).
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
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's renderers; ours sends an answer encoded once already (core.renderers) as it is.
    "DEFAULT_RENDERER_CLASSES": [
        "core.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.problem_exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "lotpick API",
    "DESCRIPTION": "Outbound picking of serial- and lot-tracked items. See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `type` or `status` field: name their enums after the model.
    "ENUM_NAME_OVERRIDES": {
        "SourceDocumentTypeEnum": "picking.models.SourceDocument.Type",
        "SourceDocumentStatusEnum": "picking.models.SourceDocument.Status",
        "PickTypeEnum": "picking.models.Pick.Type",
        "PickStatusEnum": "picking.models.Pick.Status",
        "JobStatusEnum": "core.models.Job.Status",
        "PickLineActionEnum": "picking.models.PickLine.Action",
        "ActivityActionEnum": "core.models.ActivityEntry.Action",
        "WarehouseShipmentStatusEnum": "picking.models.WarehouseShipment.Status",
        "RecallStatusEnum": "picking.models.Recall.Status",
        "TraceNodeKindEnum": "picking.selectors.tracing.KINDS",
        "BinKindEnum": "warehouse.models.Bin.Kind",
    },
}

# Celery: eager unless a broker is configured.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The queue lotpick's tasks (and beat's periodic checks) go to: one per deployment sharing a broker.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("LOTPICK_CELERY_QUEUE", "celery")

# Jobs that survive faults (core/jobs.py, docs/operations.md "Faults"). A task is acknowledged when it
# ends, and given back to the queue when the worker process running it dies. A task runs at most
# CELERY_TASK_TIME_LIMIT seconds (a longer job continues in a new run, where it stopped); the broker
# redelivers an unacknowledged task after the visibility timeout, set above that limit so that a task
# still running is never delivered twice. Publishing gives up after a few seconds when the broker is
# unreachable (the job stays pending and the periodic check queues it later).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = int(os.environ.get("LOTPICK_TASK_TIME_LIMIT", "3600"))
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 600,
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
}
LOTPICK_JOB_STALE_AFTER = int(os.environ.get("LOTPICK_JOB_STALE_SECONDS", "300"))
LOTPICK_JOB_CHECK_INTERVAL = float(os.environ.get("LOTPICK_JOB_CHECK_SECONDS", "60"))
LOTPICK_JOB_QUEUE_GRACE = 10  # seconds a new job may take to reach the broker before the check queues it
CELERY_BEAT_SCHEDULE = {
    "jobs-requeue-stale": {"task": "core.jobs_requeue_stale", "schedule": LOTPICK_JOB_CHECK_INTERVAL},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "filters": {"refusals_at_info": {"()": "core.logging.RefusalsAtInfo"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # 403 and 404 answers: INFO with the reason, no traceback (core/logging.py)
        "django.request": {"filters": ["refusals_at_info"]},
    },
}

# Main navigation: (label, URL name, permission needed or "").
LOTPICK_NAV = [
    (gettext_lazy("Picks"), "picking:pick-list", "picking.view_pick"),
    (gettext_lazy("Posted picks"), "picking:posted-pick-list", "picking.view_postedpick"),
    (gettext_lazy("Shipments"), "picking:shipment-list", "picking.view_warehouseshipment"),
    (gettext_lazy("Registered picks"), "picking:registered-pick-list", "picking.view_registeredpick"),
    (gettext_lazy("Posted shipments"), "picking:posted-shipment-list", "picking.view_postedshipment"),
    (gettext_lazy("Source documents"), "picking:source-document-list", "picking.view_sourcedocument"),
    (gettext_lazy("Create picks"), "picking:pick-batch-create", "picking.add_pick"),
    (gettext_lazy("Import documents"), "picking:source-document-import", "picking.add_sourcedocument"),
    (gettext_lazy("Stock"), "warehouse:availability", "warehouse.view_bincontent"),
    (gettext_lazy("Tracing"), "picking:tracing", "warehouse.view_itemledgerentry"),
    (gettext_lazy("Recalls"), "picking:recall-list", "picking.view_recall"),
    (gettext_lazy("Activity"), "picking:activity", "core.view_activityentry"),
    (gettext_lazy("Webhooks"), "webhooks", "core.view_webhooksubscription"),
]

# --- Events for ERPs and webhooks (core.events, core.webhooks; docs/api.md, "Events and webhooks") ---
# Events are kept at least this many days (the feed's promise; never less than 30).
LOTPICK_EVENTS_RETENTION_DAYS = int(os.environ.get("LOTPICK_EVENTS_RETENTION_DAYS", "30"))
# How often Celery beat sequences committed events and restarts due deliveries (seconds).
LOTPICK_EVENTS_DISPATCH_INTERVAL = float(os.environ.get("LOTPICK_EVENTS_DISPATCH_INTERVAL", "10"))
# One delivery attempt waits this long for an answer (seconds).
LOTPICK_WEBHOOK_TIMEOUT = float(os.environ.get("LOTPICK_WEBHOOK_TIMEOUT", "10"))
# Delays after the 1st, 2nd, ... failed attempt (seconds; the last one repeats), for this long (seconds)
# from the first failure; then the delivery is failed.
LOTPICK_WEBHOOK_RETRY_DELAYS = [
    float(d)
    for d in env_list(
        "LOTPICK_WEBHOOK_RETRY_DELAYS", ["10", "60", "300", "900", "1800", "3600", "7200", "14400", "28800"]
    )
]
LOTPICK_WEBHOOK_RETRY_WINDOW = float(os.environ.get("LOTPICK_WEBHOOK_RETRY_WINDOW", str(24 * 3600)))
# A worker delivering a subscription holds it this long between attempts (default: 2 x timeout + 5 s).
LOTPICK_WEBHOOK_LEASE_SECONDS = float(os.environ.get("LOTPICK_WEBHOOK_LEASE_SECONDS", "0")) or None
# Webhook URLs may resolve to public addresses, and to these networks (an on-premise ERP). Link-local and
# cloud metadata addresses are refused whatever this says; loopback only when listed (tests: 127.0.0.1/32).
LOTPICK_WEBHOOK_ALLOWED_NETWORKS = env_list(
    "LOTPICK_WEBHOOK_ALLOWED_NETWORKS", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"]
)
CELERY_BEAT_SCHEDULE = {
    **globals().get("CELERY_BEAT_SCHEDULE", {}),
    "events-dispatch": {"task": "core.events_dispatch", "schedule": LOTPICK_EVENTS_DISPATCH_INTERVAL},
    "events-prune": {"task": "core.events_prune", "schedule": 24 * 3600.0},
}

# --- API limits and hardening (core.api, core.middleware, core.parsers; docs/api.md, "Conventions") ---
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.csrf.CsrfViewMiddleware"), "core.middleware.ApiGuardMiddleware"
)
CSRF_FAILURE_VIEW = "core.api.csrf_failure"
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = ["core.parsers.StrictJSONParser"]
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["core.api.TokenRateThrottle"]
# JSON nested deeper than this is refused (the deepest body, an import, needs 6 levels).
LOTPICK_API_MAX_JSON_DEPTH = int(os.environ.get("LOTPICK_API_MAX_JSON_DEPTH", "10"))
# Seconds a client is told to wait (Retry-After) when the database or the broker is unavailable.
LOTPICK_API_RETRY_AFTER = int(os.environ.get("LOTPICK_API_RETRY_AFTER", "10"))
# Requests per user (token or session) or anonymous address; on by default when DJANGO_DEBUG=0.
LOTPICK_API_THROTTLE = env_bool("LOTPICK_API_THROTTLE", not DEBUG)
LOTPICK_API_THROTTLE_RATE = os.environ.get("LOTPICK_API_THROTTLE_RATE", "1200/minute")
# /api/schema/, /api/docs/ and /api/redoc/ need a login when DJANGO_DEBUG=0, unless this makes them public.
LOTPICK_API_DOCS_PUBLIC = env_bool("LOTPICK_API_DOCS_PUBLIC", DEBUG)
if os.environ.get("DJANGO_CACHE_URL"):
    # A shared cache (Redis) so that every web process counts the same throttle.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["DJANGO_CACHE_URL"],
        }
    }
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "core.openapi.problem_responses_hook",
]
