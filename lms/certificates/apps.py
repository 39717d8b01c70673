from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "lms.certificates"
    label = "certificates"
    verbose_name = _("Certificates")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lms.learning.signals import course_completed

        from . import receivers

        course_completed.connect(receivers.course_completed, dispatch_uid="certificates.course_completed")
