"""Development: the embedded default that `make run` uses (SQLite, ORM broker, console mail)."""

from .base import *  # noqa: F401,F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)
LOGGING["handlers"]["console"]["formatter"] = "plain"  # noqa: F405
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
