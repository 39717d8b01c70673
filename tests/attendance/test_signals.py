"""`attendance_changed` fires once per status change, whatever the channel, in the change's
transaction: the hook through which attendance reports to learning's completion engine, whose
queued report is rolled back with the change."""

import datetime

import pytest

from lms.attendance.models import AttendanceChannel, AttendanceRecord, AttendanceStatus
from lms.attendance.signals import attendance_changed

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 20, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture
def changes():
    seen = []

    def receiver(sender, record, previous_status, **kwargs):
        seen.append((record.person_id, previous_status, record.status, record.channel))

    attendance_changed.connect(receiver)
    yield seen
    attendance_changed.disconnect(receiver)


def test_it_reports_reaching_present_online_once(session, secretary, changes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for minute in range(90):
            AttendanceRecord.objects.record_live_presence(secretary, session,
                                                          now=T0 + datetime.timedelta(minutes=minute, seconds=30))
    assert changes == [(secretary.pk, "absent", "present", "live_online")]


def test_it_reports_staff_channels_and_not_repeats(session, secretary, changes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            AttendanceRecord.objects.record_status(secretary, session, status=AttendanceStatus.EXCUSED,
                                                   channel=AttendanceChannel.LEAVE)
        AttendanceRecord.objects.record_status(secretary, session, status=AttendanceStatus.PRESENT,
                                               channel=AttendanceChannel.WALK_IN)
    assert changes == [(secretary.pk, None, "excused", "leave"), (secretary.pk, "excused", "present", "walk_in")]


def test_a_rolled_back_change_queues_no_report_to_learning(session, secretary, django_capture_on_commit_callbacks):
    from django.db import transaction
    from django_q.brokers import get_broker

    broker = get_broker()
    broker.purge_queue()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                AttendanceRecord.objects.record_status(secretary, session, status=AttendanceStatus.PRESENT,
                                                       channel=AttendanceChannel.QR)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert broker.queue_size() == 0 and not AttendanceRecord.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        AttendanceRecord.objects.record_status(secretary, session, status=AttendanceStatus.PRESENT,
                                               channel=AttendanceChannel.QR)
    assert broker.queue_size() == 1
    broker.purge_queue()
