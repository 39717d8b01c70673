"""lms.learning.progress: the function other apps call to record what a person did in a lesson,
and the statuses pages show."""

import datetime

import pytest
from django.utils import timezone

from lms.learning import progress
from lms.learning.models import LessonProgress

pytestmark = pytest.mark.django_db


def test_it_records_a_completion_once(secretary, lesson):
    first = timezone.now() - datetime.timedelta(days=1)
    record = progress.record(secretary, lesson, when=first)
    assert record.started_at == first and record.completed_at == first
    again = progress.record(secretary, lesson)
    assert again.pk == record.pk and again.completed_at == first
    assert LessonProgress.objects.count() == 1


def test_it_records_a_start_without_completing(secretary, lesson):
    record = progress.record(secretary, lesson, completed=False)
    assert record.completed_at is None
    assert progress.record(secretary, lesson).completed_at is not None


def test_it_reports_each_lessons_status(secretary, other_secretary, lesson, make_lesson, video_lesson):
    untouched = make_lesson("未开始的课")
    progress.record(secretary, lesson)
    LessonProgress.objects.create(person=secretary, lesson=video_lesson, seconds_covered=30, duration=60)
    progress.record(other_secretary, untouched)  # someone else's progress does not count
    statuses = progress.lesson_statuses(secretary, [lesson, untouched, video_lesson])
    assert statuses[lesson.pk].state == progress.COMPLETED
    assert statuses[untouched.pk].state == progress.NOT_STARTED
    assert statuses[video_lesson.pk].state == progress.IN_PROGRESS and statuses[video_lesson.pk].percent == 50
    assert progress.lesson_statuses(None, [lesson])[lesson.pk].state == progress.NOT_STARTED


def test_a_quiz_page_shows_its_activity_result(secretary, course):
    from lms.learning import activities
    from lms.learning.models import ActivityKind

    class QuizLike:  # any child page with an activity key, as assessments' QuizPage has
        def __init__(self, pk, key):
            self.pk, self.activity_key = pk, key

    passed, failed, untried = QuizLike(9001, "quiz:t1"), QuizLike(9002, "quiz:t2"), QuizLike(9003, "quiz:t3")
    for quiz in (passed, failed, untried):
        activities.sync(course, quiz.activity_key, kind=ActivityKind.ASSESSMENT, title="测验")
    activities.record_result(secretary, "quiz:t1", done=True)
    activities.record_result(secretary, "quiz:t2", done=False)
    statuses = progress.lesson_statuses(secretary, [passed, failed, untried])
    assert [statuses[q.pk].state for q in (passed, failed, untried)] == [
        progress.COMPLETED, progress.IN_PROGRESS, progress.NOT_STARTED]
