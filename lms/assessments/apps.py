from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "lms.assessments"
    label = "assessments"
    verbose_name = _("Assessments")

    def ready(self):
        from . import learning_feed  # noqa: F401 (connects the receivers)
