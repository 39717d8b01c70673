from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "lms.learning"
    label = "learning"
    verbose_name = _("Learning")

    def ready(self):
        from django.db.models.signals import post_save, pre_save
        from wagtail.signals import page_published

        from courses.models import CoursePage
        from lms.people.models import Person
        from lms.people.roster import roster_applied

        from . import receivers

        page_published.connect(receivers.course_published, sender=CoursePage, dispatch_uid="learning.course_published")
        pre_save.connect(receivers.remember_audience_fields, sender=Person,
                         dispatch_uid="learning.remember_audience_fields")
        post_save.connect(receivers.person_saved, sender=Person, dispatch_uid="learning.person_saved")
        roster_applied.connect(receivers.roster_applied, dispatch_uid="learning.roster_applied")
