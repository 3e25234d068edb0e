"""Lianxin settings: one file, read from the environment through small typed helpers.

With nothing set, the product runs on SQLite under ``var/``; ``DATABASE_URL`` switches to
PostgreSQL (or any database dj-database-url understands).
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    """A string from the environment, or from the file named by NAME_FILE (for secrets)."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
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


DEBUG = env_bool("DJANGO_DEBUG", True)
# The development key is only good for the embedded demo; production sets DJANGO_SECRET_KEY.
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me" if DEBUG else "")
ALLOWED_HOSTS = [h for h in env_str("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "regions",
    "orgs",
    "people",
    "cases",
    "stats",
    "ledgers",
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
    "django.middleware.security.SecurityMiddleware",
    # Static files (vendored htmx/ECharts, Swagger UI) served by the app itself under gunicorn.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

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
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": None}
else:
    DATABASES["default"]["TEST"] = {"NAME": env_str("LIANXIN_TEST_DB_NAME", "test_lianxin")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

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

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

TASKS = {
    "default": {
        "BACKEND": env_str("LIANXIN_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "lianxin": {"handlers": ["console"], "level": env_str("LIANXIN_LOG_LEVEL", "INFO")},
    },
}

# --- Domain settings (DOMAIN.md: every number a setting, never a constant) ---
LIANXIN = {
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
}

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
    },
}
