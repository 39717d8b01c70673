"""The course page shows the learner's real progress: x / y lessons completed and each lesson's
status (not started / in progress with coverage % / completed), in a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lms.learning import progress
from lms.learning.models import Enrollment, EnrollmentSource, LessonProgress

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner(secretary, course):
    Enrollment.enrol(secretary, course, EnrollmentSource.BULK)
    return secretary


def statuses(response):
    return [(lesson.title, status.state if status else None, status.percent if status else None)
            for lesson, status in response.context["lesson_rows"]]


def test_it_shows_each_lessons_status(client_for, learner, course, make_lesson, make_video_lesson):
    done = make_lesson("读完的课")
    make_lesson("没读的课")
    watching = make_video_lesson("看了一半的视频")
    progress.record(learner, done)
    LessonProgress.objects.create(person=learner, lesson=watching, seconds_covered=45, duration=60)
    response = client_for(learner).get(course.url)
    assert response.status_code == 200
    assert statuses(response) == [
        ("读完的课", progress.COMPLETED, None),
        ("没读的课", progress.NOT_STARTED, None),
        ("看了一半的视频", progress.IN_PROGRESS, 75),
    ]
    assert response.context["course_status"].requirements[0].done == 1
    content = response.content.decode()
    assert 'data-state="completed"' in content and 'data-state="in_progress"' in content
    assert "75%" in content


def test_it_shows_no_status_to_someone_not_enrolled(client_for, other_secretary, learner, course, make_lesson):
    lesson = make_lesson("读完的课")
    progress.record(learner, lesson)
    response = client_for(other_secretary).get(course.url)
    assert statuses(response) == [("读完的课", None, None)]
    assert "data-state" not in response.content.decode()


def test_it_takes_the_same_number_of_queries_for_few_or_many_lessons(client_for, learner, course, make_lesson,
                                                                     make_video_lesson):
    client = client_for(learner)

    def add(i):
        reading = make_lesson(f"课时{i}")
        video = make_video_lesson(f"视频{i}")
        progress.record(learner, reading)
        progress.record(learner, video, completed=False)

    add(0)
    client.get(course.url)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(course.url).status_code == 200
        return len(queries)

    few = count()
    for i in range(1, 6):
        add(i)
    assert count() == few
