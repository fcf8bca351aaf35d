"""ВПР-портал settings: one file, driven by the environment.

With nothing set, the portal runs embedded: a SQLite file in the project, Celery tasks run in-process,
the cache lives in local memory and e-mail goes to the console. DATABASE_URL and REDIS_URL switch it
to the production shape (PostgreSQL, Redis as broker and cache, real Celery workers).
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from vpr_portal.security import embedded_secret_key, parse_admins

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# DEBUG=0 is production: HTTPS redirect, HSTS, secure cookies, hashed static names, a required SECRET_KEY.
# DEBUG left unset is the embedded install (`make run`, the batch commands run as `python manage.py …` with
# nothing configured): DEBUG stays off (the Russian error pages), the key is its own random one in a
# git-ignored file, and plain HTTP on 127.0.0.1 works. pytest sets PYTEST_VERSION: a test run gets the
# embedded defaults too (the deployment settings are tested in subprocesses).
DEBUG = env_bool("DEBUG", False)
RUNNING_TESTS = "PYTEST_VERSION" in os.environ
PRODUCTION = os.environ.get("DEBUG", "").strip() != "" and not DEBUG and not RUNNING_TESTS
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in production (DEBUG=0). Generate one with "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))' and put it in the environment; "
            "the embedded demo runs with DEBUG unset."
        )
    SECRET_KEY = embedded_secret_key(BASE_DIR / ".secret_key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "vpr_portal",  # background jobs (vpr_portal.jobs): below every app
    "schools",
    "procedures",
    "grading",
    "monitoring",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below whitenoise, so static files keep their long cache; every other answer to a signed-in user is no-store.
    "vpr_portal.middleware.PrivateResponseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "vpr_portal.middleware.LoginThrottleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "vpr_portal.middleware.UserTimeZoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "schools.otp.SecondFactorMiddleware",
    # AxesMiddleware must be last: it answers locked-out log-ins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vpr_portal.urls"

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
                "schools.context_processors.navigation",
            ],
            "libraries": {"portal": "vpr_portal.templatetags.portal"},
        },
    },
]

WSGI_APPLICATION = "vpr_portal.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web read while an import writes; busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "schools.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend with the signed-in user and memberships read from a short copy in the cache
    "schools.backends.AccountBackend",
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

# Lockout after repeated failed log-ins (django-axes): 5 failures of one username from one address lock that
# pair for 30 minutes. Keyed by both, so nobody can lock a colleague out from elsewhere, and a whole school
# behind one NAT address is not locked because of one person's typos.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The client's address: REMOTE_ADDR, or behind a reverse proxy only the header that proxy sets, e.g.
# TRUSTED_CLIENT_IP_HEADER=HTTP_X_REAL_IP (never a header a client could send past the proxy).
TRUSTED_CLIENT_IP_HEADER = os.environ.get("TRUSTED_CLIENT_IP_HEADER", "REMOTE_ADDR")
AXES_CLIENT_IP_CALLABLE = "vpr_portal.security.client_ip"
# Every failure is kept (axes' failure log in the database, shared by all workers) for the per-address
# throttle: 20 failed log-ins from one address within 15 minutes refuse log-ins from it (429) until they age out.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
LOGIN_THROTTLE_FAILURES = int(os.environ.get("LOGIN_THROTTLE_FAILURES", "20"))
LOGIN_THROTTLE_MINUTES = int(os.environ.get("LOGIN_THROTTLE_MINUTES", "15"))

# Second factor (django-otp: TOTP app plus ten recovery codes) for every account that reads a municipality or
# pupils' names. Off by default so the embedded demo's log-ins work; production turns it on (OTP_REQUIRED=1).
OTP_REQUIRED = env_bool("OTP_REQUIRED", False)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "ВПР-портал")
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Русский"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Yekaterinburg")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", PRODUCTION)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: the console unless SMTP is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "vpr-portal@localhost")

# Redis: broker and cache when configured; otherwise tasks run in-process and the cache is local.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://localhost/"  # a host named, so kombu does not warn on each eager task
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3 * 3600,
    # A request that queues work gives up on an unreachable broker at once (kombu's default retries ~6 s).
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {
    "send-deadline-reminders": {
        "task": "procedures.tasks.send_deadline_reminders",
        "schedule": crontab(minute=5),  # hourly; idempotent, so a missed or doubled run is harmless
    },
    "purge-expired-personal-data": {
        "task": "grading.tasks.purge_expired_personal_data",
        # daily: notices 30/7 days ahead, then the purge of campaigns due; idempotent (keyed notices, purged_at)
        "schedule": crontab(hour=1, minute=15),
    },
}

# Background jobs (vpr_portal.jobs): rows with a heartbeat; the sweeper re-queues what stopped or was never sent.
JOBS_INLINE = env_bool("JOBS_INLINE", False)  # run jobs in the asking thread (tests); else threads or a worker
JOBS_THREADS = int(os.environ.get("JOBS_THREADS", "2"))  # job threads in the web process without a broker
JOBS_HEARTBEAT_SECONDS = float(os.environ.get("JOBS_HEARTBEAT_SECONDS", "10"))
JOBS_STALE_AFTER_SECONDS = float(os.environ.get("JOBS_STALE_AFTER_SECONDS", "60"))
JOBS_SWEEP_SECONDS = float(os.environ.get("JOBS_SWEEP_SECONDS", "20"))
JOBS_RESEND_AFTER_SECONDS = float(os.environ.get("JOBS_RESEND_AFTER_SECONDS", "300"))
JOBS_MAX_ATTEMPTS = int(os.environ.get("JOBS_MAX_ATTEMPTS", "5"))
JOBS_KEEP_DAYS = int(os.environ.get("JOBS_KEEP_DAYS", "7"))  # finished jobs are deleted after this (daily purge)
CELERY_BEAT_SCHEDULE["sweep-jobs"] = {
    "task": "vpr_portal.tasks.sweep_jobs",
    "schedule": JOBS_SWEEP_SECONDS,
    "options": {"expires": JOBS_SWEEP_SECONDS},  # sweeps that could not run in time are dropped, not piled up
}
CELERY_BEAT_SCHEDULE["purge-jobs"] = {"task": "vpr_portal.tasks.purge_jobs", "schedule": crontab(hour=1, minute=45)}
# Cases of newly flagged objectivity signals, for assessments whose results changed (docs/signal-cases.md).
CELERY_BEAT_SCHEDULE["check-signal-cases"] = {"task": "monitoring.tasks.check_signal_cases", "schedule": 300.0}
# Hourly: the re-check's reminder before its due date and overdue notice after it, once each (R13, docs/recheck.md).
CELERY_BEAT_SCHEDULE["recheck-reminders"] = {
    "task": "monitoring.tasks.recheck_reminders",
    "schedule": crontab(minute=20),
}
# Hourly: the management decisions' reminders 7 days and 1 day before the due date and when overdue, once each.
CELERY_BEAT_SCHEDULE["decision-reminders"] = {
    "task": "monitoring.tasks.decision_reminders",
    "schedule": crontab(minute=35),
}

# Sessions live in the database, so they survive a Redis outage or flush; a signed-in request reads a copy kept
# in the cache for SESSION_CACHE_SECONDS at most (vpr_portal/sessions.py: every cache call fails open).
SESSION_ENGINE = "vpr_portal.sessions"
SESSION_CACHE_SECONDS = int(os.environ.get("SESSION_CACHE_SECONDS", "10"))
SESSION_COOKIE_AGE = 8 * 3600

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_HTTPS_PROXY") else None
if env_bool("SECURE_COOKIES", PRODUCTION):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# Content-Security-Policy (django-csp 4): scripts only from our own static files — no inline scripts or on*=
# attributes anywhere. Styles keep 'unsafe-inline' for the computed style= widths of progress bars and charts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Upload limits (docs/commands.md): files over 20 MB, archives inflating past 200 MB are refused.
UPLOAD_MAX_BYTES = 20 * 1024 * 1024
UPLOAD_INLINE_MAX_BYTES = int(os.environ.get("UPLOAD_INLINE_MAX_BYTES", 1024 * 1024))  # larger: checked in a job
UPLOAD_MAX_INFLATED_BYTES = 200 * 1024 * 1024
UPLOAD_MAX_ARCHIVE_ENTRIES = 10_000
# What a spreadsheet may declare and hold, checked on the raw file before it is read into memory (a school's
# results form is under 2,000 rows × 60 columns, a pupil list under 5,000 rows). CELLS bounds the sheet's
# whole rectangle (rows × columns), which is what the reader allocates.
SHEET_MAX_ROWS = 100_000
SHEET_MAX_COLUMNS = 300
SHEET_MAX_CELLS = 1_000_000
SHEET_MAX_SHEETS = 100
SHEET_MAX_SHARED_STRINGS = 1_000_000
SHEET_MAX_XML_DEPTH = 64
SHEET_MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
SHEET_MAX_INFLATED_BYTES = 64 * 1024 * 1024  # a workbook's parts together; a 1,000,000-cell sheet is ~35 MB
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

PAGE_SIZE = 50

# Errors: every 500 goes to the console with its traceback and, with DEBUG off, by e-mail to ADMINS
# ("Имя <a@b.ru>, Имя2 <c@d.ru>"). The e-mailed report carries no form fields, query strings or local
# variables, since those hold pupils' names (vpr_portal.error_reports.PrivateExceptionReporter).
ADMINS = parse_admins(os.environ.get("ADMINS", ""))
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
DEFAULT_EXCEPTION_REPORTER = "vpr_portal.error_reports.PrivateExceptionReporter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "include_html": False,
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # Replaces Django's own "django" logger (console only with DEBUG on, mail_admins): errors reach the root
    # console in production too, and are mailed once.
    "loggers": {"django": {"handlers": ["mail_admins"], "level": "INFO", "propagate": True}},
}
