"""Interval maths of video coverage (lms.learning.coverage): property-based and by example."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.learning import coverage
from lms.learning.coverage import InvalidReport

durations = st.floats(min_value=0.6, max_value=4 * 3600, allow_nan=False, allow_infinity=False)
times = st.floats(min_value=0, max_value=5 * 3600, allow_nan=False, allow_infinity=False)
interval = st.tuples(times, times).map(lambda pair: tuple(sorted(pair)))
intervals = st.lists(interval, max_size=30)
budgets = st.floats(min_value=0, max_value=10_000, allow_nan=False)


def played_seconds(pairs, duration):
    """The reference: whole seconds covered, computed the slow obvious way."""
    total = coverage.bit_count(duration)
    covered = set()
    for start, end in coverage.parse_intervals([list(p) for p in pairs], duration):
        covered.update(range(max(0, math.floor(start + 0.5)), min(total, math.floor(end + 0.5))))
    return covered


@settings(max_examples=200, deadline=None)
@given(durations, intervals)
def test_it_counts_the_union_of_the_played_seconds(duration, pairs):
    parsed = coverage.parse_intervals([list(p) for p in pairs], duration)
    bitmap, credited = coverage.merge(coverage.empty_bitmap(duration), parsed, duration, budget=math.inf)
    # an infinite budget is not a number of seconds: nothing is credited
    assert credited == 0
    bitmap, credited = coverage.merge(coverage.empty_bitmap(duration), parsed, duration, budget=10**9)
    expected = played_seconds(pairs, duration)
    assert credited == coverage.count(bitmap) == len(expected)
    assert all(coverage.is_set(bitmap, s) for s in expected)


@settings(max_examples=200, deadline=None)
@given(durations, intervals, intervals)
def test_it_never_credits_a_second_twice(duration, first, second):
    parsed_first = coverage.parse_intervals([list(p) for p in first], duration)
    parsed_second = coverage.parse_intervals([list(p) for p in second], duration)
    bitmap, a = coverage.merge(b"", parsed_first, duration, 10**9)
    bitmap, b = coverage.merge(bitmap, parsed_second, duration, 10**9)
    _again, c = coverage.merge(bitmap, parsed_first + parsed_second, duration, 10**9)
    assert c == 0  # re-watching adds nothing
    assert a + b == coverage.count(bitmap) == len(played_seconds(first + second, duration))
    assert coverage.count(bitmap) <= coverage.bit_count(duration)


@settings(max_examples=200, deadline=None)
@given(durations, intervals, budgets)
def test_it_credits_at_most_the_budget(duration, pairs, budget):
    parsed = coverage.parse_intervals([list(p) for p in pairs], duration)
    bitmap, credited = coverage.merge(b"", parsed, duration, budget)
    assert credited <= math.floor(budget)
    assert credited == coverage.count(bitmap)
    assert credited == min(math.floor(budget), len(played_seconds(pairs, duration)))


@settings(max_examples=200, deadline=None)
@given(durations, intervals)
def test_it_credits_no_more_than_the_time_played_plus_rounding(duration, pairs):
    parsed = coverage.parse_intervals([list(p) for p in pairs], duration)
    _bitmap, credited = coverage.merge(b"", parsed, duration, 10**9)
    # each interval may gain at most one second by rounding its two ends
    assert credited <= sum(end - start for start, end in parsed) + len(parsed)


@settings(max_examples=100, deadline=None)
@given(durations, intervals)
def test_it_clips_to_the_video(duration, pairs):
    for start, end in coverage.parse_intervals([list(p) for p in pairs], duration):
        assert 0 <= start < end <= duration


@given(st.floats(min_value=0, max_value=10**6), st.floats(min_value=1, max_value=4))
def test_it_allows_wall_clock_time_times_the_rate_plus_tolerance(elapsed, rate):
    assert coverage.allowance(elapsed, rate) == pytest.approx(elapsed * rate + coverage.TOLERANCE_SECONDS)


@pytest.mark.parametrize("elapsed", [-5, float("nan"), float("inf"), None])
def test_it_allows_only_the_tolerance_for_nonsense_elapsed_times(elapsed):
    assert coverage.allowance(elapsed, 1.25) == coverage.TOLERANCE_SECONDS


@pytest.mark.parametrize("raw", [
    "0-10", {"start": 0}, None, 5, [[1]], [[1, 2, 3]], [["a", "b"]], [[None, 2]], [[True, 2]],
    [[-1, 5]], [[5, -1]], [[10, 5]], [[float("nan"), 5]], [[0, float("inf")]], [[0, float("-inf")]],
    [[0, 1]] * (coverage.MAX_INTERVALS_PER_REPORT + 1),
])
def test_it_rejects_malformed_reports(raw):
    with pytest.raises(InvalidReport):
        coverage.parse_intervals(raw, 60.0)


def test_it_drops_intervals_beyond_the_end_and_clips_overhanging_ones():
    assert coverage.parse_intervals([[70, 80], [50, 500], [3, 3]], 60.0) == [(50.0, 60.0)]


def test_it_rounds_interval_ends_to_the_nearest_second():
    bitmap, credited = coverage.merge(b"", [(0.4, 2.4)], 10.0, 100)
    assert credited == 2 and [coverage.is_set(bitmap, s) for s in range(4)] == [True, True, False, False]
    _bitmap, credited = coverage.merge(b"", [(0.5, 1.5)], 10.0, 100)
    assert credited == 1
    _bitmap, credited = coverage.merge(b"", [(0.5, 1.4)], 10.0, 100)  # 0.9 s played
    assert credited == 0
    _bitmap, credited = coverage.merge(b"", [(0.6, 0.9)], 10.0, 100)
    assert credited == 0


def test_it_covers_the_whole_video_when_played_to_the_end():
    for duration in (30.0, 30.4, 30.6, 0.7, 3599.5):
        parsed = coverage.parse_intervals([[0, duration]], duration)
        bitmap, credited = coverage.merge(b"", parsed, duration, 10**9)
        assert credited == coverage.bit_count(duration)
        assert coverage.percent(credited, duration) == 100


def test_it_stores_a_one_hour_video_in_450_bytes():
    assert len(coverage.empty_bitmap(3600)) == 450
    bitmap, credited = coverage.merge(b"", [(0, 3600)], 3600, 10**9)
    assert len(bitmap) == 450 < 1024 and credited == 3600


def test_it_rounds_percent_down():
    assert coverage.percent(89, 99.6) == 89  # 89/100 seconds
    assert coverage.percent(0, 0) == 0
    assert coverage.percent(60, 60) == 100
