"""Course content is for logged-in users by default: every new course gets a login restriction
(editors may lift it in the page's privacy settings). The catalogue pages above stay public."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.models import PageViewRestriction

from .models import CoursePage


@receiver(post_save, sender=CoursePage)
def restrict_new_course_to_logged_in_users(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        PageViewRestriction.objects.get_or_create(page=instance, restriction_type=PageViewRestriction.LOGIN)
