"""The personal training archive (个人培训档案): everything one person did in training, for one
year or all years: courses (and whether completed), sessions attended, quiz and exam results,
学时 by source, certificates and rotations, with the year's standing.

Read-only: it gathers other apps' records (records reads everyone) in a handful of queries."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from wagtail.models import Page

from lms.assessments.models import Attempt, AttemptStatus, OfflineScore
from lms.attendance.models import ATTENDED_STATUSES, AttendanceRecord
from lms.learning import plans
from lms.learning.models import CreditEntry, Enrollment
from lms.rotations.models import Rotation


@dataclass
class Archive:
    person: object
    year: int | None  # None: all years
    years: list
    courses: list = field(default_factory=list)
    sessions: list = field(default_factory=list)
    results: list = field(default_factory=list)  # (title, kind, score, max score, passed, date)
    credits: list = field(default_factory=list)
    credit_by_course: list = field(default_factory=list)  # (course title or source, hours)
    totals: dict = field(default_factory=dict)
    certificates: list = field(default_factory=list)
    rotations: list = field(default_factory=list)
    standing: object = None

    @property
    def is_empty(self):
        return not (self.courses or self.sessions or self.results or self.credits or self.rotations)


@dataclass
class Result:
    title: str
    kind: str
    score: Decimal | None
    max_score: Decimal | None
    passed: bool | None
    date: object


def archive_years(person):
    """Years with any record of the person, newest first (at least this year)."""
    from django.utils import timezone

    years = set(CreditEntry.objects.filter(person=person).values_list("year", flat=True))
    years |= set(Enrollment.objects.filter(person=person).values_list("course__year", flat=True))
    years |= {record.year for record in AttendanceRecord.objects.filter(person=person).dates("session__starts_at", "year")}
    for starts, ends in Rotation.objects.filter(person=person).values_list("starts_on", "ends_on"):
        years |= set(range(starts.year, ends.year + 1))
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def certificates_of(person, year):
    """The person's certificates issued in the year (all years when year is None), oldest first:
    the current version of each (valid or revoked; a superseded version is replaced by its newer
    one), with serial, title, course, issue date, 学时 and status as issued (the certificate's frozen
    snapshot, not today's course title)."""
    from lms.certificates.models import Certificate

    certificates = Certificate.objects.current().filter(person=person).order_by("issued_at", "pk")
    if year:
        certificates = certificates.filter(issued_on__gte=datetime.date(year, 1, 1),
                                           issued_on__lte=datetime.date(year, 12, 31))
    return list(certificates.only("pk", "person_id", "serial", "title", "course_title", "issued_on", "issued_at",
                                  "credit_hours", "status", "code"))


def build(person, year=None):
    years = archive_years(person)
    archive = Archive(person, year, years)

    enrollments = Enrollment.objects.filter(person=person).select_related("course").order_by(
        "-course__year", "course__starts_on", "course__path")
    if year:
        enrollments = enrollments.filter(course__year=year)
    programs = dict(Page.objects.filter(path__in={e.course.path[:-Page.steplen] for e in enrollments})
                    .values_list("path", "title"))
    archive.courses = [{"enrollment": e, "course": e.course, "program": programs.get(e.course.path[:-Page.steplen], "")}
                       for e in enrollments]

    records = (AttendanceRecord.objects.filter(person=person, status__in=ATTENDED_STATUSES)
               .select_related("session__course").order_by("session__starts_at"))
    if year:
        records = records.filter(session__starts_at__year=year)
    archive.sessions = list(records)

    attempts = (Attempt.objects.filter(person=person, status=AttemptStatus.GRADED)
                .select_related("quiz").order_by("submitted_at", "pk"))
    scores = OfflineScore.objects.filter(person=person).select_related("assessment").order_by("assessment__held_on")
    if year:
        attempts = attempts.filter(submitted_at__year=year)
        scores = scores.filter(assessment__held_on__year=year)
    from django.utils.translation import gettext as _

    archive.results = sorted(
        [Result(a.quiz.title, _("Quiz"), a.score, a.max_score, a.passed, a.submitted_at and a.submitted_at.date())
         for a in attempts]
        + [Result(s.assessment.title, _("Exam"), s.score, s.assessment.max_score, s.passed, s.assessment.held_on)
           for s in scores],
        key=lambda r: r.date or datetime.date.min)

    entries = CreditEntry.objects.filter(person=person).select_related("course").order_by("earned_at", "pk")
    if year:
        entries = entries.filter(year=year)
    archive.credits = list(entries)
    archive.totals = entries.order_by().totals()
    by_course = (entries.order_by().values("course__title").annotate(hours=Sum("hours")).order_by("-hours"))
    archive.credit_by_course = [(row["course__title"] or _("Other"), row["hours"]) for row in by_course]

    archive.certificates = certificates_of(person, year)
    rotations = Rotation.objects.filter(person=person).select_related("home_organization", "host_organization")
    if year:
        rotations = rotations.filter(starts_on__lte=datetime.date(year, 12, 31), ends_on__gte=datetime.date(year, 1, 1))
    archive.rotations = list(rotations.order_by("starts_on"))
    if year:
        archive.standing = plans.standing(person, year)
    return archive


def chosen_year(request, person):
    """?year=2026 for one year, ?year=all (or nothing for a year without records) for all years."""
    value = request.GET.get("year", "")
    years = archive_years(person)
    if value == "all":
        return None
    if value.isdigit() and int(value) in years:
        return int(value)
    return years[0]


def render_pdf(archive):
    from django.template.loader import render_to_string
    from django.utils import timezone

    from lms.pdf import html_to_pdf

    return html_to_pdf(render_to_string("records/archive_pdf.html", {
        "archive": archive, "printed_on": timezone.localdate()}))
