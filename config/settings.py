"""Lianxin settings: one file, read from the environment through small typed helpers.

With nothing set, the product runs on SQLite under ``var/``; ``DATABASE_URL`` switches to
PostgreSQL (or any database dj-database-url understands).
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import NotRequired, TypedDict

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    """A string from the environment, or from the file named by NAME_FILE (for secrets)."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ImproperlyConfigured(
                f"{name}_FILE={file_path} cannot be read: {error}"
            ) from error
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated list, blanks dropped."""
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


# Off unless asked for: scripts/serve.sh (make demo / make serve) sets DJANGO_DEBUG=1 itself.
DEBUG = env_bool("DJANGO_DEBUG", False)
# pytest sets PYTEST_VERSION for its session, so the suite runs on a fresh clone with nothing set.
TESTING = "PYTEST_VERSION" in os.environ
# The insecure key is good for the demo and the tests only. Anywhere else a missing key stops the
# start (manage.py, gunicorn) with this message instead of every request answering 500.
SECRET_KEY = env_str("DJANGO_SECRET_KEY") or (
    "dev-only-insecure-key-change-me" if DEBUG or TESTING else ""
)
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set. In production set DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE, "
        "a file holding it) to a long random string, e.g. the output of "
        "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`. "
        "For the demo or development set DJANGO_DEBUG=1 instead."
    )
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
# Behind a TLS-terminating proxy: the origins forms are posted from (https://lianxin.example.cn).
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# --- HTTPS (all off by default: the product also runs on plain-HTTP closed networks) -----------
# The header the proxy sets to "https" on secure requests, e.g. X-Forwarded-Proto. Set it only
# behind a proxy that always sets or strips it, or any client can claim HTTPS.
_proxy_ssl_header = env_str("DJANGO_SECURE_PROXY_SSL_HEADER").strip()
if _proxy_ssl_header:
    if not _proxy_ssl_header.upper().startswith("HTTP_"):
        _proxy_ssl_header = "HTTP_" + _proxy_ssl_header.replace("-", "_")
    SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header.upper(), "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", False)
# HSTS is remembered by browsers for this long: start small (3600) before a year (31536000).
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "regions",
    "orgs",
    "people",
    "cases",
    "stats",
    "ledgers",
    "notify",
    "enterprises",
    "outreach",
    "projects",
    "households",
    "workshops",
    "ip",
    "inspections",
    "disputes",
    "briefings",
    "ops",
    "hotspots",
    "themes",
    "assessment",
    "privacy",
    "knowledge",
    "demo",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "open311",
    "web",
]

MIDDLEWARE = [
    # First: every log line of the request carries its id (X-Request-ID in and out).
    "config.requestid.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (vendored htmx/ECharts, Swagger UI) served by the app itself under gunicorn.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Server-Timing (app time, query time and count) for benchmarks over HTTP; off by default.
if env_bool("LIANXIN_SERVER_TIMING", False):
    MIDDLEWARE.insert(1, "config.servertiming.ServerTimingMiddleware")

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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "web.context_processors.navigation",
                # The unread-notification badge in the header (one query, signed in only).
                "web.context_processors.unread_notifications",
                # {{ CSP_NONCE }} for the few inline <script nonce="…"> blocks.
                "csp.context_processors.nonce",
            ],
        },
    },
]

VAR_DIR = Path(env_str("LIANXIN_VAR_DIR", str(BASE_DIR / "var")))
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'lianxin.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the single writer; IMMEDIATE takes the write lock at the
    # start of a transaction so two moves never deadlock on a lock upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # read_uncommitted matters only to the tests' in-memory database, whose connections
        # share one cache with table locks: a page's background request (the grid pages'
        # service worker fills its cache) must not make a form's write fail with "table is
        # locked". A file database never shares its cache, so it changes nothing there.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA read_uncommitted=1;"
        ),
    }
    # A worker keeps its connection between requests: opening one and setting its pragmas cost
    # about 1.5 ms, a third of a move's server time (bench/server_time.py).
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    DATABASES["default"]["TEST"] = {"NAME": None}
else:
    DATABASES["default"]["TEST"] = {"NAME": env_str("LIANXIN_TEST_DB_NAME", "test_lianxin")}
    # Verify a pooled connection before use: a restarted database or a failover is not a 500.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# A read replica for the reports (dashboard, rates API, briefings): config/routers.py sends
# their reads there inside ``config.routers.reading_reports()``; everything else, and every
# write, stays on the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["config.routers.ReportsRouter"]
# The hot reads (config/prepared.py) are prepared statements on PostgreSQL, planned once per
# connection; turn off behind a pooler that cannot keep them (PgBouncer in transaction mode
# before 1.21).
LIANXIN_PG_PREPARED_STATEMENTS = env_bool("LIANXIN_PG_PREPARED_STATEMENTS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Sign-in throttling (django-axes), on the sign-in page and the admin login ------------------
# Axes runs first and refuses a locked-out sign-in before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading a signed-in request's user with SQL built once.
    "people.backends.AccountBackend",
    # 手机号 + 密码 or 短信验证码 (residents and enterprise liaisons), after axes: counted too.
    "people.backends.PhoneBackend",
]
# Counted per user name and client address together: a mistyping clerk does not lock out the
# whole office behind one NAT address, and a guesser cannot lock a colleague out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("LIANXIN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LIANXIN_LOGIN_LOCKOUT_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "people.lockout.lockout_response"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Serve straight from the apps' static folders: no collectstatic step on a single machine.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing root
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"

# --- Request size ------------------------------------------------------------------------------
# A request's body apart from its files (a JSON body, a form's fields); beyond it Django refuses
# the request (400; the API answers 413).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("LIANXIN_MAX_BODY_BYTES", 2_621_440)  # 2.5 MB
# Files in one request: Open311 takes up to 5 media, a case form a few attachments.
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("LIANXIN_MAX_UPLOAD_FILES", 10)
# Uploads larger than this are spooled to a temporary file rather than held in memory. Each file's
# own cap is LIANXIN["MAX_ATTACHMENT_BYTES"] below; the proxy in front caps the whole request.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# --- Shared cache and task queue -------------------------------------------------------------
# One machine: the process's own memory and the database's task table. Several machines: set
# LIANXIN_REDIS_URL, and the cache (API rate limits, the working calendar's version) is shared
# through Redis; LIANXIN_TASK_BACKEND=django_tasks_rq.RQBackend then queues tasks in Redis for
# `manage.py rqworker --with-scheduler` on any machine (scripts/prod.sh).
REDIS_URL = env_str("LIANXIN_REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("LIANXIN_CACHE_PREFIX", "lianxin"),
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
TASK_BACKEND = env_str("LIANXIN_TASK_BACKEND", "config.tasks.DatabaseBackend")
TASKS = {"default": {"BACKEND": TASK_BACKEND}}
if TASK_BACKEND == "django_tasks_rq.RQBackend":
    if not REDIS_URL:
        raise ImproperlyConfigured(
            "LIANXIN_TASK_BACKEND=django_tasks_rq.RQBackend needs LIANXIN_REDIS_URL."
        )
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}

# Everything to stderr, for the service manager's journal. Django's default sends request errors
# to the console only with DEBUG on (and by mail to ADMINS, which is not set): in production a
# 500 would leave no trace.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "format": "{asctime} {levelname} {name} {message} rid={request_id}",
            "style": "{",
        },
        # One JSON object per line for a log collector (LIANXIN_LOG_FORMAT=json).
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "{asctime}{levelname}{name}{message}{request_id}",
            "style": "{",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "filters": {"request_id": {"()": "config.requestid.RequestIdFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "json" if env_str("LIANXIN_LOG_FORMAT") == "json" else "plain",
            "filters": ["request_id"],
        },
    },
    "loggers": {
        "lianxin": {"handlers": ["console"], "level": env_str("LIANXIN_LOG_LEVEL", "INFO")},
        # 5xx with their tracebacks (4xx are warnings, left out); no propagation, so DEBUG's
        # own console handler does not print them twice.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # Suspicious requests (a forged Host header, a tampered session).
        "django.security": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # Lockouts after repeated failed sign-ins.
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# --- Content-Security-Policy (django-csp) ------------------------------------------------------
# Scripts only from this site (the vendored htmx and ECharts under /static/vendor) or inline with
# the request's nonce: ``<script nonce="{{ CSP_NONCE }}">``. No inline event handlers
# (onclick=…), no eval, so htmx's hx-on and js: values are unavailable. Inline styles stay
# allowed: the admin, the browsable API, ReDoc and htmx's indicator set them, and a style runs
# no code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        # data: for the empty favicon and Swagger UI's icons; blob: for ReDoc's search worker.
        "img-src": [SELF, "data:"],
        "worker-src": [SELF, "blob:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Domain settings (docs/DOMAIN.md: every number a setting, never a constant) ---


class LianxinSettings(TypedDict):
    """The keys of ``LIANXIN``, so ``settings.LIANXIN["…"]`` has a type wherever it is read."""

    WORKDAY_START_HOUR: int
    WORKDAY_END_HOUR: int
    BASIC_SATISFACTION_WEIGHT: float
    COMPOSITE_WEIGHTS: dict[str, float]
    SOON_OVERDUE_HOURS: int
    SWEEP_INTERVAL_SECONDS: int
    MAX_ATTACHMENT_BYTES: int
    SELF_RATING_WAIT_HOURS: int
    # Optional, read with a default where they are used (docs/open311.md, cases/services.py).
    MAX_EXTENSIONS: NotRequired[int]
    OPEN311_MAX_MEDIA_BYTES: NotRequired[int]
    OPEN311_CONTACT: NotRequired[str]
    OPEN311_KEY_SERVICE: NotRequired[str]
    # Requesters' pages show staff names masked (王*) unless the office turns it off.
    MASK_STAFF_FOR_REQUESTERS: NotRequired[bool]
    # SMS sign-in codes (people/otp.py): lifetime, wrong tries, resend interval, codes a day.
    OTP_TTL_SECONDS: NotRequired[int]
    OTP_MAX_ATTEMPTS: NotRequired[int]
    OTP_RESEND_SECONDS: NotRequired[int]
    OTP_DAILY_LIMIT: NotRequired[int]
    # Rankings (stats/metrics.py): the least valid return visits a unit or town needs to be
    # ranked, and the weight k of the county average in the shrunk score (docs/metrics.md).
    RANKING_MIN_VOLUME: NotRequired[int]
    RANKING_PRIOR_WEIGHT: NotRequired[float]
    # Hot spots (hotspots/services.py): at least MIN_CASES of a category at a place in the last
    # WINDOW_DAYS, and FACTOR × its mean over the BASELINE_WEEKS before; detection interval.
    HOTSPOT_MIN_CASES: NotRequired[int]
    HOTSPOT_WINDOW_DAYS: NotRequired[int]
    HOTSPOT_BASELINE_WEEKS: NotRequired[int]
    HOTSPOT_FACTOR: NotRequired[float]
    HOTSPOT_INTERVAL_SECONDS: NotRequired[int]
    # Repeat demands (hotspots/repeats.py): the same requester, or the same place and category,
    # at least REPEAT_MIN_CASES times within REPEAT_WINDOW_DAYS days raise a repeat alert.
    REPEAT_MIN_CASES: NotRequired[int]
    REPEAT_WINDOW_DAYS: NotRequired[int]
    # Retention (ops/retention.py): requesters of cases closed more than this many years ago
    # are anonymised by `manage.py anonymise_closed`.
    RETENTION_YEARS: NotRequired[int]


LIANXIN: LianxinSettings = {
    # Working hours of a working day, local time; working-hour limits count inside them.
    "WORKDAY_START_HOUR": env_int("LIANXIN_WORKDAY_START_HOUR", 9),
    "WORKDAY_END_HOUR": env_int("LIANXIN_WORKDAY_END_HOUR", 17),
    # 满意率 = (满意 + weight × 基本满意) ÷ valid return visits.
    "BASIC_SATISFACTION_WEIGHT": env_float("LIANXIN_BASIC_SATISFACTION_WEIGHT", 0.9),
    # Composite score weights over the three hotline rates (响应, 解决, 满意).
    "COMPOSITE_WEIGHTS": {
        "response": env_float("LIANXIN_WEIGHT_RESPONSE", 0.1),
        "resolution": env_float("LIANXIN_WEIGHT_RESOLUTION", 0.5),
        "satisfaction": env_float("LIANXIN_WEIGHT_SATISFACTION", 0.4),
    },
    # Reminder (催办) this many working hours before a deadline.
    "SOON_OVERDUE_HOURS": env_int("LIANXIN_SOON_OVERDUE_HOURS", 8),
    # How often the embedded worker re-runs the overdue sweep, in seconds.
    "SWEEP_INTERVAL_SECONDS": env_int("LIANXIN_SWEEP_INTERVAL_SECONDS", 600),
    # Largest attachment (a phone photo at full resolution stays well under it), in bytes.
    "MAX_ATTACHMENT_BYTES": env_int("LIANXIN_MAX_ATTACHMENT_BYTES", 15 * 1024 * 1024),
    # How long an answered case waits for the requester's own rating before the visiting
    # dispatchers are told a return visit (回访) is due, in hours.
    "SELF_RATING_WAIT_HOURS": env_int("LIANXIN_SELF_RATING_WAIT_HOURS", 48),
    # Residents and enterprise liaisons see staff names masked (王*) on their phone pages.
    "MASK_STAFF_FOR_REQUESTERS": env_bool("LIANXIN_MASK_STAFF_FOR_REQUESTERS", True),
    # Hot spots (未诉先办): ≥ 5 cases of a category at a place in 7 days and ≥ 3 × its mean 7-day
    # count over the 8 weeks before; detection every hour.
    "HOTSPOT_MIN_CASES": env_int("LIANXIN_HOTSPOT_MIN_CASES", 5),
    "HOTSPOT_WINDOW_DAYS": env_int("LIANXIN_HOTSPOT_WINDOW_DAYS", 7),
    "HOTSPOT_BASELINE_WEEKS": env_int("LIANXIN_HOTSPOT_BASELINE_WEEKS", 8),
    "HOTSPOT_FACTOR": env_float("LIANXIN_HOTSPOT_FACTOR", 3.0),
    "HOTSPOT_INTERVAL_SECONDS": env_int("LIANXIN_HOTSPOT_INTERVAL_SECONDS", 3600),
    # Repeat demands (重复诉求): the same requester, or the same place and category, 3 times or
    # more within 90 days raise one alert to the dispatchers and the lead unit's head.
    "REPEAT_MIN_CASES": env_int("LIANXIN_REPEAT_MIN_CASES", 3),
    "REPEAT_WINDOW_DAYS": env_int("LIANXIN_REPEAT_WINDOW_DAYS", 90),
    # Requesters of cases closed more than this many years ago are anonymised (脱敏).
    "RETENTION_YEARS": env_int("LIANXIN_RETENTION_YEARS", 5),
}

# --- Notifications (notify/): one outbox, several channels -------------------------------------
# The SMS gateway: notify.sms.OutboxSmsBackend (kept in memory: the tests),
# notify.sms.ConsoleSmsBackend (the log, on the terminal of `make demo`: the demo's sign-in codes
# show there) or notify.sms.HttpSmsBackend (NOTIFY_SMS_URL: production).
NOTIFY_SMS_BACKEND = env_str(
    "NOTIFY_SMS_BACKEND",
    "notify.sms.OutboxSmsBackend" if TESTING else "notify.sms.ConsoleSmsBackend",
)
NOTIFY_SMS_URL = env_str("NOTIFY_SMS_URL")
NOTIFY_SMS_TOKEN = env_str("NOTIFY_SMS_TOKEN")
# The signature (签名) the gateway puts in front of every message.
NOTIFY_SMS_SIGN = env_str("NOTIFY_SMS_SIGN", "连心桥")
# Seconds to wait for a gateway or robot before counting the attempt as failed.
NOTIFY_HTTP_TIMEOUT = env_float("NOTIFY_HTTP_TIMEOUT", 5.0)
# Attempts before a message is given up (retries after 1 min, 5 min, 30 min, 2 h, 2 h, …).
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 5)
# No text message to a phone in these local hours (HH:MM-HH:MM); they wait for the end.
NOTIFY_QUIET_HOURS = env_str("NOTIFY_QUIET_HOURS", "22:00-07:00")
# The site's address as people open it, for the {url} of a message (https://lianxin.example.cn).
NOTIFY_SITE_URL = env_str("NOTIFY_SITE_URL", "http://127.0.0.1:8000")

if env_bool("LIANXIN_FAST_PASSWORDS", False):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- REST API (api/) -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # JSON only: one contract for systems and for the pages' own calls.
    "DEFAULT_PARSER_CLASSES": ["api.parsers.StrictJSONParser"],
    # Systems send `Authorization: Token <key>` (or Bearer); pages use their session, with CSRF.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    # Rates per user (per client address for anonymous requests), counted in Django's cache.
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.UserThrottle", "api.throttling.AnonThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_str("LIANXIN_API_RATE_USER", "6000/min"),
        "anon": env_str("LIANXIN_API_RATE_ANON", "600/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # No OPTIONS introspection: the OpenAPI schema is the one description of the API.
    "DEFAULT_METADATA_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Lianxin (连心桥) API",
    "DESCRIPTION": "Cases, every move of the closed loop, registries and rates. "
    "How to get a key, authenticate, paginate and read errors: docs/api.md.",
    "VERSION": "1.0.0",
    # The product runs on closed networks: Swagger UI and ReDoc are served from the sidecar package.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.any_of_move_results",
    ],
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "cases.models.Status",
        "PriorityEnum": "cases.models.Priority",
        "ChannelEnum": "cases.models.Channel",
        "RiskLevelEnum": "cases.models.RiskLevel",
        "SatisfactionEnum": "cases.models.Satisfaction",
        "MediationOutcomeEnum": "cases.models.MediationOutcome",
        "SendBackReasonEnum": "cases.models.SendBackReason",
        "OrgKindEnum": "orgs.models.OrgKind",
        "RegionLevelEnum": "regions.models.RegionLevel",
        "BriefingKindEnum": "briefings.models.PeriodKind",
        "BriefingStatusEnum": "briefings.models.BriefingStatus",
        "AssessmentRowStatusEnum": "assessment.models.RowStatus",
        "SurveyStatusEnum": ["open", "closed"],
    },
}
