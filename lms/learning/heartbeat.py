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

from django.db import transaction

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


def apply_report(progress_pk, report: Report, *, duration, max_rate, threshold_percent, now) -> Outcome:
    """Apply a validated report to the LessonProgress `progress_pk`, under a row lock."""
    tolerance = timedelta(seconds=coverage.TOLERANCE_SECONDS / max_rate)
    with transaction.atomic():
        progress = LessonProgress.objects.select_for_update().get(pk=progress_pk)
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
        if progress.completed_at is None and total and progress.seconds_covered * 100 >= threshold_percent * total:
            progress.completed_at = now
        progress.save()
        return Outcome(progress, credited=credited)


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
