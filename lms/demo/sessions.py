"""Demo sessions (场次) of the 2026 courses, the year's training plan with its requirements and batches, and what a sample of learners
has done so far: attendance at the sessions already held and lessons read, so that 我的学习, the
course pages, the attendance screens and the 学时 ledger show real numbers.

Attendance goes through the attendance manager and lessons through learning.progress, exactly
as live use does, so completion and 学时 come from the real engine (attendance reaches it through
the task cluster that `make run` starts). Idempotent."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from courses.models import ProgramPage, ReadingLessonPage
from lms.attendance.models import AttendanceChannel, AttendanceRecord, AttendanceStatus, Session, SessionMode
from lms.learning import progress
from lms.learning.models import AnnualPlan, Enrollment, PlanRequirement
from lms.people.models import CadreCategory, Person

from . import district
from .plan import ensure_batches

STREAM_URL = "https://live.qixia.example.cn/touyan/"
FORUM_VENUE = "区委党校报告厅"
UNIVERSITY_VENUE = "仙林大学城·南京师范大学仙林校区"
SAMPLE_PER_STREET = 4  # learners per street whose past attendance the demo fills in


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def session_specs(catalogue):
    """(course, fields) of every demo session."""
    for (program, slug), course in catalogue.courses.items():
        if program in ("head-goose-forum", "demonstration-classroom"):
            yield course, {"title": f"{course.title}·集中授课", "speaker": "区委党校教研室",
                           "starts_at": _at(course.starts_on, 9), "ends_at": _at(course.starts_on, 16, 30),
                           "venue": FORUM_VENUE, "mode": SessionMode.HYBRID, "capacity": 300,
                           "credit_days": Decimal("1"), "stream_url": STREAM_URL + slug}
        elif program == "secretary-class":
            for number in range(4):
                day = course.starts_on + datetime.timedelta(days=number)
                yield course, {"title": f"集中学习第{number + 1}天", "speaker": "校地党建联盟高校教师",
                               "starts_at": _at(day, 8, 30), "ends_at": _at(day, 17), "venue": UNIVERSITY_VENUE,
                               "mode": SessionMode.OFFLINE, "capacity": 120, "credit_days": Decimal("1")}


def ensure_sessions(catalogue):
    created = 0
    for course, fields in session_specs(catalogue):
        _session, made = Session.objects.get_or_create(course=course, title=fields.pop("title"),
                                                       starts_at=fields["starts_at"], defaults=fields)
        created += made
    return created


# The year's requirements: (category, total 学时, online 学时, full-time days, mandatory program slugs).
PLAN_REQUIREMENTS = [
    (CadreCategory.COMMUNITY_SECRETARY, 56, 10, 4, ["head-goose-forum"]),
    (CadreCategory.VILLAGE_SECRETARY, 56, 10, 4, ["head-goose-forum"]),
    (CadreCategory.TWO_NEW_SECRETARY, 32, 8, 2, ["demonstration-classroom"]),
    (CadreCategory.AGENCY_CADRE, 90, 20, 12, []),
    (CadreCategory.PARTY_MEMBER, 32, 12, 0, []),
]


def ensure_plan(year):
    """The year's plan with its requirements per cadre category (kept if HR already made one) and
    its planned batches (lms.demo.plan, only the missing ones)."""
    plan, created = AnnualPlan.objects.get_or_create(
        year=year, defaults={"title": f"{year}年度干部教育培训计划", "carry_over_limit": Decimal("8")})
    ensure_batches(plan)
    if not created:
        return plan
    programs = {page.slug: page for page in ProgramPage.objects.all()}
    for category, total, online, days, mandatory in PLAN_REQUIREMENTS:
        requirement = PlanRequirement.objects.create(
            plan=plan, cadre_category=category, total_hours=total, online_hours=online, in_person_days=days)
        requirement.mandatory_programs.set([programs[slug] for slug in mandatory if slug in programs])
        requirement.save()  # a parental relation is written with its owner
    return plan


def _sample(course, rng):
    """The demo secretary plus a fixed sample of each street's enrolled learners."""
    enrolled = list(Enrollment.objects.current().filter(course=course).values_list("person_id", flat=True))
    demo = Person.objects.filter(user__username=district.DEMO_SECRETARY_USERNAME).values_list("pk", flat=True).first()
    by_street = {}
    for person_id, path in Person.objects.filter(pk__in=enrolled).values_list("pk", "organization__path"):
        by_street.setdefault(path[:8], []).append(person_id)
    chosen = {demo} if demo in enrolled else set()
    for members in by_street.values():
        chosen.update(rng.sample(sorted(members), min(SAMPLE_PER_STREET, len(members))))
    return Person.objects.filter(pk__in=chosen).order_by("pk")


STATUS_WEIGHTS = [(AttendanceStatus.PRESENT, AttendanceChannel.QR, 70),
                  (AttendanceStatus.LATE, AttendanceChannel.QR, 8),
                  (AttendanceStatus.PRESENT, AttendanceChannel.ROLL_CALL, 6),
                  (AttendanceStatus.EXCUSED, AttendanceChannel.LEAVE, 8),
                  (AttendanceStatus.ABSENT, AttendanceChannel.SESSION_CLOSE, 8)]


def fill_history(now=None):
    """Attendance at sessions already held and lessons read, for the sampled learners. The demo
    secretary attended everything and read the lessons of the courses already held. Each choice
    is seeded by the session and person, so loading again picks the same and adds nothing."""
    now = now or timezone.now()
    choices = [(status, channel) for status, channel, weight in STATUS_WEIGHTS for _ in range(weight)]
    demo_username = district.DEMO_SECRETARY_USERNAME
    for session in Session.objects.filter(ends_at__lte=now, cancelled=False).select_related("course"):
        readings = [lesson for lesson in session.course.lessons() if isinstance(lesson, ReadingLessonPage)]
        read_on = min(now, session.ends_at + datetime.timedelta(days=1))
        for person in _sample(session.course, random.Random(f"course-{session.course_id}")):
            if AttendanceRecord.objects.filter(person=person, session=session).exists():
                continue
            rng = random.Random(f"session-{session.pk}-person-{person.pk}")
            is_demo = person.user_id and person.user.username == demo_username
            status, channel = (AttendanceStatus.PRESENT, AttendanceChannel.QR) if is_demo else rng.choice(choices)
            AttendanceRecord.objects.record_status(person, session, status=status, channel=channel,
                                                   at=session.starts_at + datetime.timedelta(minutes=rng.randint(-20, 25)))
            if is_demo or status != AttendanceStatus.ABSENT:
                for lesson in readings:
                    if is_demo or rng.random() < .6:
                        progress.record(person, lesson, when=read_on)
