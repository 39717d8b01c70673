from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    """Compliance against the plan, yearly training-record exports and the personal training
    archive. Records reads every other app; no app imports records."""

    name = "lms.records"
    label = "records"
    verbose_name = _("Training records")
    default_auto_field = "django.db.models.BigAutoField"
