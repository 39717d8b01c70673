"""Attendance feeds learning: every session is a course activity, every status change a result
(through a django-q2 task), so attending earns completion and 学时 (and a correction takes them back)."""

import datetime
from decimal import Decimal

import pytest

from lms.attendance.learning_feed import activity_key
from lms.attendance.models import AttendanceChannel, AttendanceRecord, AttendanceStatus
from lms.learning import completion
from lms.learning.models import ActivityResult, CourseActivity, CreditEntry, CreditRule, Delivery, Enrollment

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 20, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture
def full_day(make_session, course):
    course.completion_requires_lessons = False
    course.save()
    return make_session(minutes=480, credit_days=Decimal("1"), title="全脱产培训第一天")


def test_a_session_is_a_course_activity_kept_in_step(session, course):
    activity = CourseActivity.objects.get(key=activity_key(session))
    assert (activity.course_id, activity.kind, activity.required, activity.scheduled_minutes) == (
        course.pk, "session", True, 100)
    session.cancelled = True
    session.title = "改期"
    session.save()
    activity.refresh_from_db()
    assert not activity.required and activity.title == "改期"


def test_checking_in_earns_the_full_time_day_and_completes(enrolled, full_day, course,
                                                           django_capture_on_commit_callbacks, task_worker):
    with django_capture_on_commit_callbacks(execute=True):
        AttendanceRecord.objects.record_status(enrolled, full_day, status=AttendanceStatus.PRESENT,
                                               channel=AttendanceChannel.QR)
    assert not CreditEntry.objects.exists(), "the scan's request does not wait for learning"
    assert task_worker() == ["lms.attendance.learning_feed.report"]
    entry = CreditEntry.objects.get(person=enrolled)
    assert (entry.rule, entry.hours, entry.delivery, entry.year, entry.earned_at) == (
        CreditRule.IN_PERSON_DAYS, Decimal("6"), Delivery.IN_PERSON, 2026, T0)
    assert Enrollment.objects.get(person=enrolled, course=course).completed_at is not None


def test_a_correction_to_absent_takes_the_credit_and_completion_back(enrolled, full_day, course,
                                                                     django_capture_on_commit_callbacks, task_worker):
    with django_capture_on_commit_callbacks(execute=True):
        AttendanceRecord.objects.record_status(enrolled, full_day, status=AttendanceStatus.PRESENT,
                                               channel=AttendanceChannel.ROLL_CALL)
    task_worker()
    assert CreditEntry.objects.filter(person=enrolled).exists()
    with django_capture_on_commit_callbacks(execute=True):
        AttendanceRecord.objects.record_status(enrolled, full_day, status=AttendanceStatus.ABSENT,
                                               channel=AttendanceChannel.ROLL_CALL)
    task_worker()
    assert not CreditEntry.objects.filter(person=enrolled).exists()
    assert not completion.course_status(enrolled, course).completed


def test_leave_is_not_attendance(enrolled, full_day, django_capture_on_commit_callbacks, task_worker):
    with django_capture_on_commit_callbacks(execute=True):
        AttendanceRecord.objects.record_status(enrolled, full_day, status=AttendanceStatus.EXCUSED,
                                               channel=AttendanceChannel.LEAVE)
    task_worker()
    assert not ActivityResult.objects.get(person=enrolled).done
    assert not CreditEntry.objects.filter(person=enrolled).exists()


def test_present_online_earns_online_credit(enrolled, session, django_capture_on_commit_callbacks, task_worker):
    with django_capture_on_commit_callbacks(execute=True):
        for minute in range(85):
            AttendanceRecord.objects.record_live_presence(enrolled, session,
                                                          now=T0 + datetime.timedelta(minutes=minute, seconds=30))
    task_worker()
    entry = CreditEntry.objects.get(person=enrolled)
    assert (entry.delivery, entry.rule, entry.hours) == (Delivery.ONLINE, CreditRule.ONLINE_LONG, Decimal("1"))


def test_a_late_or_repeated_report_tells_the_current_state(enrolled, full_day, django_capture_on_commit_callbacks,
                                                          task_worker):
    with django_capture_on_commit_callbacks(execute=True):
        record, _ = AttendanceRecord.objects.record_status(enrolled, full_day, status=AttendanceStatus.PRESENT,
                                                           channel=AttendanceChannel.QR)
        AttendanceRecord.objects.record_status(enrolled, full_day, status=AttendanceStatus.ABSENT,
                                               channel=AttendanceChannel.ROLL_CALL)
    assert len(task_worker()) == 2  # both reports run after the correction: both tell "absent"
    assert not CreditEntry.objects.exists()
    from lms.attendance.learning_feed import report

    report(record.pk)
    report(10**9)  # a record that no longer exists: nothing to tell
    assert not ActivityResult.objects.get(person=enrolled).done


def test_coming_to_the_hall_after_watching_online_earns_the_in_person_day(
        enrolled, full_day, django_capture_on_commit_callbacks, task_worker):
    with django_capture_on_commit_callbacks(execute=True):
        for minute in range(400):  # present online first (80% of 480 minutes)
            AttendanceRecord.objects.record_live_presence(enrolled, full_day,
                                                          now=T0 + datetime.timedelta(minutes=minute, seconds=30))
    task_worker()
    assert CreditEntry.objects.get(person=enrolled).delivery == Delivery.ONLINE
    with django_capture_on_commit_callbacks(execute=True):
        AttendanceRecord.objects.record_status(enrolled, full_day, status=AttendanceStatus.PRESENT,
                                               channel=AttendanceChannel.ROLL_CALL)
    task_worker()
    entry = CreditEntry.objects.get(person=enrolled)
    assert (entry.delivery, entry.rule, entry.hours) == (Delivery.IN_PERSON, CreditRule.IN_PERSON_DAYS, Decimal("6"))
