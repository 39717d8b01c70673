"""lms.learning.credits: the 学时 ledger — rules per year, sources, corrections, idempotence."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from courses.models import CreditBasis
from lms.learning import activities, credits, progress
from lms.learning.models import (
    ActivityKind, AnnualPlan, CreditEntry, CreditRule, Delivery, Enrollment, EnrollmentSource,
)

pytestmark = pytest.mark.django_db

CST = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def enrolled(secretary, course):
    Enrollment.enrol(secretary, course, EnrollmentSource.BULK)
    return secretary


def entries(person):
    return {e.source_key: (e.rule, e.hours, e.delivery, e.year) for e in CreditEntry.objects.filter(person=person)}


@pytest.mark.parametrize("minutes, rule, hours", [
    (45, CreditRule.ONLINE_LONG, "1"), (30, CreditRule.ONLINE_LONG, "1"),
    (29, CreditRule.ONLINE_MEDIUM, "0.5"), (15, CreditRule.ONLINE_MEDIUM, "0.5"),
    (14, CreditRule.ONLINE_SHORT, "0.25"), (1, CreditRule.ONLINE_SHORT, "0.25"),
])
def test_an_online_lesson_earns_by_its_length(enrolled, make_lesson, minutes, rule, hours):
    lesson = make_lesson("一", estimated_minutes=minutes)
    progress.record(enrolled, lesson)
    assert entries(enrolled)[f"lesson:{lesson.pk}"][:3] == (rule, Decimal(hours), Delivery.ONLINE)


def test_a_video_counts_by_its_real_length(enrolled, make_video_lesson):
    video = make_video_lesson("长视频", duration=31 * 60, estimated_minutes=5)
    progress.record(enrolled, video)
    assert entries(enrolled)[f"lesson:{video.pk}"][:2] == (CreditRule.ONLINE_LONG, Decimal("1"))


def test_the_years_plan_sets_the_rules(enrolled, make_lesson):
    AnnualPlan.objects.create(year=2025, online_long_hours=Decimal("2"))
    AnnualPlan.objects.create(year=2026, online_long_hours=Decimal("1.5"), online_long_minutes=40)
    old, new, short = make_lesson("去年的课", estimated_minutes=45), make_lesson("今年的课", estimated_minutes=45), \
        make_lesson("今年的短课", estimated_minutes=35)
    progress.record(enrolled, old, when=datetime.datetime(2025, 12, 31, 23, 30, tzinfo=CST))
    progress.record(enrolled, new, when=datetime.datetime(2026, 1, 1, 0, 30, tzinfo=CST))
    progress.record(enrolled, short, when=datetime.datetime(2026, 1, 2, tzinfo=CST))
    ledger = entries(enrolled)
    assert ledger[f"lesson:{old.pk}"] == (CreditRule.ONLINE_LONG, Decimal("2"), Delivery.ONLINE, 2025)
    assert ledger[f"lesson:{new.pk}"] == (CreditRule.ONLINE_LONG, Decimal("1.5"), Delivery.ONLINE, 2026)
    assert ledger[f"lesson:{short.pk}"][:2] == (CreditRule.ONLINE_MEDIUM, Decimal("0.5"))
    assert CreditEntry.objects.filter(person=enrolled, year=2026).totals() == {
        "total": Decimal("2"), "online": Decimal("2"), "in_person": Decimal("0")}


def session_activity(course, **fields):
    fields.setdefault("scheduled_minutes", 180)
    return activities.sync(course, "session:credit", kind=ActivityKind.SESSION, title="讲坛", **fields)


@pytest.mark.parametrize("fields, delivery, rule, hours", [
    ({"credit_days": Decimal("1")}, Delivery.IN_PERSON, CreditRule.IN_PERSON_DAYS, "6"),
    ({"credit_days": Decimal("2.5")}, Delivery.IN_PERSON, CreditRule.IN_PERSON_DAYS, "15"),
    ({"credit_hours": Decimal("3")}, Delivery.IN_PERSON, CreditRule.SESSION_HOURS, "3"),
    ({"scheduled_minutes": 200}, Delivery.IN_PERSON, CreditRule.IN_PERSON_HOURS, "3"),  # 3h20 → 3
    ({"scheduled_minutes": 600}, Delivery.IN_PERSON, CreditRule.IN_PERSON_HOURS, "6"),  # capped at a day
    ({"scheduled_minutes": 120}, Delivery.ONLINE, CreditRule.ONLINE_LONG, "1"),
    ({"scheduled_minutes": 120, "credit_hours": Decimal("2")}, Delivery.ONLINE, CreditRule.SESSION_HOURS, "2"),
])
def test_an_attended_session_earns_by_the_rules(enrolled, course, fields, delivery, rule, hours):
    activity = session_activity(course, **fields)
    activities.record_result(enrolled, activity.key, done=True, delivery=delivery)
    assert entries(enrolled)[f"activity:{activity.pk}"][:3] == (rule, Decimal(hours), delivery)


def test_a_passed_test_earns_the_test_rule(enrolled, course):
    quiz = activities.sync(course, "quiz:credit", kind=ActivityKind.ASSESSMENT, title="测验")
    activities.record_result(enrolled, quiz.key, done=True, delivery=Delivery.ONLINE)
    assert entries(enrolled)[f"activity:{quiz.pk}"][:2] == (CreditRule.TEST_PASS, Decimal("0.5"))


def test_a_correction_removes_the_entry_it_had_earned(enrolled, course):
    activity = session_activity(course, credit_days=Decimal("1"))
    activities.record_result(enrolled, activity.key, done=True)
    assert CreditEntry.objects.filter(person=enrolled).count() == 1
    activities.record_result(enrolled, activity.key, done=False)
    assert CreditEntry.objects.filter(person=enrolled).count() == 0


def test_recording_again_never_credits_twice(enrolled, course, make_lesson):
    lesson = make_lesson("一")
    activity = session_activity(course, credit_days=Decimal("1"))
    for _ in range(3):
        progress.record(enrolled, lesson)
        activities.record_result(enrolled, activity.key, done=True)
        credits.sync(enrolled, course)
    assert CreditEntry.objects.filter(person=enrolled).count() == 2
    assert CreditEntry.objects.filter(person=enrolled, year=timezone.localtime().year).totals()["total"] == Decimal("6.5")


def test_a_changed_rule_updates_the_entry_on_the_next_sync(enrolled, course):
    activity = session_activity(course, credit_days=Decimal("1"))
    activities.record_result(enrolled, activity.key, done=True)
    AnnualPlan.objects.create(year=timezone.localtime().year, in_person_hours_per_day=Decimal("8"))
    credits.sync(enrolled, course)
    assert entries(enrolled)[f"activity:{activity.pk}"][1] == Decimal("8")


def test_a_course_credited_as_a_whole_earns_only_when_completed(enrolled, course, make_lesson):
    course.credit_basis = CreditBasis.COURSE
    course.credit_hours = Decimal("12")
    course.save()
    first, second = make_lesson("一"), make_lesson("二")
    progress.record(enrolled, first)
    assert not CreditEntry.objects.filter(person=enrolled).exists()
    progress.record(enrolled, second)
    assert entries(enrolled) == {f"course:{course.pk}": (CreditRule.COURSE_HOURS, Decimal("12"), Delivery.ONLINE,
                                                         timezone.localtime().year)}


def test_a_university_class_earns_the_years_university_hours(enrolled, course, make_lesson):
    course.credit_basis = CreditBasis.UNIVERSITY
    course.save()
    progress.record(enrolled, make_lesson("一"))
    assert entries(enrolled)[f"course:{course.pk}"][:3] == (
        CreditRule.UNIVERSITY_CLASS, Decimal("24"), Delivery.IN_PERSON)


def test_the_course_page_refuses_whole_course_credit_without_hours(course):
    from django.core.exceptions import ValidationError

    course.credit_basis = CreditBasis.COURSE
    course.credit_hours = Decimal("0")
    with pytest.raises(ValidationError) as error:
        course.full_clean()
    assert "credit_hours" in error.value.message_dict


def test_totals_split_online_and_in_person(enrolled, course, make_lesson):
    progress.record(enrolled, make_lesson("一", estimated_minutes=40))
    activities.record_result(enrolled, session_activity(course, credit_days=Decimal("0.5")).key, done=True)
    assert CreditEntry.objects.filter(person=enrolled, year=timezone.localtime().year).totals() == {
        "total": Decimal("4"), "online": Decimal("1"), "in_person": Decimal("3")}
    assert CreditEntry.objects.filter(person=enrolled, year=1999).totals()["total"] == 0
