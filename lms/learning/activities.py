"""Course activities: how attendance and assessments tell learning what a course requires besides
its lesson pages, and what each person achieved there. Learning never reads their tables; they
call these two functions (idempotent, safe to call again with the same values):

    from lms.learning import activities
    activities.sync(course, "session:12", kind=ActivityKind.SESSION, title=..., required=True,
                    happens_at=..., scheduled_minutes=..., credit_hours=..., credit_days=...)
    activities.record_result(person, "session:12", done=True, delivery=Delivery.IN_PERSON, when=...)

Every result recomputes the person's completion and 学时 for the course
(lms.learning.completion.recompute); a change to what an existing activity requires or earns
recomputes everyone in the course, in a background task."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ActivityKind, ActivityResult, CourseActivity, Delivery  # noqa: F401 (re-exported)


def sync(course, key, *, kind, title, required=True, happens_at=None, scheduled_minutes=0,
         credit_hours=Decimal("0"), credit_days=Decimal("0")):
    """Create or update the activity `key` of `course`. Returns the CourseActivity."""
    values = {
        "course_id": course.pk, "kind": kind, "title": title[:255], "required": required, "happens_at": happens_at,
        "scheduled_minutes": scheduled_minutes, "credit_hours": Decimal(credit_hours),
        "credit_days": Decimal(credit_days),
    }
    activity = CourseActivity.objects.filter(key=key).first()
    if activity is None:
        try:
            with transaction.atomic():
                activity = CourseActivity.objects.create(key=key, **values)
        except IntegrityError:  # created concurrently
            activity = CourseActivity.objects.get(key=key)
        else:
            return activity  # nobody has a result yet: nothing to recompute
    changed = {name for name, value in values.items() if getattr(activity, name) != value}
    if changed:
        for name in changed:
            setattr(activity, name, values[name])
        activity.save(update_fields=sorted(changed))
        # A requirement dropped can complete someone; changed credit changes the ledger of those with
        # results. (A requirement added cannot: completion is never taken back by content changes.)
        if changed & {"required", "credit_hours", "credit_days", "scheduled_minutes", "course_id"}:
            _requirements_changed(activity)
    return activity


def record_result(person, key, *, done, delivery=Delivery.IN_PERSON, when=None):
    """Record whether `person` has done the activity `key` (attended, passed), and how. Returns
    the person's completion status of the course (lms.learning.completion.CourseStatus)."""
    from . import completion

    activity = CourseActivity.objects.select_related("course").get(key=key)
    done_at = (when or timezone.now()) if done else None
    result = ActivityResult.objects.filter(activity=activity, person=person).first()
    was_done = bool(result and result.done)
    if result is None:
        try:
            with transaction.atomic():
                ActivityResult.objects.create(activity=activity, person=person, done_at=done_at, delivery=delivery)
        except IntegrityError:
            ActivityResult.objects.filter(activity=activity, person=person).update(done_at=done_at, delivery=delivery)
    elif result.done_at != done_at or result.delivery != delivery:
        if was_done and done:
            done_at = result.done_at  # keep when it was first done
        ActivityResult.objects.filter(pk=result.pk).update(done_at=done_at, delivery=delivery)
    return completion.recompute(person, activity.course, revoke=was_done and not done, when=done_at)


def _requirements_changed(activity):
    from . import completion

    completion.recompute_course_later(activity.course)
