from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "lms.attendance"
    label = "attendance"
    verbose_name = _("Attendance")

    def ready(self):
        from . import learning_feed  # noqa: F401 (connects the receivers)
