"""The completion engine: what a course requires, how far a person is, and when they completed it.

A course declares its requirements on its page (courses.CoursePage): every published content
lesson (reading and video lessons; videos count once watched to the course's threshold), a share
of its sessions, and every required assessment. Sessions and assessments reach learning as
course activities (lms.learning.activities), so this module reads only learning's own tables.

    from lms.learning import completion
    completion.recompute(person, course)          # after anything the person did in the course
    completion.course_statuses(person, courses)   # {course pk: CourseStatus}, for pages

`recompute` is called on every relevant event (a lesson completed, an attendance or assessment
result reported) and is idempotent. Completion is a fact of record: once an enrolment is
completed it stays completed when the course later grows (a lesson added); only a retracted
result (an attendance corrected to absent, a regraded fail) with `revoke=True` can undo it.
Every recompute also brings the person's 学时 ledger for the course up to date (credits.sync)."""

import math
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from .models import ActivityKind, ActivityResult, CourseActivity, Enrollment, LessonProgress
from .signals import course_completed

LESSONS, SESSIONS, ASSESSMENTS = "lessons", "sessions", "assessments"
REQUIREMENT_LABELS = {LESSONS: _("Lessons"), SESSIONS: _("Sessions attended"), ASSESSMENTS: _("Assessments passed")}


def content_lesson_types():
    """Content types of the lesson pages the engine counts (quizzes count as assessments)."""
    from courses.models import ReadingLessonPage, VideoLessonPage

    return list(ContentType.objects.get_for_models(ReadingLessonPage, VideoLessonPage).values())


@dataclass(frozen=True)
class Requirement:
    kind: str
    done: int
    needed: int  # how many of `total` must be done
    total: int

    @property
    def met(self):
        return self.done >= self.needed

    @property
    def label(self):
        return REQUIREMENT_LABELS[self.kind]


@dataclass
class CourseStatus:
    """A person's standing in a course: each requirement with done/needed counts, and the
    recorded completion time of their enrolment (None when not completed or not enrolled)."""

    requirements: list = field(default_factory=list)
    completed_at: object = None

    @property
    def requirements_met(self):
        return bool(self.requirements) and all(r.met for r in self.requirements)

    @property
    def completed(self):
        return self.completed_at is not None

    @property
    def percent(self):
        """Share of the needed items done, over all requirements (100 once completed)."""
        if self.completed:
            return 100
        needed = sum(r.needed for r in self.requirements)
        if not needed:
            return 0
        return min(100, int(100 * sum(min(r.done, r.needed) for r in self.requirements) / needed))


def _course_of(path):
    return path[: -Page.steplen]


def course_statuses(person, courses):
    """{course pk: CourseStatus} for the person in each course, in five queries whatever the
    number of courses."""
    courses = list(courses)
    if not courses:
        return {}
    by_path = {course.path: course for course in courses}
    lesson_totals = dict.fromkeys(by_path, 0)
    lesson_done = dict.fromkeys(by_path, 0)
    depth = courses[0].depth + 1
    under_any = Q()
    lesson_under_any = Q()
    for course in courses:
        under_any |= Q(path__startswith=course.path)
        lesson_under_any |= Q(lesson__path__startswith=course.path)
    lesson_types = content_lesson_types()
    for path in Page.objects.filter(under_any, depth=depth, live=True, content_type__in=lesson_types).values_list(
            "path", flat=True):
        lesson_totals[_course_of(path)] += 1
    if person is not None:
        done_paths = LessonProgress.objects.filter(
            lesson_under_any, person=person, completed_at__isnull=False, lesson__depth=depth, lesson__live=True,
            lesson__content_type__in=lesson_types,
        ).values_list("lesson__path", flat=True)
        for path in done_paths:
            lesson_done[_course_of(path)] += 1

    course_ids = [course.pk for course in courses]
    activity_totals = {(row["course_id"], row["kind"]): row["n"] for row in CourseActivity.objects.filter(
        course_id__in=course_ids, required=True).values("course_id", "kind").annotate(n=Count("pk"))}
    activity_done = {}
    completed_at = {}
    if person is not None:
        activity_done = {(row["activity__course_id"], row["activity__kind"]): row["n"] for row in
                         ActivityResult.objects.filter(
                             person=person, done_at__isnull=False, activity__required=True,
                             activity__course_id__in=course_ids,
                         ).values("activity__course_id", "activity__kind").annotate(n=Count("pk"))}
        completed_at = dict(Enrollment.objects.current().filter(person=person, course_id__in=course_ids)
                            .values_list("course_id", "completed_at"))

    statuses = {}
    for course in courses:
        requirements = []
        if course.completion_requires_lessons and lesson_totals[course.path]:
            total = lesson_totals[course.path]
            requirements.append(Requirement(LESSONS, lesson_done[course.path], total, total))
        sessions = activity_totals.get((course.pk, ActivityKind.SESSION), 0)
        if sessions and course.completion_session_percent:
            needed = math.ceil(sessions * course.completion_session_percent / 100)
            requirements.append(Requirement(SESSIONS, activity_done.get((course.pk, ActivityKind.SESSION), 0),
                                            needed, sessions))
        assessments = activity_totals.get((course.pk, ActivityKind.ASSESSMENT), 0)
        if assessments:
            requirements.append(Requirement(
                ASSESSMENTS, activity_done.get((course.pk, ActivityKind.ASSESSMENT), 0), assessments, assessments))
        statuses[course.pk] = CourseStatus(requirements, completed_at.get(course.pk))
    return statuses


def course_status(person, course):
    return course_statuses(person, [course])[course.pk]


def recompute(person, course, *, revoke=False, when=None):
    """Bring the person's completion of the course and their 学时 for it up to date. Returns the
    CourseStatus. `when` is the time of the event that triggered it (the completion time if it
    completes the course); `revoke` lets a retracted result undo an earlier completion."""
    from . import credits

    status = course_status(person, course)
    enrollments = Enrollment.objects.current().filter(person=person, course=course)
    if status.requirements_met and not status.completed:
        when = when or timezone.now()
        # Conditional update: concurrent recomputes complete it once, with the first time.
        if enrollments.filter(completed_at__isnull=True).update(completed_at=when):
            status.completed_at = when
            course_completed.send(sender=Enrollment, person=person, course=course, completed_at=when)
        else:
            status.completed_at = enrollments.values_list("completed_at", flat=True).first()
    elif revoke and status.completed and not status.requirements_met:
        enrollments.update(completed_at=None)
        status.completed_at = None
    credits.sync(person, course)
    return status


def recompute_for_lesson(person, lesson, when=None):
    """A lesson of a course was completed (the lesson's parent is the course)."""
    from courses.models import CoursePage

    course = CoursePage.objects.filter(path=_course_of(lesson.path)).first()
    if course is not None:
        recompute(person, course, when=when)


def recompute_course(course_id):
    """Recompute everyone enrolled in, or with results in, the course (after the course's
    requirements changed). Idempotent: a django-q2 task may run it twice."""
    from courses.models import CoursePage
    from lms.people.models import Person

    course = CoursePage.objects.filter(pk=course_id).first()
    if course is None:
        return 0
    person_ids = set(Enrollment.objects.current().filter(course=course).values_list("person_id", flat=True))
    person_ids |= set(ActivityResult.objects.filter(activity__course=course).values_list("person_id", flat=True))
    for person in Person.objects.filter(pk__in=person_ids).iterator():
        recompute(person, course)
    return len(person_ids)


def recompute_course_later(course):
    """Queue recompute_course for after the current transaction commits."""
    from django_q.tasks import async_task

    course_id = course.pk
    transaction.on_commit(lambda: async_task("lms.learning.completion.recompute_course", course_id))
