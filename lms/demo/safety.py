"""Demo and scale data must never reach a production database."""

import os

from django.conf import settings
from django.core.management.base import CommandError


def settings_module():
    # Inside override_settings() Django reports SETTINGS_MODULE as None unless it is overridden,
    # so fall back to the environment variable that selected the settings in the first place.
    return getattr(settings, "SETTINGS_MODULE", None) or os.environ.get("DJANGO_SETTINGS_MODULE", "")


def refuse_in_production(what):
    module = settings_module()
    if module == "production" or module.endswith(".production"):
        raise CommandError(
            f"Refusing to {what} under production settings ({module}). "
            "Demo and scale data are for development, test and benchmark databases only."
        )
