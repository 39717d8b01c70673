"""Video watch coverage: which seconds of a video a learner has actually played.

Pure functions, no database. Coverage is a bitmap with one bit per second of the video (bit i set
= second [i, i+1) was played), stored as bytes: a one-hour video takes 450 bytes.

The browser reports the intervals it played since its previous report, as [start, end] pairs of
media-time seconds. The server trusts none of it:

- `parse_intervals` rejects garbage (not a list of number pairs, NaN/inf, negative, reversed) and
  clips to [0, duration];
- `seconds_in` maps an interval to whole seconds by rounding both ends, so a played interval credits
  at most the seconds it spans (never a partial second rounded up at both ends);
- `merge` credits only seconds not yet covered, in the order reported, and at most `budget` of
  them: the budget is the wall-clock time since the previous report times the allowed playback
  rate plus a small tolerance (`allowance`). Re-watching adds nothing, seeking ahead adds nothing
  (nothing was played), and a forged report cannot credit more than real time allows."""

import math

MAX_INTERVALS_PER_REPORT = 200
TOLERANCE_SECONDS = 2.0


class InvalidReport(ValueError):
    """The report is malformed; nothing of it may be credited."""


def bit_count(duration: float) -> int:
    """Number of whole seconds tracked for a video of `duration` seconds (rounded, at least 1)."""
    if duration is None or not math.isfinite(duration) or duration <= 0:
        return 0
    return max(1, math.floor(duration + 0.5))


def empty_bitmap(duration: float) -> bytes:
    return bytes((bit_count(duration) + 7) // 8)


def _number(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidReport("interval bounds must be numbers")
    value = float(value)
    if not math.isfinite(value):
        raise InvalidReport("interval bounds must be finite")
    if value < 0:
        raise InvalidReport("interval bounds must not be negative")
    return value


def parse_intervals(raw, duration: float) -> list[tuple[float, float]]:
    """Validated intervals clipped to [0, duration]; raises InvalidReport for anything malformed.
    Empty intervals (after clipping) are dropped."""
    if not isinstance(raw, (list, tuple)):
        raise InvalidReport("intervals must be a list")
    if len(raw) > MAX_INTERVALS_PER_REPORT:
        raise InvalidReport("too many intervals")
    intervals = []
    for pair in raw:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise InvalidReport("an interval is a [start, end] pair")
        start, end = _number(pair[0]), _number(pair[1])
        if end < start:
            raise InvalidReport("an interval must not end before it starts")
        start, end = min(start, duration), min(end, duration)
        if end > start:
            intervals.append((start, end))
    return intervals


def seconds_in(start: float, end: float, total_bits: int) -> range:
    """The whole seconds an interval covers: both ends rounded to the nearest second."""
    first = max(0, math.floor(start + 0.5))
    last = min(total_bits, math.floor(end + 0.5))
    return range(first, max(first, last))


def count(bitmap: bytes) -> int:
    return sum(bin(byte).count("1") for byte in bitmap)


def is_set(bitmap: bytes, second: int) -> bool:
    return bool(bitmap[second >> 3] & (1 << (second & 7)))


def merge(bitmap: bytes, intervals, duration: float, budget: float) -> tuple[bytes, int]:
    """Set the bits of the seconds in `intervals` not yet covered, at most floor(budget) of them.
    Returns (new bitmap, number of newly credited seconds)."""
    total_bits = bit_count(duration)
    size = (total_bits + 7) // 8
    data = bytearray(bitmap[:size].ljust(size, b"\0"))
    remaining = max(0, math.floor(budget)) if math.isfinite(budget) else 0
    credited = 0
    for start, end in intervals:
        for second in seconds_in(start, end, total_bits):
            if remaining <= 0:
                return bytes(data), credited
            index, mask = second >> 3, 1 << (second & 7)
            if not data[index] & mask:
                data[index] |= mask
                credited += 1
                remaining -= 1
    return bytes(data), credited


def allowance(elapsed_seconds: float, rate: float, tolerance: float = TOLERANCE_SECONDS) -> float:
    """The most seconds a report may newly credit: wall-clock time since the previous report times
    the allowed playback rate, plus a small tolerance for timer and network jitter."""
    if elapsed_seconds is None or not math.isfinite(elapsed_seconds) or elapsed_seconds < 0:
        elapsed_seconds = 0.0
    return elapsed_seconds * rate + tolerance


def percent(covered: int, duration: float) -> int:
    """Whole percent of the video covered, rounded down (the learner never sees a rounded-up 90%)."""
    total = bit_count(duration)
    return min(100, covered * 100 // total) if total else 0
