"""Settings, all from the environment (see .env.example).

With nothing configured the project runs on SQLite, executes Celery tasks eagerly and caches in
local memory, so the demo needs no server. DATABASE_URL / REDIS_URL switch to PostgreSQL / Redis.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = env(name, "")
    if raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false/1/0/yes/no/on/off), got {raw!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    # Swagger UI served from our static files: /api/docs/ works without internet.
    "drf_spectacular_sidecar",
    "axes",
    "core",
    "merchants",
    "tags",
    "commitments",
    "complaints",
    "scoring",
    "courses",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # NUL / unpaired surrogates in a path, query string or form body: a 400 before anything else.
    "core.middleware.InputBoundaryMiddleware",
    # Content-Security-Policy on every HTML page (core/csp.py): scripts from our static files only.
    "core.csp.ContentSecurityPolicyMiddleware",
    # The public badge API skips the rest of the stack (anonymous, stateless, the hottest path).
    "tags.public.middleware.PublicBadgesFastPathMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.middleware.BusinessTimezoneMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Login throttling (site and admin): last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # Serves collected static files (docker compose, gunicorn in the benchmarks).
    MIDDLEWARE.insert(2, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.roles",
                "core.csp.nonce",
                "merchants.context_processors.notices",
            ],
            "builtins": ["core.templatetags.money"],
        },
    }
]

# --- database -------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    # Persistent connections: without them a DB-backed endpoint drops ~10x in requests/s here.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=int(env("DB_CONN_MAX_AGE", "600")), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / env("SQLITE_NAME", "db.sqlite3"),
            "OPTIONS": {"timeout": 20},
        }
    }
DATABASE_IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache and Celery -------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 0.25,
                "SOCKET_TIMEOUT": 0.25,
                # Redis down must not take the site down: callers fall back to the database.
                "IGNORE_EXCEPTIONS": False,
            },
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "msp"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "msp"}}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    # Eager tasks still acquire a producer from the pool (celery's producer_or_acquire); with no URL
    # kombu falls back to amqp:// and logs "No hostname was supplied". An in-memory transport with a
    # host named, so nothing is logged; eager tasks never send anything through it.
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The periodic schedule lives here, in code; later apps add their jobs to it.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "core-audit-heartbeat": {
        "task": "core.heartbeat",
        "schedule": timedelta(minutes=5),
    },
    "merchants-deposit-flags": {
        "task": "merchants.refresh_topup_flags",
        "schedule": crontab(minute=15, hour="*/1"),
    },
    "commitments-sweep": {
        "task": "commitments.sweep",
        "schedule": timedelta(minutes=5),
    },
    # The transactional outbox: compensation the broker could not take at commit time.
    "commitments-outbox-relay": {
        "task": "commitments.outbox_relay",
        "schedule": timedelta(seconds=20),
    },
    "commitments-outbox-purge": {
        "task": "commitments.outbox_purge",
        "schedule": crontab(minute=40, hour=3),
    },
    "commitments-compensate-backlog": {
        "task": "commitments.compensate_backlog",
        "schedule": timedelta(minutes=30),
    },
    "scoring-daily-scores": {
        # After midnight Asia/Shanghai (CELERY_TIMEZONE): yesterday's orders are all in.
        "task": "scoring.score_daily",
        "schedule": crontab(minute=30, hour=0),
    },
    "commitments-expire-vouchers": {
        "task": "commitments.expire_vouchers",
        "schedule": crontab(minute=10, hour=0),
    },
    "commitments-flag-late-repair-tickets": {
        "task": "commitments.flag_late_repair_tickets",
        "schedule": timedelta(minutes=15),
    },
    "complaints-lapse-merchant-responses": {
        "task": "complaints.lapse_merchant_responses",
        "schedule": timedelta(minutes=10),
    },
    "complaints-escalate-overdue": {
        "task": "complaints.escalate_overdue",
        "schedule": timedelta(minutes=15),
    },
    # Daily: evaluates month M on the 1st PRC working day of M+1, or catches up a missed month.
    "scoring-evaluation-daily": {
        "task": "scoring.evaluation_daily",
        "schedule": crontab(minute=30, hour=2),
    },
    # Daily core problems (核心问题) over the score's window ending yesterday.
    "scoring-core-problems-daily": {
        "task": "scoring.core_problems_daily",
        "schedule": crontab(minute=20, hour=1),
    },
    # Appeals that were open at an evaluation's cut-off and are now decided: re-evaluate those months.
    "scoring-evaluation-appeals": {
        "task": "scoring.evaluation_appeals",
        "schedule": crontab(minute=45),
    },
}

# --- auth, i18n, time -------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Login throttling (django-axes): per username and, separately, per client address; a lockout is a
# 429 page that says so; staff_ops unlock in the admin (Access attempts: delete).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.net.client_ip"
AXES_LOCKOUT_CALLABLE = "core.views.login_locked_out"
AXES_VERBOSE = False
# Wrong API tokens per client address and window before 429 (core/api/authentication.py).
API_TOKEN_FAILURE_LIMIT = int(env("API_TOKEN_FAILURE_LIMIT", "20"))
API_TOKEN_FAILURE_WINDOW = int(env("API_TOKEN_FAILURE_WINDOW", "900"))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"  # storage; business rules use BUSINESS_TIME_ZONE
BUSINESS_TIME_ZONE = "Asia/Shanghai"
# Experience score: strength of the Bayesian prior toward the category's rate, in orders (see
# scoring/services/scores.py for why 30).
SCORE_PRIOR_ORDERS = int(env("SCORE_PRIOR_ORDERS", "30"))
# Monthly evaluation: how many batches of outcomes are applied at once, each on its own connection
# (PostgreSQL only; see scoring/evaluation/services.py). 1 applies them one after the other.
EVALUATION_APPLY_WORKERS = int(env("EVALUATION_APPLY_WORKERS", "2"))

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))

# --- e-mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "platform@example.com")
# Absolute links in e-mails (merchant notices) start with this.
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

# --- security when not debugging --------------------------------------------------------------
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # HTTPS only: redirect plain http (the proxy sets X-Forwarded-Proto), and tell browsers for a year.
    # Load balancers probe /health/ and /ping/ over plain http.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^ping/$"]
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# --- input boundary, proxies, health (core/boundary.py, core/net.py) ---------------------------
# Years a business time or date may have, everywhere input comes in (API, forms, filters).
INPUT_YEAR_MIN = int(env("INPUT_YEAR_MIN", "2000"))
INPUT_YEAR_MAX = int(env("INPUT_YEAR_MAX", "2099"))
# The business limit of one amount entered (a deposit top-up, a claimed amount ...), in CNY.
MAX_ENTRY_AMOUNT = env("MAX_ENTRY_AMOUNT", "10000000")
# Addresses/networks of our reverse proxies: X-Forwarded-For is read only when they send it.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
# /health/ shows its checks to platform staff, or to a monitor sending X-Health-Token.
HEALTH_TOKEN = env("HEALTH_TOKEN")

# Content-Security-Policy: enforced; CSP_REPORT_ONLY=true only to try a stricter policy out.
CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.ThrottledTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"public": env("PUBLIC_API_RATE", "6000/min")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Merchant service platform API",
    "DESCRIPTION": "Service tags, commitments, compensation vouchers, complaints and scores. "
    'Every error has the shape {"code", "message", "fields"}.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"ProvinceEnum": "core.regions.PROVINCE_CODES"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.document_error_codes",  # the Error component lists every error code
    ],
    # The docs UI comes from drf-spectacular-sidecar's static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# Uploaded evidence (complaints, appeals): what we accept.
EVIDENCE_MAX_BYTES = int(env("EVIDENCE_MAX_BYTES", str(5 * 1024 * 1024)))
EVIDENCE_CONTENT_TYPES = ["image/jpeg", "image/png", "application/pdf"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
