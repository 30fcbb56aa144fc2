"""Settings shared by every environment. Values that differ between machines come from the environment
(12-factor) through the pure helpers in ``config.settings.environment``."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from celery.schedules import crontab

from . import environment

ENV = os.environ
BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = environment.data_dir(ENV)

DEBUG = False
ALLOWED_HOSTS: list[str] = environment.as_list(
    ENV, "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"]
)
CSRF_TRUSTED_ORIGINS: list[str] = environment.as_list(ENV, "CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_celery_beat",
    "channels",
    "prepdeck.core",
    "prepdeck.accounts",
    "prepdeck.catalog",
    "prepdeck.practice",
    "prepdeck.search",
    "prepdeck.interviews",
    "prepdeck.web",
    "prepdeck.server",
    "django_htmx",
    "axes",
]

# Under ASGI every middleware here runs on the event loop (Django's own through prepdeck.core.async_middleware,
# which hops to a thread only for the hooks that do I/O): the request enters a thread once, for the view.
MIDDLEWARE = [
    "prepdeck.core.middleware.RequestIdMiddleware",
    "prepdeck.core.db_router.ReadYourWritesMiddleware",  # only with DATABASE_REPLICA_URL
    "prepdeck.core.middleware.AccessLogMiddleware",
    "prepdeck.core.async_middleware.SecurityMiddleware",
    "prepdeck.core.middleware.StaticFilesMiddleware",  # WhiteNoise, streaming asynchronously under ASGI
    "prepdeck.core.async_middleware.SessionMiddleware",
    "prepdeck.core.async_middleware.CommonMiddleware",
    "prepdeck.core.uploads.RequestSizeLimitMiddleware",
    "prepdeck.core.async_middleware.CsrfViewMiddleware",
    "prepdeck.core.async_middleware.AuthenticationMiddleware",
    "prepdeck.core.middleware.DatabaseUnavailableMiddleware",
    "prepdeck.accounts.middleware.UserTimeZoneMiddleware",
    "prepdeck.core.async_middleware.MessageMiddleware",
    "prepdeck.core.async_middleware.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "prepdeck.core.middleware.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: turns a door's answer to a locked sign-in into 429 with Retry-After.
    "prepdeck.accounts.middleware.LockoutMiddleware",
]

# These checks look for a middleware by its dotted path, and MIDDLEWARE names our subclasses. axes.W002: our
# LockoutMiddleware is axes' (its async path fixed); the lockout tests, the ASGI one included, run it.
# security.W001-W003: prepdeck.core.checks runs the checks that depend on those middleware against ours.
SILENCED_SYSTEM_CHECKS = ["axes.W002", "security.W001", "security.W002", "security.W003"]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "prepdeck" / "templates"],
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

DATABASES = {"default": environment.database_config(ENV, data_folder=DATA_DIR)}
_replica = environment.replica_database_config(ENV, primary=DATABASES["default"])
if _replica is not None:
    # Reads go to the streaming replica, writes to the primary; a client that wrote reads its own writes
    # (prepdeck/core/db_router.py and its middleware).
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["prepdeck.core.db_router.PrimaryReplicaRouter"]
_replica_use = environment.replica_settings(ENV)
REPLICA_STICKY_SECONDS = _replica_use["REPLICA_STICKY_SECONDS"]
REPLICA_MAX_LAG_SECONDS = _replica_use["REPLICA_MAX_LAG_SECONDS"]
REPLICA_CHECK_SECONDS = _replica_use["REPLICA_CHECK_SECONDS"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = environment.redis_url(ENV)
CACHES = environment.cache_config(ENV)
CHANNEL_LAYERS = environment.channel_layers(ENV)
globals().update(environment.celery_config(ENV))
# Uploads: one request's files together, and how many (our import doors: a JSON export of up to 256 MiB,
# or up to 20 documents of 5 MiB each; see prepdeck/catalog/limits.py). Enforced before the body is read.
UPLOAD_MAX_REQUEST_BYTES = 257 * 1024 * 1024
UPLOAD_MAX_FILES = 20
FILE_UPLOAD_HANDLERS = [
    "prepdeck.core.uploads.RequestSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Periodic tasks, installed into django-celery-beat's database schedule when `celery beat` starts
# (docs/operations.md has the table). Times are UTC (CELERY_TIMEZONE); the per-user mailings follow each
# user's own time zone, which is why they run every 15 minutes rather than at one hour.
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # Import jobs whose worker died are requeued (or failed after 3 attempts); see catalog/importing.py.
    "catalog-import-jobs-sweep": {"task": "prepdeck.catalog.import_jobs_sweep", "schedule": 300.0},
    # Files of dry-run imports older than a day (the "Confirm import" button has expired).
    "catalog-dry-run-files-sweep": {
        "task": "prepdeck.catalog.dry_run_files_sweep",
        "schedule": crontab(minute=20),
    },
    # Live interviews: people whose socket's heartbeat stopped (a server died) are no longer shown present.
    "interviews-presence-sweep": {"task": "prepdeck.interviews.presence_sweep", "schedule": 60.0},
    # Expired sessions (clearsessions) and expired or blacklisted JWTs (flushexpiredtokens).
    "accounts-credentials-sweep": {
        "task": "prepdeck.accounts.credentials_sweep",
        "schedule": crontab(hour=2, minute=10),
    },
    # Users whose local reminder hour has come: one email task each.
    "practice-study-reminders": {
        "task": "prepdeck.practice.study_reminders_dispatch",
        "schedule": crontab(minute="*/15"),
    },
    "practice-weekly-digests": {
        "task": "prepdeck.practice.weekly_digests_dispatch",
        "schedule": crontab(minute="5-59/15"),
    },
    # Refit FSRS parameters of users with enough new reviews (runs the fit only with the optimizer extra).
    "practice-fsrs-refit": {
        "task": "prepdeck.practice.scheduler_parameters_refit_dispatch",
        "schedule": crontab(hour=3, minute=30),
    },
}
# Testing and demonstrations only: run every periodic task every N seconds instead (the real worker and
# Beat test sets it, see prepdeck/core/tests/test_beat_worker.py).
if ENV.get("CELERY_BEAT_EVERY_SECONDS"):
    _every = float(ENV["CELERY_BEAT_EVERY_SECONDS"])
    CELERY_BEAT_SCHEDULE = {
        name: {**entry, "schedule": _every} for name, entry in CELERY_BEAT_SCHEDULE.items()
    }
# /readyz answers 503 when no Celery worker answers (by default it only reports "worker": "absent").
READYZ_REQUIRE_WORKER = environment.as_bool(ENV, "READYZ_REQUIRE_WORKER", default=False)
# The public address of the site, for links in emails (which leave without a request to take it from).
SITE_URL = ENV.get("SITE_URL", "http://localhost:8000")
globals().update(environment.email_config(ENV))
DEFAULT_FROM_EMAIL = ENV.get("DEFAULT_FROM_EMAIL", "PrepDeck <noreply@prepdeck.local>")

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"
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
# django-axes' backend first: every authenticate() (web sign-in, JWT, password change, account deletion,
# the admin) is refused while the account or the client address is locked (``prepdeck.accounts.lockout``).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed sign-ins allowed per account (email) and, separately, per client address within the window.
LOGIN_FAILURE_LIMIT = int(ENV.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(ENV.get("LOGIN_ADDRESS_FAILURE_LIMIT", "50"))
LOGIN_FAILURE_WINDOW_SECONDS = int(ENV.get("LOGIN_FAILURE_WINDOW_SECONDS", "900"))
# Reverse proxies in front of the app that append to X-Forwarded-For (0: the header is ignored).
TRUSTED_PROXIES = environment.trusted_proxy_count(ENV)

# django-axes, database handler (works with Redis down); the callables read the settings above at each use.
AXES_HANDLER = "prepdeck.accounts.lockout.SignInLockoutHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = "prepdeck.accounts.lockout.account_failure_limit"
AXES_COOLOFF_TIME = "prepdeck.accounts.lockout.cool_off"
AXES_USERNAME_CALLABLE = "prepdeck.accounts.lockout.normalized_username"
AXES_CLIENT_IP_CALLABLE = "prepdeck.core.client_address.client_ip_or_none"
AXES_LOCKOUT_CALLABLE = "prepdeck.accounts.lockout.lockout_response"
# A locked client's further attempts are refused without extending the lock, so Retry-After stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = False  # accounts.services.sign_in clears the account's failures itself
AXES_DISABLE_ACCESS_LOG = True  # failures are what we need; no log of every successful sign-in
AXES_VERBOSE = False

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "prepdeck" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Every asset is ours: scripts and styles only from this origin, no inline scripts, nothing framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI and Redoc (served from local files) style their widgets inline and run Redoc's worker from a blob.
CONTENT_SECURITY_POLICY_API_DOCS = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'"
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "prepdeck.accounts.authentication.JWTAuthentication",
        "prepdeck.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "prepdeck.core.api.filtering.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "prepdeck.core.api.pagination.PagePagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "prepdeck.core.api.throttling.AnonThrottle",
        "prepdeck.core.api.throttling.UserThrottle",
        "prepdeck.core.api.throttling.BurstThrottle",
        "prepdeck.core.api.throttling.ScopedThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": environment.throttle_rates(ENV),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "prepdeck.core.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # `?format=` is ours (exports choose a file format); the API only speaks JSON anyway.
    "URL_FORMAT_OVERRIDE": None,
    # Our throttles ask prepdeck.core.client_address.client_ip; this keeps DRF's own reading the same.
    "NUM_PROXIES": TRUSTED_PROXIES,
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=14),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "USER_ID_FIELD": "id",
    "AUTH_HEADER_TYPES": ("Bearer",),
    # Tokens carry a digest of the password hash: a password change or reset ends every access token at
    # once, not when its 15 minutes are up.
    "CHECK_REVOKE_TOKEN": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "PrepDeck API",
    "DESCRIPTION": (
        "Practise and run technical interviews on Django, DRF and PostgreSQL. Authenticate with a JWT "
        "(`POST /api/v1/auth/token/`, then `Authorization: Bearer <access>`), a personal API token "
        "(`Authorization: Token <token>`) or the browser session. Every error has the shape "
        '`{"error": {"code": "...", "message": "...", "details": {}}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "QuestionStatusEnum": "prepdeck.catalog.models.QuestionStatus",
        "DifficultyEnum": "prepdeck.catalog.models.Difficulty",
        "QuizKindEnum": "prepdeck.practice.models.QuizKind",
        "QueueItemKindEnum": "prepdeck.practice.serializers.QUEUE_ITEM_KINDS",
    },
}

LOG_FORMAT = ENV.get("LOG_FORMAT", "text")
LOG_LEVEL = ENV.get("LOG_LEVEL", "INFO").upper()
LOGGING = environment.logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)
