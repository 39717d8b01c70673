from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RotationsConfig(AppConfig):
    name = "lms.rotations"
    label = "rotations"
    verbose_name = _("Cadre rotations")
    default_auto_field = "django.db.models.BigAutoField"
