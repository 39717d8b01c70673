"""Automatic enrolment by audience rules (courses in AUDIENCE mode), connected in
LearningConfig.ready():

- a course is published: its whole audience is enrolled by a django-q2 task, queued once the
  publish has committed (audiences can be tens of thousands of persons);
- a person is created, moves to another organization, changes cadre category or is reactivated
  (admin form, post_save): enrolled at once into the open AUDIENCE courses that now include them;
- a roster import created or changed persons (bulk writes send no post_save; the roster sends
  roster_applied after commit): a task enrols them.

Nobody is withdrawn automatically when they leave an audience (see lms.learning.enrolment)."""

from django.db import transaction

from courses.models import CoursePage, EnrolmentMode

from . import enrolment, tasks

AUDIENCE_FIELDS = ("organization_id", "cadre_category", "is_active")


def course_published(sender, instance, **kwargs):
    course = instance
    if not isinstance(course, CoursePage) or course.enrolment_mode != EnrolmentMode.AUDIENCE:
        return
    course_id = course.pk
    transaction.on_commit(lambda: tasks.queue("enrol_course_audience", course_id,
                                              task_name=f"enrol-audience-{course_id}"))


def remember_audience_fields(sender, instance, raw=False, **kwargs):
    """Before a person is saved: what their audience-relevant fields were, to see a change after."""
    if raw or instance.pk is None:
        instance._audience_before = None
        return
    instance._audience_before = type(instance).objects.filter(pk=instance.pk).values_list(*AUDIENCE_FIELDS).first()


def person_saved(sender, instance, created, raw=False, **kwargs):
    if raw or not instance.is_active:
        return
    before = getattr(instance, "_audience_before", None)
    after = tuple(getattr(instance, name) for name in AUDIENCE_FIELDS)
    if created or before is None or tuple(before) != after:
        enrolment.enrol_person_by_audience_rules(instance)


def roster_applied(sender, person_ids, **kwargs):
    ids = list(person_ids)
    if ids:
        tasks.queue("enrol_by_audience_rules", ids, task_name="enrol-roster-by-audience")
