"""Background enrolment (django-q2). Every task is idempotent: django-q2 delivers at least once,
and enrolling skips whoever is already enrolled, so a second delivery changes nothing.

Staff jobs report where they stand in the shared cache (database or Redis, so any web process can
show it) under a random token bound to the staff member; the course's enrolment screen shows it."""

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone

from courses.models import CoursePage, EnrolmentMode

from . import enrolment

JOB_SECONDS = 24 * 60 * 60


def queue(function, *args, task_name):
    """Hand a function of this module to the task cluster."""
    from django_q.tasks import async_task

    return async_task(f"lms.learning.tasks.{function}", *args, task_name=task_name)


def enrol_course_audience(course_id):
    """AUDIENCE mode: enrol the published course's whole audience (on publish). Does nothing for a
    course that is no longer live, no longer in AUDIENCE mode or has ended by the time it runs."""
    course = CoursePage.objects.filter(pk=course_id).first()
    if (course is None or not course.live or course.enrolment_mode != EnrolmentMode.AUDIENCE
            or course.ends_on < timezone.localdate()):
        return None
    return enrolment.enrol_audience(course).as_dict()


def enrol_by_audience_rules(person_ids):
    """Newly imported or changed persons into the open AUDIENCE-mode courses they now belong to."""
    return enrolment.enrol_by_audience_rules(person_ids).as_dict()


# --- staff jobs -----------------------------------------------------------------------------------


def _job_key(token):
    return f"learning:enrol-job:{token}"


def job_status(token):
    return cache.get(_job_key(token))


def set_job_status(token, user_id, course_id, state, **fields):
    cache.set(_job_key(token), {"user_id": user_id, "course_id": course_id, "state": state, **fields}, JOB_SECONDS)


def enrol_staff_selection(token, course_id, user_id, selection):
    """A staff member's large enrolment (audience button or filter), with their scope as it is
    when the task runs."""
    status = job_status(token) or {}
    if status.get("state") in ("done", "failed"):
        return status["state"]
    user = get_user_model().objects.filter(pk=user_id).first()
    course = CoursePage.objects.filter(pk=course_id).first()
    if user is None or course is None or not enrolment.can_manage_enrolment(user):
        set_job_status(token, user_id, course_id, "failed")
        return "failed"
    set_job_status(token, user_id, course_id, "running")
    counts = enrolment.enrol_selection(course, enrolment.Selection.from_dict(selection), by=user, viewer=user)
    set_job_status(token, user_id, course_id, "done", counts=counts.as_dict())
    return "done"
