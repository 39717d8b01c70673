"""Attendance feeds learning: every session is a course activity, every status change a result
(through a django-q2 task), so attending earns completion and 学时 (and a correction takes them back)."""

import datetime
from decimal import Decimal

import pytest

from lms.attendance import learning_feed
from lms.attendance.learning_feed import activity_key
from lms.attendance.models import AttendanceChannel, AttendanceRecord, AttendanceStatus
from lms.learning import completion
from lms.learning.models import (ActivityResult, CourseActivity, CreditEntry, CreditRule, Delivery, Enrollment,
                                 EnrollmentSource)

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
    assert task_worker() == ["lms.attendance.learning_feed.report_session"]
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


# --- the outbox: a burst is reported in batches, and nothing is left unreported ---------------------


@pytest.fixture
def classmates(enrolled, course, org_tree, make_person):
    """The enrolled secretary and four enrolled classmates."""
    persons = [enrolled]
    for index in range(4):
        person = make_person(f"同学{index}", org_tree["community_a"])
        Enrollment.enrol(person, course, EnrollmentSource.BULK)
        persons.append(person)
    return persons


@pytest.fixture
def batched_reports(settings, monkeypatch):
    """Reports batched as in production: one queued per session every 60 s by this process."""
    settings.ATTENDANCE_REPORT_EVERY_SECONDS = 60
    monkeypatch.setattr(learning_feed, "_report_queued_at", {})


def _scan(person, session, status=AttendanceStatus.PRESENT, channel=AttendanceChannel.QR):
    record, _changed = AttendanceRecord.objects.record_status(person, session, status=status, channel=channel)
    return record


def test_a_change_is_unreported_until_its_report_ran(enrolled, full_day, django_capture_on_commit_callbacks,
                                                     task_worker):
    with django_capture_on_commit_callbacks(execute=True):
        record = _scan(enrolled, full_day)
    record.refresh_from_db()
    assert not record.learning_reported
    task_worker()
    record.refresh_from_db()
    assert record.learning_reported
    with django_capture_on_commit_callbacks(execute=True):
        _scan(enrolled, full_day, status=AttendanceStatus.ABSENT, channel=AttendanceChannel.ROLL_CALL)
    record.refresh_from_db()
    assert not record.learning_reported, "a correction is to be reported again"
    task_worker()
    record.refresh_from_db()
    assert record.learning_reported and not ActivityResult.objects.get(person=enrolled).done


def test_a_change_learning_cannot_see_queues_nothing(enrolled, full_day, django_capture_on_commit_callbacks,
                                                     task_worker):
    with django_capture_on_commit_callbacks(execute=True):
        record = _scan(enrolled, full_day)
    task_worker()
    with django_capture_on_commit_callbacks(execute=True):  # the same status through another channel
        _scan(enrolled, full_day, channel=AttendanceChannel.ROLL_CALL)
    record.refresh_from_db()
    assert record.learning_reported
    assert task_worker() == []


def test_a_burst_of_scans_is_reported_by_one_task(classmates, full_day, batched_reports,
                                                  django_capture_on_commit_callbacks, task_worker):
    with django_capture_on_commit_callbacks(execute=True):
        for person in classmates:
            _scan(person, full_day)
    assert task_worker() == ["lms.attendance.learning_feed.report_session"]
    assert set(ActivityResult.objects.filter(done_at__isnull=False).values_list("person_id", flat=True)) == {
        person.pk for person in classmates}
    assert not AttendanceRecord.objects.filter(learning_reported=False).exists()
    assert CreditEntry.objects.filter(person__in=classmates).count() == len(classmates)


def test_a_scan_after_its_batch_ran_is_reported_by_the_periodic_task(classmates, full_day, batched_reports,
                                                                     django_capture_on_commit_callbacks,
                                                                     task_worker):
    first, late = classmates[0], classmates[1]
    with django_capture_on_commit_callbacks(execute=True):
        _scan(first, full_day)
    task_worker()
    with django_capture_on_commit_callbacks(execute=True):
        _scan(late, full_day)
    assert task_worker() == [], "this process queued the session's report moments ago"
    assert not ActivityResult.objects.filter(person=late).exists()
    assert learning_feed.report_unreported() == 1
    assert ActivityResult.objects.get(person=late).done
    assert learning_feed.report_unreported() == 0


def test_the_periodic_report_is_scheduled(db):
    from django_q.models import Schedule

    schedule = Schedule.objects.get(func="lms.attendance.learning_feed.report_unreported")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (Schedule.MINUTES, 1, -1)


def test_the_history_does_not_follow_the_report(enrolled, full_day, django_capture_on_commit_callbacks, task_worker):
    with django_capture_on_commit_callbacks(execute=True):
        record = _scan(enrolled, full_day)
    task_worker()
    assert [row.history_type for row in record.history.all()] == ["+"]
