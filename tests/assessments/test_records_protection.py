"""Nothing learners did is lost by editing content: a quiz (or the course above it) with answer
sheets cannot be deleted, and attempts whose time is up are closed by the periodic sweep."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from lms.assessments import tasks
from lms.assessments.models import AttemptStatus, QuizPage

from .conftest import as_querydict, correct_sheet

pytestmark = pytest.mark.django_db


def test_it_refuses_deleting_a_quiz_or_its_course_with_answer_sheets(client_for, superuser, make_quiz,
                                                                      basic_questions, enrolled, course):
    quiz = make_quiz(questions=[basic_questions["single"]])
    quiz.start_attempt(enrolled)
    client = client_for(superuser)
    response = client.post(reverse("wagtailadmin_pages:delete", args=[quiz.pk]), follow=True)
    assert "下有学员的测验或考核成绩，不能删除" in response.content.decode()
    client.post(reverse("wagtailadmin_pages:delete", args=[course.pk]))
    bulk = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
    client.post(f"{bulk}?id={quiz.pk}", {})
    assert QuizPage.objects.filter(pk=quiz.pk).exists() and type(course).objects.filter(pk=course.pk).exists()


def test_it_lets_a_quiz_without_sheets_be_deleted(client_for, superuser, make_quiz, basic_questions):
    quiz = make_quiz(questions=[basic_questions["single"]])
    client_for(superuser).post(reverse("wagtailadmin_pages:delete", args=[quiz.pk]))
    assert not QuizPage.objects.filter(pk=quiz.pk).exists()


def test_the_sweep_closes_expired_attempts_with_their_saved_answers(make_quiz, basic_questions, enrolled, clock):
    quiz = make_quiz(questions=list(basic_questions.values()), time_limit_minutes=5)
    attempt = quiz.start_attempt(enrolled)
    attempt.save_sheet(as_querydict(correct_sheet(attempt)))
    assert tasks.close_expired_attempts() == 0
    clock.advance(datetime.timedelta(minutes=6).total_seconds())
    assert tasks.close_expired_attempts() == 1
    assert tasks.close_expired_attempts() == 0
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.GRADED and attempt.score == Decimal("4.00") and attempt.auto_submitted
