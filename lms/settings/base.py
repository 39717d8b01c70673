"""Settings shared by every environment. Anything that differs between machines comes from
environment variables (see README, "Configuration")."""

from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SITE_DIR = BASE_DIR / "site"

SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Touyan
    "lms.people",
    "lms.learning",
    "lms.attendance",
    "lms.rotations",
    "lms.assessments",
    "lms.certificates",
    "lms.records",
    "lms.audit",
    "lms.operations",
    "lms.demo",
    "courses",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "wagtailmedia",
    "modelcluster",
    "taggit",
    "django_filters",
    # Django and friends
    "django_q",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "lms.observability.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (strict for the site, looser for /admin/).
    "lms.security.PathCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff who enrolled a TOTP device give its code after logging in (lms.people.totp).
    "django_otp.middleware.OTPMiddleware",
    "lms.people.totp.SecondFactorMiddleware",
    # A person whose first password was set by someone else changes it before anything else.
    "lms.people.password.ForcePasswordChangeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Records request.user as the author of every historical (audit) record.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that a locked-out login attempt is answered before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lms.people.context_processors.current_person",
            ],
        },
    },
]

# Database: SQLite (embedded default) unless DATABASE_URL is set (PostgreSQL in production).
SQLITE_PATH = Path(env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")))
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    # Health checks: a persistent connection the server closed (a PostgreSQL restart, a terminated
    # backend) is replaced at the next request instead of failing it.
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
                                                  conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            # Django's SQLite backend, with write transactions queued on a file lock so that a
            # burst of writers passes one after another instead of sleeping (lms.sqlite_queue).
            "ENGINE": "lms.sqlite_queue",
            "NAME": SQLITE_PATH,
            # Keep the connection between requests: opening one runs the PRAGMAs below, and
            # django-q2's async_task closes "old" connections, which with 0 means every one.
            "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
            "OPTIONS": {
                # Writers take the lock at BEGIN, so concurrent writers wait (busy timeout)
                # instead of failing with "database is locked" half way through a transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and task queue: in-process / ORM by default, Redis when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "touyan"),
        }
    }
else:
    # Shared by every process (web and task cluster), unlike a per-process memory cache.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "touyan_cache"}}

# How often one web process queues the learning report of one session's attendance changes (see
# lms.attendance.learning_feed): a QR burst is reported in batches rather than a task per scan.
ATTENDANCE_REPORT_EVERY_SECONDS = env_int("ATTENDANCE_REPORT_EVERY_SECONDS", 2)
# How long one web process answers QR scans of a session from its own copy of the session's row
# (see lms.attendance.checkin.scanned_session) before reading it again.
ATTENDANCE_SCAN_SESSION_SECONDS = env_int("ATTENDANCE_SCAN_SESSION_SECONDS", 2)

Q_CLUSTER = {
    "name": "touyan",
    "workers": env_int("Q_WORKERS", 2),
    "timeout": env_int("Q_TIMEOUT", 600),
    # retry must exceed timeout; a task that dies with its worker is delivered again (ORM broker),
    # so every task is written to be idempotent. Q_RETRY: how long before an unacknowledged task
    # is delivered again (default timeout + 60; the killed-worker test makes it short).
    "retry": env_int("Q_RETRY", env_int("Q_TIMEOUT", 600) + 60),
    "max_attempts": 3,
    "save_limit": 500,
    "catch_up": False,
    "label": "任务队列",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "lms.people.auth.PhoneOrUsernameBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "my-learning"
LOGOUT_REDIRECT_URL = "/"
WAGTAIL_FRONTEND_LOGIN_URL = "/login/"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)

# The request header a trusted proxy puts the client's address in (e.g. HTTP_X_REAL_IP); empty when
# clients connect directly. Login throttling and rate limits count by lms.people.auth.client_address.
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER", "")

# Login throttling (django-axes): lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "lms.people.auth.lockout_username"
AXES_CLIENT_IP_CALLABLE = "lms.people.auth.client_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Second factor for staff (django-otp): the name authenticator apps show for the account.
OTP_TOTP_ISSUER = "头雁 Touyan"

# Content Security Policy (django-csp), sent in every environment so the tests see what production
# sends. Scripts: our static files, or inline ones carrying the request's nonce; no inline event
# handlers, no eval. <style> blocks carry the nonce too; style="" attributes stay allowed
# (style-src-attr) because progress bars set their width from data and cannot run code.
# Frames: embedded videos and live streams come from other sites (https only).
CSP_FRAME_SRC = env_list("CSP_FRAME_SRC", "https:")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-elem": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "media-src": [SELF, "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF, *CSP_FRAME_SRC],
        "frame-ancestors": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
# Wagtail's admin: same origins, but its templates still use inline scripts and styles.
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "style-src-elem": [SELF, UNSAFE_INLINE],
    },
}
# No avatars from gravatar.com in the admin: no third-party request carrying a hash of staff e-mail.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# Internationalization: Chinese first, English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "static")))
STATICFILES_DIRS = [SITE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Media files are served by lms.protected_media (access-checked, Range-capable). In production the
# check stays in Django and the bytes can be handed to the proxy: "x-accel-redirect" (nginx) or
# "x-sendfile" (Apache/lighttpd), with MEDIA_INTERNAL_PREFIX as nginx's internal location.
MEDIA_SERVE_METHOD = env_str("MEDIA_SERVE_METHOD", "django")
MEDIA_INTERNAL_PREFIX = env_str("MEDIA_INTERNAL_PREFIX", "/protected-media/")
# Paths under MEDIA_ROOT anyone may fetch (images shown on the public catalogue).
MEDIA_PUBLIC_PREFIXES = ("images/", "original_images/")

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

WAGTAIL_SITE_NAME = "头雁 Touyan"
WAGTAILADMIN_BASE_URL = env_str("BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx", "zip", "vtt"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 50 * 1024 * 1024
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILMEDIA = {"MEDIA_MODEL": "wagtailmedia.Media", "MEDIA_FORM_BASE": "courses.media.MediaForm"}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "touyan@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": env_str("LOG_FORMAT", "json")},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}
