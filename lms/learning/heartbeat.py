"""The video heartbeat: apply one report from the player to a learner's LessonProgress.

A report says which playback sent it (a random id the player makes per page load), what happened
(`start` when playback begins, then `beat`/`pause`/`ended`/`leave`), where the playhead is, and
which intervals were played since the previous report.

Rules (see lms.learning.coverage for the interval maths):
- `start` makes this playback the learner's active one (latest wins). Reports from any other
  playback are not credited; the player is told to pause.
- Credit is bounded by a clock: a report may newly credit at most (now − clock) × the course's
  maximum playback rate seconds. After a report the clock moves to now, minus the unused
  allowance capped at a small tolerance, so tolerance never accumulates across rapid reports and
  a `start` never grants more than the tolerance. Over any stretch of wall time T the credit is at
  most T × rate + tolerance.
- Completion when the covered seconds reach the course's threshold; set once, never unset."""

import math
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, connection, transaction

from . import coverage
from .models import LessonProgress

EVENTS = {"start", "beat", "pause", "ended", "leave"}


@dataclass
class Report:
    playback: str
    event: str
    intervals: list  # validated, clipped (start, end) pairs
    position: float | None


@dataclass
class Outcome:
    progress: LessonProgress
    credited: int = 0
    superseded: bool = False
    completed_now: bool = False  # this report completed the lesson

    def as_json(self):
        p = self.progress
        return {
            "ok": not self.superseded,
            "superseded": self.superseded,
            "credited": self.credited,
            "seconds": p.seconds_covered,
            "total": coverage.bit_count(p.duration),
            "percent": p.percent,
            "completed": p.completed_at is not None,
            "position": p.last_position,
        }


def _resize(progress, duration):
    """Adopt the video's current duration (first report, or the video was replaced)."""
    if progress.duration == duration and len(progress.coverage) == len(coverage.empty_bitmap(duration)):
        return
    bitmap, _credited = coverage.merge(b"", [], duration, 0)  # empty bitmap of the right size
    old = bytes(progress.coverage or b"")
    size = len(bitmap)
    bitmap = (old[:size]).ljust(size, b"\0")
    total = coverage.bit_count(duration)
    if total % 8:  # clear bits past the end
        bitmap = bitmap[:-1] + bytes([bitmap[-1] & ((1 << (total % 8)) - 1)])
    progress.coverage = bitmap
    progress.duration = duration
    progress.seconds_covered = coverage.count(bitmap)


# The heartbeat's one read: the learner's progress row (if any) together with the enrolled person
# and the course's video rules for (user, lesson); no row when the lesson is not a live video
# lesson or the user is not currently enrolled in its course. Raw SQL (through the ORM's raw(), so
# fields are converted as usual) because this runs for every watching learner every ~15 s and
# building the equivalent ORM queries cost more than running them (see bench/heartbeat.py). Scalar
# subqueries rather than joins for the course and the person: PostgreSQL plans a nine-table join
# in ~1.8 ms (more than it takes to run), this form in ~0.5 ms.
_LOOKUP_SQL = None


def _lookup_sql():
    global _LOOKUP_SQL
    if _LOOKUP_SQL is None:
        from wagtail.models import Page
        from wagtailmedia.models import get_media_model

        from courses.models import CoursePage, VideoLessonPage
        from lms.people.models import Person

        from .models import Enrollment

        progress_columns = ", ".join(
            f"g.{field.column}" for field in LessonProgress._meta.concrete_fields
            if field.name not in {"person", "lesson"})
        _LOOKUP_SQL = f"""
            SELECT {progress_columns}, e.person_id AS person_id, v.page_ptr_id AS lesson_id,
                   c.video_completion_percent AS course_threshold, c.video_max_playback_rate AS course_max_rate,
                   m.duration AS video_duration
            FROM {VideoLessonPage._meta.db_table} v
            JOIN {Page._meta.db_table} lp ON lp.id = v.page_ptr_id
            JOIN {get_media_model()._meta.db_table} m ON m.id = v.video_id
            JOIN {Enrollment._meta.db_table} e
                 ON e.course_id = (SELECT cp.id FROM {Page._meta.db_table} cp
                                   WHERE cp.path = SUBSTR(lp.path, 1, LENGTH(lp.path) - {Page.steplen}))
                 AND e.withdrawn_at IS NULL
                 AND e.person_id = (SELECT p.id FROM {Person._meta.db_table} p WHERE p.user_id = %s)
            JOIN {CoursePage._meta.db_table} c ON c.page_ptr_id = e.course_id
            LEFT JOIN {LessonProgress._meta.db_table} g ON g.person_id = e.person_id AND g.lesson_id = v.page_ptr_id
            WHERE v.page_ptr_id = %s AND lp.live = %s
        """
    return _LOOKUP_SQL


def lookup(user_id, lesson_id):
    """The user's LessonProgress in the live video lesson (unsaved, pk None, if they have none
    yet), with `course_threshold`, `course_max_rate` and `video_duration` attached; None unless the
    user is currently enrolled in the lesson's course."""
    for progress in LessonProgress.objects.raw(_lookup_sql(), [user_id, lesson_id, True]):
        if progress.pk is None:  # no progress row yet: the LEFT JOIN gave NULLs
            fresh = LessonProgress(person_id=progress.person_id, lesson_id=progress.lesson_id)
            fresh.course_threshold, fresh.course_max_rate, fresh.video_duration = (
                progress.course_threshold, progress.course_max_rate, progress.video_duration)
            return fresh
        return progress
    return None


def _progress(person_id, lesson_id, now):
    """The person's LessonProgress for the lesson (made if missing)."""
    progress = LessonProgress.objects.filter(person_id=person_id, lesson_id=lesson_id).first()
    if progress is not None:
        return progress
    try:
        with transaction.atomic():
            return LessonProgress.objects.create(person_id=person_id, lesson_id=lesson_id, started_at=now)
    except IntegrityError:  # a concurrent first report made it
        return LessonProgress.objects.get(person_id=person_id, lesson_id=lesson_id)


SAVED_FIELDS = ["coverage", "seconds_covered", "duration", "last_position", "last_report_at", "playback_id",
                "completed_at"]
MAX_ATTEMPTS = 8


class Contention(Exception):
    """The progress row kept changing under us (many simultaneous reports for one learner)."""


def _apply(progress, report, *, duration, max_rate, threshold_percent, now):
    """Apply the report to the in-memory progress; returns the Outcome (nothing to save when
    superseded)."""
    tolerance = timedelta(seconds=coverage.TOLERANCE_SECONDS / max_rate)
    _resize(progress, duration)
    if report.event == "start" or not progress.playback_id:
        progress.playback_id = report.playback
        floor = now - tolerance
        if progress.last_report_at is None or progress.last_report_at < floor:
            progress.last_report_at = floor
    elif report.playback != progress.playback_id:
        return Outcome(progress, superseded=True)
    elapsed = max(0.0, (now - progress.last_report_at).total_seconds())
    allowance = coverage.allowance(elapsed, max_rate, tolerance=0)
    bitmap, credited = coverage.merge(progress.coverage, report.intervals, duration, allowance)
    progress.coverage = bitmap
    progress.seconds_covered += credited
    carry = min(coverage.TOLERANCE_SECONDS, max(0.0, allowance - credited))
    progress.last_report_at = now - timedelta(seconds=carry / max_rate)
    if report.position is not None:
        progress.last_position = min(report.position, duration)
    total = coverage.bit_count(duration)
    completed_now = bool(progress.completed_at is None and total
                         and progress.seconds_covered * 100 >= threshold_percent * total)
    if completed_now:
        progress.completed_at = now
    return Outcome(progress, credited=credited, completed_now=completed_now)


def _write(pk, revision, changes):
    """Compare-and-set the row. On PostgreSQL the commit does not wait for the WAL flush
    (synchronous_commit off, for this transaction only): a database crash may lose the last
    fraction of a second of heartbeats — the player's next report covers them — but never
    corrupts anything, and every report no longer waits for a disk flush."""
    update = LessonProgress.objects.filter(pk=pk, revision=revision)
    if connection.vendor != "postgresql":
        return update.update(revision=revision + 1, **changes)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        return update.update(revision=revision + 1, **changes)


def apply_report(person_id, lesson_id, report: Report, *, duration, max_rate, threshold_percent, now,
                 progress=None) -> Outcome:
    """Apply a validated report to the person's progress in the lesson.

    `progress` is the row as already read (lms.learning.heartbeat.lookup), if any.
    Optimistic concurrency instead of a row lock: read the row, compute, then write it only if its
    `revision` is still the one read (compare-and-set); otherwise read again and recompute. Two
    statements per report and no transaction held open while Python computes (on SQLite, no
    write lock at all until the single UPDATE)."""
    for _attempt in range(MAX_ATTEMPTS):
        if progress is None or progress.pk is None:
            progress = _progress(person_id, lesson_id, now)
        revision = progress.revision
        outcome = _apply(progress, report, duration=duration, max_rate=max_rate,
                         threshold_percent=threshold_percent, now=now)
        if outcome.superseded:
            return outcome
        changes = {name: getattr(progress, name) for name in SAVED_FIELDS}
        if _write(progress.pk, revision, changes):
            progress.revision = revision + 1
            return outcome
        progress = None  # changed under us: read it again
    raise Contention(f"progress of person {person_id} in lesson {lesson_id} kept changing")


def parse_report(data, duration) -> Report:
    """A Report from the POSTed fields; raises coverage.InvalidReport for anything malformed."""
    import json

    playback = data.get("playback", "")
    if not isinstance(playback, str) or not (8 <= len(playback) <= 64) or not all(
            c.isascii() and (c.isalnum() or c in "-_") for c in playback):
        raise coverage.InvalidReport("playback must be an id of 8-64 letters, digits, - or _")
    event = data.get("event", "beat")
    if event not in EVENTS:
        raise coverage.InvalidReport("unknown event")
    raw_intervals = data.get("intervals", "") or "[]"
    if len(raw_intervals) > 20_000:
        raise coverage.InvalidReport("intervals too long")
    try:
        intervals = json.loads(raw_intervals)
    except (ValueError, RecursionError):
        raise coverage.InvalidReport("intervals must be JSON") from None
    intervals = coverage.parse_intervals(intervals, duration)
    position = data.get("position", "")
    if position in ("", None):
        position = None
    else:
        try:
            position = float(position)
        except (TypeError, ValueError):
            raise coverage.InvalidReport("position must be a number") from None
        if not math.isfinite(position) or position < 0:
            raise coverage.InvalidReport("position must be a non-negative number")
    return Report(playback=playback, event=event, intervals=intervals, position=position)
