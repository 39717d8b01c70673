"""The 学时 ledger: turns what a person completed into CreditEntry rows by the year's rules
(lms.learning.models.AnnualPlan; defaults from DESIGN §4).

`sync(person, course)` makes the person's entries for the course equal to what they earn now:
new entries are added, changed ones updated, and entries whose source no longer counts (an
attendance corrected to absent) removed. It is idempotent and safe under concurrency (entries
are unique per person and source; racing writers compute the same rows).

How a course earns (CoursePage.credit_basis):
- parts: each completed content lesson by its length (online tiers), each attended session
  (in person: its full-time days × 学时 a day, else its declared hours, else its scheduled hours
  up to one day; online: its declared hours, else the online tiers by its scheduled length),
  each passed assessment (its declared hours, else the test rule);
- course: the course's declared credit hours once the course is completed;
- university: the year's university-class hours once the course is completed.
An entry belongs to the year its source was completed in."""

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from .models import (
    ActivityKind, ActivityResult, AnnualPlan, CourseActivity, CreditEntry, CreditRule, Delivery, Enrollment,
    LessonProgress,
)

HALF = Decimal("0.5")


@dataclass(frozen=True)
class Earned:
    source_key: str
    source_title: str
    delivery: str
    hours: Decimal
    rule: str
    earned_at: datetime

    @property
    def year(self):
        return timezone.localtime(self.earned_at).year


class Plans:
    """The plan of each year, read once per sync."""

    def __init__(self):
        self._plans = {}

    def __call__(self, moment):
        year = timezone.localtime(moment).year
        if year not in self._plans:
            self._plans[year] = AnnualPlan.for_year(year)
        return self._plans[year]


def _lesson_entries(person, course, plans):
    from .completion import content_lesson_types

    done = LessonProgress.objects.filter(
        person=person, completed_at__isnull=False, lesson__path__startswith=course.path,
        lesson__depth=course.depth + 1, lesson__content_type__in=content_lesson_types(),
    ).values_list("lesson_id", "completed_at")
    completed_at = dict(done)
    for lesson in Page.objects.filter(pk__in=completed_at).specific():
        when = completed_at[lesson.pk]
        rule, hours = plans(when).online_lesson_rule(lesson.credit_minutes)
        yield Earned(f"lesson:{lesson.pk}", lesson.title, Delivery.ONLINE, hours, rule, when)


def session_credit(activity, delivery, plan):
    """(rule, hours) an attended session earns."""
    if delivery == Delivery.IN_PERSON:
        if activity.credit_days:
            return CreditRule.IN_PERSON_DAYS, activity.credit_days * plan.in_person_hours_per_day
        if activity.credit_hours:
            return CreditRule.SESSION_HOURS, activity.credit_hours
        hours = (Decimal(activity.scheduled_minutes) / 60 / HALF).to_integral_value(ROUND_FLOOR) * HALF
        return CreditRule.IN_PERSON_HOURS, min(hours, plan.in_person_hours_per_day)
    if activity.credit_hours:
        return CreditRule.SESSION_HOURS, activity.credit_hours
    return plan.online_lesson_rule(activity.scheduled_minutes)


def _activity_entries(person, course, plans):
    results = ActivityResult.objects.filter(
        person=person, activity__course=course, done_at__isnull=False).select_related("activity")
    for result in results:
        activity, plan = result.activity, plans(result.done_at)
        if activity.kind == ActivityKind.SESSION:
            rule, hours = session_credit(activity, result.delivery, plan)
        elif activity.credit_hours:
            rule, hours = CreditRule.SESSION_HOURS, activity.credit_hours
        else:
            rule, hours = CreditRule.TEST_PASS, plan.test_pass_hours
        yield Earned(f"activity:{activity.pk}", activity.title, result.delivery, hours, rule, result.done_at)


def _course_entry(person, course, plans):
    from courses.models import CreditBasis

    completed_at = Enrollment.objects.filter(
        person=person, course=course, completed_at__isnull=False).values_list("completed_at", flat=True).first()
    if completed_at is None:
        return
    if course.credit_basis == CreditBasis.UNIVERSITY:
        rule, hours, delivery = CreditRule.UNIVERSITY_CLASS, plans(completed_at).university_class_hours, Delivery.IN_PERSON
    else:
        has_sessions = CourseActivity.objects.filter(course=course, kind=ActivityKind.SESSION).exists()
        rule, hours = CreditRule.COURSE_HOURS, course.credit_hours
        delivery = Delivery.IN_PERSON if has_sessions else Delivery.ONLINE
    yield Earned(f"course:{course.pk}", course.title, delivery, hours, rule, completed_at)


def earned(person, course):
    """Everything the person earns in the course now, as Earned rows."""
    from courses.models import CreditBasis

    plans = Plans()
    if course.credit_basis == CreditBasis.PARTS:
        rows = [*_lesson_entries(person, course, plans), *_activity_entries(person, course, plans)]
    else:
        rows = list(_course_entry(person, course, plans))
    return [row for row in rows if row.hours > 0]


def sync(person, course):
    """Make the person's ledger entries for the course match what they earn now."""
    wanted = {row.source_key: row for row in earned(person, course)}
    with transaction.atomic():
        existing = {entry.source_key: entry for entry in CreditEntry.objects.filter(person=person, course=course)}
        stale = [entry.pk for key, entry in existing.items() if key not in wanted]
        if stale:
            CreditEntry.objects.filter(pk__in=stale).delete()
        for key, row in wanted.items():
            values = {"year": row.year, "source_title": row.source_title[:255], "delivery": row.delivery,
                      "hours": row.hours, "rule": row.rule, "earned_at": row.earned_at}
            entry = existing.get(key)
            if entry is None:
                CreditEntry.objects.bulk_create(
                    [CreditEntry(person=person, course=course, source_key=key, **values)], ignore_conflicts=True)
            elif any(getattr(entry, name) != value for name, value in values.items()):
                CreditEntry.objects.filter(pk=entry.pk).update(updated_at=timezone.now(), **values)


def resync_year(year):
    """Re-apply the year's rules to every ledger that may hold entries of that year (after HR
    changed the year's plan). Idempotent: a django-q2 task, run again, changes nothing more.
    Returns the number of (person, course) ledgers synced."""
    from courses.models import CoursePage
    from lms.people.models import Person

    pairs = set(CreditEntry.objects.filter(year=year, course__isnull=False).values_list("person_id", "course_id"))
    pairs |= set(Enrollment.objects.filter(course__year=year).values_list("person_id", "course_id"))
    courses = CoursePage.objects.in_bulk({course_id for _person, course_id in pairs})
    persons = Person.objects.in_bulk({person_id for person_id, _course in pairs})
    for person_id, course_id in sorted(pairs):
        sync(persons[person_id], courses[course_id])
    return len(pairs)


def resync_year_later(year):
    from django_q.tasks import async_task

    transaction.on_commit(lambda: async_task("lms.learning.credits.resync_year", year))
