"""Settings for the Hạ Long poverty-reduction case-management app.

Everything that differs between a laptop and a deployment comes from the
environment (see README.md, "Configuration"):

- ``DEBUG``: off unless set; ``make run`` turns it on.
- ``SECRET_KEY``: required unless ``DEBUG`` is on.
- ``DATABASE_URL``: defaults to an SQLite file under ``var/``.
- ``ALLOWED_HOSTS``: comma-separated.
- ``DJANGO_ENV=production``: HTTPS-only cookies, HSTS, SSL redirect.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"
DEBUG = env.bool("DEBUG", default=False) and not PRODUCTION

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set the SECRET_KEY environment variable (or DEBUG=1 for local development)."
        )
    SECRET_KEY = "django-insecure-local-development-only-key-do-not-deploy"

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if not PRODUCTION else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's own widget templates, for FORM_RENDERER below.
    "django.forms",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "import_export",
    "simple_history",
    "axes",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "halong",
    "communes",
    "communes.jobs",
    "households",
    "plans",
    "halong.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every dynamic response may carry personal data: never stored by a cache.
    "halong.middleware.NoStoreMiddleware",
    "halong.middleware.IdleSessionMiddleware",
    "halong.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Heads, city roles and administrators sign in with a second factor (halong/twofactor.py).
    "halong.twofactor.TwoFactorMiddleware",
    "halong.middleware.AbsoluteSessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "halong.urls"
WSGI_APPLICATION = "halong.wsgi.application"

# Widgets render through the project's templates, so templates/django/forms/
# can override one (the empty choice of a select says "— choose —").
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "halong.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'halong.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the dev server and a management command share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT compiles the report's grouped queries for longer than
    # they run (0.4 s of a 0.8 s query at 100,000 households; bench/README.md).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", env.str("PG_OPTIONS", default="-c jit=off")
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------

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
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock out a username from one address after repeated failures; a ward office
# shares one public address, so never lock out a whole IP.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)

# Two-factor sign-in (TOTP + recovery codes) for heads, city roles and administrators.
TWO_FACTOR_ENFORCED = env.bool("TWO_FACTOR_ENFORCED", default=True)
OTP_TOTP_ISSUER = "Hạ Long giảm nghèo"

# Sessions: close after 30 idle minutes, and never live past 12 hours.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
# Every request refreshes the idle timeout; halong.middleware.IdleSessionMiddleware
# writes the refresh at most once a minute.
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Internationalisation --------------------------------------------------

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
FORMAT_MODULE_PATH = ["halong.formats"]
USE_THOUSAND_SEPARATOR = True

# --- Static files ----------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Uploads and results of background jobs: private (no URL), shared by the
    # app servers and the workers (docs/deploy.md).
    "jobs": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env.str("JOB_FILES_DIR", default=str(BASE_DIR / "var" / "jobs")),
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Outside production, serve app static files straight from the finders.
WHITENOISE_USE_FINDERS = not PRODUCTION

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security --------------------------------------------------------------

# Only our own vendored files; no inline script or style anywhere.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- REST API (halong/api, docs/api.md) ----------------------------------------

#: Requests one API token (or one session) may make: a burst limit and a daily
#: one. DRF rate strings: "<number>/<second|minute|hour|day>".
API_THROTTLE_RATES = {
    "burst": env.str("API_RATE_BURST", default="120/minute"),
    "sustained": env.str("API_RATE_DAILY", default="20000/day"),
}
#: A new personal API token is valid this many days unless the user chooses.
API_TOKEN_DEFAULT_DAYS = 90
API_TOKEN_MAX_DAYS = 365

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "halong.api.authentication.ApiTokenAuthentication",
        "halong.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "halong.api.throttling.BurstRateThrottle",
        "halong.api.throttling.SustainedRateThrottle",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "halong.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Dates and times as ISO 8601 (UTC offsets), money as integer VND.
    "COERCE_DECIMAL_TO_STRING": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Hạ Long poverty reduction API",
    "DESCRIPTION": (
        "Households, yearly reviews, exit plans, the support ledger and the city's figures, "
        "with the access rules of the pages. See docs/api.md."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Never keep a token in the browser's localStorage.
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": False, "deepLinking": True},
    "COMPONENT_SPLIT_REQUEST": True,
    "TAGS": [
        {
            "name": "units",
            "description": "Administrative units and their succession (2025 reform).",
        },
        {"name": "households", "description": "The register: households and members."},
        {"name": "review", "description": "The yearly review: assessments and surveys."},
        {"name": "plans", "description": "Exit plans and their actions."},
        {"name": "support", "description": "The support ledger."},
        {"name": "reports", "description": "Aggregates: the annual report, the dashboard."},
    ],
    "ENUM_NAME_OVERRIDES": {
        "PovertyStatusEnum": "households.models.status.PovertyStatus",
        "AssessmentStatusEnum": "households.models.review.AssessmentStatus",
        "ActionStatusEnum": "plans.models.ActionStatus",
        "UnitKindEnum": "communes.models.UnitKind",
        "CauseEnum": "households.models.review.Cause",
        "SupportNeedEnum": "households.models.review.SupportNeed",
        "FundingSourceEnum": "plans.models.FundingSource",
        "LoanStatusEnum": "plans.models.LoanStatus",
        "SexEnum": "households.models.registry.Sex",
        "RelationEnum": "households.models.registry.Relation",
        "SchoolLevelEnum": "households.models.registry.SchoolLevel",
        "EducationLevelEnum": "households.models.registry.EducationLevel",
        "WorkStatusEnum": "households.models.registry.WorkStatus",
        "AreaEnum": "communes.models.Area",
        "ReviewKindEnum": "households.models.review.ReviewKind",
        "InsuranceGroupEnum": "plans.models.InsuranceGroup",
        "ResponsibilityEnum": "plans.models.Responsibility",
        "TargetKindEnum": "plans.models.TargetKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "halong.api.schema.bilingual_enum_descriptions",
    ],
}

# --- Cache ---------------------------------------------------------------------

# One process: local memory. Several app servers: a shared cache (Redis or
# the database cache) so that a change seen by one invalidates all
# (docs/deploy.md); set CACHE_URL, e.g. redis://127.0.0.1:6379/1.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://halong")}
#: How long a dashboard's figures may be served from the cache (0: never);
#: saves invalidate them at once, bulk writes after at most this long.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=300)

#: A household that leaves the poor or near-poor list by a decision stays on the
#: follow-up list (theo dõi hộ thoát nghèo) this many years (plans.followup).
FOLLOW_UP_YEARS = env.int("FOLLOW_UP_YEARS", default=2)

# --- Background jobs and reminders ----------------------------------------------

# Django's tasks framework with the database backend: `manage.py db_worker`
# runs the queued jobs; any number of workers on any number of machines share
# the queue (docs/deploy.md). TASKS_BACKEND=immediate runs them in the request.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[env.str("TASKS_BACKEND", default="database")]}}
#: Result files of jobs (exports, reports, import previews) are deleted after this.
JOB_RESULT_RETENTION_HOURS = env.int("JOB_RESULT_RETENTION_HOURS", default=72)

# Reminders (`manage.py send_reminders`) are e-mailed to users with an address:
# through EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.org:587; by
# default printed on the console, and in production given to the local MTA.
_EMAIL = env.email_url(
    "EMAIL_URL", default="smtp://localhost:25" if PRODUCTION else "consolemail://"
)
_SMTP_OPTIONS = {
    "host": "EMAIL_HOST",
    "port": "EMAIL_PORT",
    "username": "EMAIL_HOST_USER",
    "password": "EMAIL_HOST_PASSWORD",
    "use_tls": "EMAIL_USE_TLS",
    "use_ssl": "EMAIL_USE_SSL",
}
MAILERS = {
    "default": {
        "BACKEND": _EMAIL["EMAIL_BACKEND"],
        "OPTIONS": (
            {option: _EMAIL[key] for option, key in _SMTP_OPTIONS.items() if _EMAIL.get(key)}
            if _EMAIL["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="giamngheo@halong.example")
#: Links in e-mails point here (no request to take the host from).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
