"""A lesson with learner progress cannot be deleted from the admin (single or bulk), nor the
course above it; a lesson without progress can."""

import pytest
from django.urls import reverse

from lms.learning import progress
from lms.learning.models import LessonProgress

pytestmark = pytest.mark.django_db


def test_it_refuses_deleting_a_lesson_with_progress(client_for, superuser, secretary, video_lesson):
    progress.record(secretary, video_lesson, completed=False)
    response = client_for(superuser).post(reverse("wagtailadmin_pages:delete", args=[video_lesson.pk]))
    assert response.status_code == 302
    assert type(video_lesson).objects.filter(pk=video_lesson.pk).exists()
    assert LessonProgress.objects.filter(lesson_id=video_lesson.pk).exists()


def test_it_refuses_deleting_the_course_of_a_lesson_with_progress(client_for, superuser, secretary, course, lesson):
    progress.record(secretary, lesson)
    client_for(superuser).post(reverse("wagtailadmin_pages:delete", args=[course.pk]))
    assert type(course).objects.filter(pk=course.pk).exists()
    bulk = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
    client_for(superuser).post(f"{bulk}?id={lesson.pk}", {})
    assert type(lesson).objects.filter(pk=lesson.pk).exists()


def test_it_deletes_a_lesson_without_progress(client_for, superuser, lesson):
    response = client_for(superuser).post(reverse("wagtailadmin_pages:delete", args=[lesson.pk]))
    assert response.status_code == 302
    assert not type(lesson).objects.filter(pk=lesson.pk).exists()
