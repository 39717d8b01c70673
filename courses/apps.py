from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    label = "courses"
    verbose_name = _("Courses")

    def ready(self):
        from django.db.models.signals import pre_save
        from wagtailmedia.models import get_media_model

        from . import signals  # noqa: F401
        from .media import fill_media_info_before_save

        pre_save.connect(fill_media_info_before_save, sender=get_media_model(),
                         dispatch_uid="courses.fill_media_info_before_save")
