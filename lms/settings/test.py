"""Tests: same database choice as base (SQLite, or PostgreSQL via DATABASE_URL), fast hashing,
in-memory mail, no manifest for static files."""

from .base import *  # noqa: F401,F403

DEBUG = False
SECRET_KEY = "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
LOGGING["handlers"]["console"]["formatter"] = "plain"  # noqa: F405
AXES_ENABLED = True
Q_CLUSTER["sync"] = False  # noqa: F405
# Every attendance change queues its report, so a test sees each one (the batching has its own tests).
ATTENDANCE_REPORT_EVERY_SECONDS = 0
# Every scan reads its session, so a test that changes a session sees the change at once.
ATTENDANCE_SCAN_SESSION_SECONDS = 0
