"""Reading lessons: opened = started; scrolled to the end or "mark as done" (POST
/me/lessons/<id>/done/) = completed, once."""

import pytest
from django.urls import reverse

from lms.learning.models import Enrollment, EnrollmentSource, LessonProgress

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def done_url(lesson):
    return reverse("lesson-done", args=[lesson.pk])


@pytest.fixture
def learner(secretary, course):
    Enrollment.enrol(secretary, course, EnrollmentSource.BULK)
    return secretary


def test_it_records_the_start_when_an_enrolled_learner_opens_the_lesson(client_for, learner, lesson):
    response = client_for(learner).get(lesson.url)
    assert response.status_code == 200
    progress = LessonProgress.objects.get(person=learner, lesson_id=lesson.pk)
    assert progress.started_at and progress.completed_at is None
    content = response.content.decode()
    assert done_url(lesson) in content and "js/lesson-done.js" in content


def test_it_records_nothing_for_a_visitor_not_enrolled(client_for, other_secretary, lesson):
    response = client_for(other_secretary).get(lesson.url)
    assert response.status_code == 200
    assert not LessonProgress.objects.exists()
    assert done_url(lesson) not in response.content.decode()


def test_it_completes_the_lesson_from_the_script(client_for, learner, lesson):
    response = client_for(learner).post(done_url(lesson), **JSON)
    assert response.status_code == 200
    assert response.json()["completed"] is True
    assert LessonProgress.objects.get(person=learner, lesson_id=lesson.pk).completed_at is not None


def test_it_completes_the_lesson_from_the_button_and_goes_back(client_for, learner, lesson):
    client = client_for(learner)
    response = client.post(done_url(lesson))
    assert response.status_code == 302 and response["Location"] == lesson.url
    page = client.get(lesson.url).content.decode()
    assert "js/lesson-done.js" not in page  # nothing left to do


def test_it_keeps_the_first_completion_time(client_for, learner, lesson, clock):
    client = client_for(learner)
    first = client.post(done_url(lesson), **JSON).json()["completed_at"]
    clock.advance(3600)
    assert client.post(done_url(lesson), **JSON).json()["completed_at"] == first
    assert LessonProgress.objects.filter(person=learner).count() == 1


def test_it_refuses_anonymous_users(client, lesson):
    assert client.post(done_url(lesson), **JSON).status_code == 403
    assert client.post(done_url(lesson)).status_code == 403
    assert not LessonProgress.objects.exists()


def test_it_refuses_learners_not_enrolled(client_for, other_secretary, lesson):
    client = client_for(other_secretary)
    assert client.post(done_url(lesson), **JSON).status_code == 403
    assert client.post(done_url(lesson)).status_code == 403
    assert not LessonProgress.objects.exists()


def test_it_answers_404_for_video_lessons_and_drafts(client_for, learner, video_lesson, make_lesson):
    draft = make_lesson("草稿", publish=False)
    client = client_for(learner)
    assert client.post(done_url(video_lesson)).status_code == 404
    assert client.post(done_url(draft)).status_code == 404


def test_it_accepts_only_post(client_for, learner, lesson):
    assert client_for(learner).get(done_url(lesson)).status_code == 405
