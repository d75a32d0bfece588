"""
Jiangtang settings: one module, driven by the environment.

With no variables set this is the *embedded default* used by ``make run`` and the
tests: SQLite, an in-memory channel layer, a local-memory cache and DEBUG on.
``DATABASE_URL`` and ``REDIS_URL`` switch to the real servers (PostgreSQL, the
channels-redis layer, a Redis cache). ``DJANGO_ENV=production`` turns DEBUG off,
demands a secret key and switches on the transport-security settings that
``manage.py check --deploy`` looks for.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from backend.common.redis_options import channel_layer_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("JIANGTANG_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# --- Mode -------------------------------------------------------------------
# "development" (the embedded default) or "production".
DJANGO_ENV = os.environ.get("DJANGO_ENV", "development").strip().lower()
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be 'development' or 'production', not {DJANGO_ENV!r}."
    )
PRODUCTION = DJANGO_ENV == "production"
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)

# --- Secrets and hosts -------------------------------------------------------
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_ENV=production "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = "dev-only-jiangtang-key-never-use-in-production-0123456789"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS",
    [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"],
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_ENV=production.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# --- Applications --------------------------------------------------------------
INSTALLED_APPS = [
    # Daphne first: its runserver serves HTTP and WebSocket through ASGI.
    "daphne",
    "backend.common.apps.JiangtangAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    # the task framework's database backend (queue and results in our own database)
    "django_tasks_db",
    "backend.accounts",
    "backend.points",
    "courses",
    "quizzes",
    "contests",
    "orglife",
    "supervision",
    "frontend",
    # above the apps: the demo city (manage.py seed_demo)
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "backend.common.middleware.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "backend.accounts.middleware.PasswordChangeRequiredMiddleware",
    "backend.common.middleware.ApiJsonErrorsMiddleware",
]

ROOT_URLCONF = "backend.urls"
ASGI_APPLICATION = "backend.asgi.application"
# No WSGI_APPLICATION: Daphne serves everything through ASGI.

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.site",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------------
# DATABASE_URL (postgres://user@host:5432/name) selects PostgreSQL; without it an
# SQLite file under var/. SQLite runs write transactions as IMMEDIATE so that two
# writers serialise at BEGIN instead of failing on upgrade of a read lock.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
            conn_health_checks=True,
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # A file, not memory, so that a Daphne subprocess in the browser tests
            # sees what the test wrote.
            "TEST": {"NAME": str(VAR_DIR / "test-db.sqlite3")},
        }
    }
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Also for an SQLite DATABASE_URL (the browser tests' server uses one): a
    # deferred transaction that reads, then writes, fails at once with "database
    # is locked" when another connection writes; IMMEDIATE ones wait their turn.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Full-text search over lectures (SearchVector/SearchQuery).
    INSTALLED_APPS.append("django.contrib.postgres")
    # A connection pool per worker process (psycopg_pool), checked before each use:
    # every database call of a contest socket takes a connection and gives it back
    # instead of opening one. Not CONN_MAX_AGE: under Daphne each HTTP request's
    # sync code runs on a thread that ends with the request, so a connection kept
    # per thread is never reused and stays open until collected (Django's docs:
    # no persistent connections under ASGI). A caller waits at most 5 s for a
    # connection, so a database that is down fails calls soon, as without a pool.
    # DATABASE_POOL_MAX_SIZE=0: no pool, a connection per call (or per thread for
    # DATABASE_CONN_MAX_AGE seconds).
    DATABASE_POOL_MAX_SIZE = int(os.environ.get("DATABASE_POOL_MAX_SIZE", "20"))
    if DATABASE_POOL_MAX_SIZE:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(2, DATABASE_POOL_MAX_SIZE),
            "max_size": DATABASE_POOL_MAX_SIZE,
            "timeout": 5,
        }

# --- Redis: channel layer and cache ---------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": channel_layer_config(
                REDIS_URL, int(os.environ.get("REDIS_MAX_CONNECTIONS", "1000"))
            ),
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "jiangtang",
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": 1000},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts and authentication ------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["backend.accounts.backends.RoleBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "frontend:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A burst of wrong passwords locks the username (and, at a higher count, the
# client address) for LOGIN_LOCKOUT_SECONDS. Counted in the cache (Redis in
# production, so every worker shares the count).
LOGIN_FAILURES_PER_USERNAME = int(os.environ.get("LOGIN_FAILURES_PER_USERNAME", "5"))
LOGIN_FAILURES_PER_IP = int(os.environ.get("LOGIN_FAILURES_PER_IP", "30"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_SECONDS", "900"))

# API tokens (`Authorization: Token <key>`): a token dies after API_TOKEN_IDLE_SECONDS
# without use (each use slides it; the use is written down at most every
# API_TOKEN_TOUCH_SECONDS) and API_TOKEN_MAX_AGE_SECONDS after it was issued however
# much it is used (0: no limit). A password change deletes every token of the user.
API_TOKEN_IDLE_SECONDS = int(os.environ.get("API_TOKEN_IDLE_SECONDS", str(14 * 24 * 3600)))
API_TOKEN_MAX_AGE_SECONDS = int(os.environ.get("API_TOKEN_MAX_AGE_SECONDS", str(90 * 24 * 3600)))
API_TOKEN_TOUCH_SECONDS = 300

# Bulk member import (.xlsx) limits.
MEMBER_IMPORT_MAX_BYTES = 2 * 1024 * 1024
MEMBER_IMPORT_MAX_ROWS = 5000

# Lecture attachments and study-time accounting.
LECTURE_ATTACHMENT_MAX_BYTES = int(os.environ.get("LECTURE_ATTACHMENT_MAX_MB", "100")) * 1024 * 1024
# The lecture page reports a heartbeat this often while it is visible; a beat
# credits at most two intervals of study (a longer gap means the page was hidden).
LECTURE_HEARTBEAT_SECONDS = int(os.environ.get("LECTURE_HEARTBEAT_SECONDS", "15"))
LECTURE_MAX_STUDY_SECONDS = 2 * 3600  # counted per member and lecture, at most

# Organisational life: check-in by a rotating QR code. A code changes every
# ORGLIFE_CODE_STEP_SECONDS and is accepted for at most ORGLIFE_CODE_VALID_SECONDS
# after it was shown; check-in opens this long before the start.
ORGLIFE_CODE_STEP_SECONDS = 15
ORGLIFE_CODE_VALID_SECONDS = 30
ORGLIFE_CHECKIN_OPENS_MINUTES = 60
# Typst finds fonts here (Debian's fonts-noto-cjk): the record book's PDF is Chinese.
ORGLIFE_PDF_FONT_PATHS = [
    p for p in os.environ.get("PDF_FONT_PATHS", "/usr/share/fonts/opentype/noto").split(":") if p
]

# --- Internationalisation -------------------------------------------------------------
# Chinese first, whatever the browser says; English when the user picks it.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# One date format wherever people read dates, the admin included: 2026-11-30 19:54.
FORMAT_MODULE_PATH = ["backend.formats"]
JIANGTANG_CITY_NAME = os.environ.get("JIANGTANG_CITY_NAME", "江城市直机关工委")

# --- Static and media files ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "frontend" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("JIANGTANG_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without collectstatic (make run, tests) WhiteNoise serves from the finders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first so that an anonymous call gets 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "backend.accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Signed in, and no password change pending (403 password_change_required).
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "backend.accounts.authentication.PasswordChangeNotRequired",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "backend.common.api.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "backend.common.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Jiangtang (讲堂) API",
    "DESCRIPTION": "Study-and-quiz platform for the Party organisations of a city's agencies.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "backend.common.schema.add_error_responses",
    ],
}

# --- Background tasks -----------------------------------------------------------------
# Django's task framework (django.tasks) with django-tasks-db: the queue and each task's
# result live in the database, so the embedded default needs no extra service.
# `manage.py db_worker` runs them: compose's `worker` service, and `make run` starts one
# beside the development server. Used for the quarterly reports (supervision/tasks.py).
# TASKS_BACKEND=django.tasks.backends.immediate.ImmediateBackend runs a task inside the
# request instead (a quick try without a worker; never in production).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Security headers ------------------------------------------------------------------
# Content-Security-Policy: scripts only from our own origin, never inline. Styles
# may be inline (the admin and Swagger UI set style attributes).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "media-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the pages' scripts read it for fetch()/htmx
if PRODUCTION:
    # TLS ends at the proxy, which says so in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Logging ----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
