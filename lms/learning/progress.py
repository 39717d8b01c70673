"""Lesson progress: the one way other apps (attendance, assessments) and the lesson pages tell
learning what a person did in a lesson, and the read side that pages show.

    from lms.learning import progress
    progress.record(person, lesson, completed=True)

Completing a lesson recomputes the course's completion and the person's 学时 (lms.learning.completion).
Reads are constant in the number of lessons and courses (one query for all of a person's
progress in the given lessons or courses)."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .coverage import percent as coverage_percent
from .models import ActivityResult, LessonProgress

NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"
STATE_LABELS = {NOT_STARTED: _("Not started"), IN_PROGRESS: _("In progress"), COMPLETED: _("Completed")}


@dataclass(frozen=True)
class LessonStatus:
    state: str
    percent: int | None = None  # video coverage, when the lesson is a video that has been started

    @property
    def completed(self):
        return self.state == COMPLETED

    @property
    def label(self):
        return STATE_LABELS[self.state]


NOT_STARTED_STATUS = LessonStatus(NOT_STARTED)


def _get_or_create(person, lesson, when):
    progress = LessonProgress.objects.filter(person=person, lesson_id=lesson.pk).first()
    if progress is not None:
        return progress
    try:
        with transaction.atomic():
            return LessonProgress.objects.create(person=person, lesson_id=lesson.pk, started_at=when)
    except IntegrityError:  # created concurrently
        return LessonProgress.objects.get(person=person, lesson_id=lesson.pk)


def start(person, lesson, *, when=None):
    """The person opened the lesson: make sure a progress record exists. Returns it."""
    return _get_or_create(person, lesson, when or timezone.now())


def record(person, lesson, *, completed=True, when=None):
    """Record that the person did the lesson (started it, and completed it when `completed`).
    Completion is set once: recording again keeps the first completion time. Returns the
    LessonProgress."""
    when = when or timezone.now()
    progress = _get_or_create(person, lesson, when)
    if completed and progress.completed_at is None:
        # Conditional update: concurrent calls complete it once, with the first time.
        newly = LessonProgress.objects.filter(pk=progress.pk, completed_at__isnull=True).update(completed_at=when)
        progress.refresh_from_db(fields=["completed_at"])
        if newly:
            lesson_completed(person, lesson, when=when)
    return progress


def lesson_completed(person, lesson, when=None):
    """A lesson was just completed (at `when`): recompute the course's completion and 学时."""
    from .completion import recompute_for_lesson

    recompute_for_lesson(person, lesson, when=when)


def _status(completed_at, seconds_covered, duration):
    if completed_at is not None:
        return LessonStatus(COMPLETED, coverage_percent(seconds_covered, duration) if duration else None)
    return LessonStatus(IN_PROGRESS, coverage_percent(seconds_covered, duration) if duration else None)


def lesson_statuses(person, lessons):
    """{page pk: LessonStatus} for the given child pages of a course (every page gets one), in
    at most two queries. A page that is a course activity (a quiz: it has an `activity_key`) is
    completed when its result is done, in progress when there is a result that is not."""
    pks = [lesson.pk for lesson in lessons]
    statuses = dict.fromkeys(pks, NOT_STARTED_STATUS)
    if person is None or not pks:
        return statuses
    rows = LessonProgress.objects.filter(person=person, lesson_id__in=pks).values_list(
        "lesson_id", "completed_at", "seconds_covered", "duration")
    for lesson_id, completed_at, seconds_covered, duration in rows:
        statuses[lesson_id] = _status(completed_at, seconds_covered, duration)
    activity_pages = {lesson.activity_key: lesson.pk for lesson in lessons if getattr(lesson, "activity_key", None)}
    if activity_pages:
        results = ActivityResult.objects.filter(person=person, activity__key__in=activity_pages)
        for key, done_at in results.values_list("activity__key", "done_at"):
            statuses[activity_pages[key]] = LessonStatus(COMPLETED if done_at else IN_PROGRESS)
    return statuses
