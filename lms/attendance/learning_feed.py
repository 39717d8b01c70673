"""Attendance reports to learning (completion and 学时); learning never imports attendance.

Every session is a course activity ("session:<pk>"), kept in step whenever the session is saved
(cancelling it makes it no longer required). Every attendance status change becomes, through a
django-q2 task, the person's result for that activity: attended (present or late) or not, in
person or online. The result is dated at the session's start, so a sign-in sheet imported weeks
later still counts in the year the session took place."""

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


@receiver(attendance_changed, dispatch_uid="attendance-record-to-learning")
def attendance_reported(sender, record, previous_status, **kwargs):
    """Queue the report with the change (lms.taskqueue: in its transaction with the ORM broker,
    after its commit with Redis). Recomputing a course's completion and 学时 costs a few dozen
    queries; a QR burst of hundreds of scans a minute should not wait for it, so the task cluster
    does it moments later."""
    taskqueue.enqueue_with_transaction("lms.attendance.learning_feed.report", record.pk)


def report(record_id):
    """Tell learning what the record says now (a django-q2 task). Idempotent and order-safe: it
    reports the record's current state, so a late or repeated run changes nothing."""
    record = AttendanceRecord.objects.select_related("session__course", "person").filter(pk=record_id).first()
    if record is None:
        return
    session = record.session
    sync_session(session)  # a no-op unless the session predates the feed
    delivery = Delivery.ONLINE if record.channel == AttendanceChannel.LIVE_ONLINE else Delivery.IN_PERSON
    activities.record_result(record.person, activity_key(session), done=record.attended, delivery=delivery,
                             when=session.starts_at)
