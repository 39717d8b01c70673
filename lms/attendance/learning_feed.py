"""Attendance reports to learning (completion and 学时); learning never imports attendance.

Every session is a course activity ("session:<pk>"), kept in step whenever the session is saved
(cancelling it makes it no longer required). Every attendance status change becomes, through a
django-q2 task, the person's result for that activity: attended (present or late) or not, in
person or online. The result is dated at the session's start, so a sign-in sheet imported weeks
later still counts in the year the session took place.

The record is its own outbox: a change that matters to learning clears its `learning_reported`
in the change's own write, and reporting sets it again. A burst of changes to one session (a QR
check-in of hundreds, a roll call, the closing sweep) is reported in batches, not one task per
change: each web process queues the session's report at most once every
ATTENDANCE_REPORT_EVERY_SECONDS, and that task reports every record of the session still
unreported. A change a batch ran too early to see waits for the next batch, or at most a minute
for the periodic `report_unreported` (scheduled by migration 0005); nothing is lost either way,
because the flag, not the task, says what is left to report."""

import math
import time

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from lms import taskqueue
from lms.learning import activities
from lms.learning.models import ActivityKind, Delivery

from .models import AttendanceChannel, AttendanceRecord, Session
from .signals import attendance_changed


def activity_key(session):
    return f"session:{session.pk}"


def sync_session(session):
    return activities.sync(
        session.course, activity_key(session), kind=ActivityKind.SESSION, title=session.title,
        required=not session.cancelled, happens_at=session.starts_at, scheduled_minutes=session.scheduled_minutes,
        credit_hours=session.credit_hours, credit_days=session.credit_days,
    )


@receiver(post_save, sender=Session, dispatch_uid="attendance-session-to-learning")
def session_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        sync_session(instance)


# session pk -> when (time.monotonic) this process last queued the session's report
_report_queued_at = {}


@receiver(attendance_changed, dispatch_uid="attendance-record-to-learning")
def attendance_reported(sender, record, previous_status, **kwargs):
    """Queue the session's report with the change (lms.taskqueue: in its transaction with the ORM
    broker, after its commit with Redis), unless this process queued one moments ago. Recomputing
    a course's completion and 学时 costs a few dozen queries; a QR burst should not wait for it."""
    now = time.monotonic()
    if now - _report_queued_at.get(record.session_id, -math.inf) < settings.ATTENDANCE_REPORT_EVERY_SECONDS:
        return
    _report_queued_at[record.session_id] = now
    taskqueue.enqueue_with_transaction("lms.attendance.learning_feed.report_session", record.session_id)


def report_session(session_id):
    """Report every record of the session not yet reported (a django-q2 task)."""
    for record_id in _unreported().filter(session_id=session_id).values_list("pk", flat=True):
        report(record_id)


def report_unreported():
    """Report every record not yet reported, of any session (the periodic task; see the module
    docstring). Returns how many."""
    record_ids = list(_unreported().values_list("pk", flat=True))
    for record_id in record_ids:
        report(record_id)
    return len(record_ids)


def _unreported():
    return AttendanceRecord.objects.filter(learning_reported=False).order_by("pk")


def report(record_id):
    """Tell learning what the record says now, and mark it reported. Idempotent and order-safe: it
    reports the record's current state, locked, so a change made meanwhile waits and then marks the
    record unreported again; a late or repeated run changes nothing."""
    with transaction.atomic():
        record = (AttendanceRecord.objects.select_for_update(of=("self",))
                  .select_related("session__course", "person").filter(pk=record_id).first())
        if record is None:
            return
        session = record.session
        sync_session(session)  # a no-op unless the session predates the feed
        delivery = Delivery.ONLINE if record.channel == AttendanceChannel.LIVE_ONLINE else Delivery.IN_PERSON
        activities.record_result(record.person, activity_key(session), done=record.attended, delivery=delivery,
                                 when=session.starts_at)
        if not record.learning_reported:
            AttendanceRecord.objects.filter(pk=record.pk).update(learning_reported=True)
