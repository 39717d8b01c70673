"""Settings for bench/heartbeat.py's gunicorn server: the real base settings, plus a URLconf that
adds one bare authenticated no-op endpoint (the floor the heartbeat is compared with)."""

from lms.settings.base import *  # noqa: F401,F403

DEBUG = False
ROOT_URLCONF = "heartbeat_urls"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405  (no per-request log lines in either endpoint)
LOGGING["loggers"]["touyan.request"] = {"level": "WARNING"}  # noqa: F405
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # setup speed only

import warnings  # noqa: E402

warnings.filterwarnings("ignore", "No directory at", UserWarning)  # WhiteNoise: nothing collected for the bench
