"""Audit trail fixtures: a hand-moved clock, a session of the `course` fixture with two enrolled
secretaries of different streets, an offline exam and a one-question quiz."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from lms.assessments.models import OfflineAssessment, Question, QuestionKind, QuestionOption, QuizFixedQuestion, QuizPage
from lms.attendance.models import Session, SessionMode
from lms.learning.models import Enrollment, EnrollmentSource

T0 = datetime.datetime(2026, 3, 20, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def set(self, moment):
        self.now = moment
        return moment


@pytest.fixture
def clock():
    fake = Clock(T0)
    with mock.patch.object(timezone, "now", fake):
        yield fake


def at(minutes=0, seconds=0):
    return T0 + datetime.timedelta(minutes=minutes, seconds=seconds)


@pytest.fixture
def session(course):
    """A 100-minute hybrid session from T0: present online from 80 minutes."""
    return Session.objects.create(course=course, title="头雁讲坛·社区治理", mode=SessionMode.HYBRID,
                                  stream_url="https://live.example.cn/player/42", starts_at=T0,
                                  ends_at=T0 + datetime.timedelta(minutes=100))


@pytest.fixture
def roster(course, secretary, other_secretary):
    for person in (secretary, other_secretary):
        Enrollment.enrol(person, course, EnrollmentSource.BULK)
    return secretary, other_secretary


@pytest.fixture
def exam(course):
    return OfflineAssessment.objects.create(course=course, title="社区书记班结业考核", held_on=datetime.date(2026, 3, 20),
                                            max_score=Decimal("100"), pass_score=Decimal("60"))


@pytest.fixture
def quiz_question(db):
    question = Question.objects.create(kind=QuestionKind.SINGLE, text="党的最高理想和最终目标是什么？", points=Decimal("2"))
    for order, (text, correct) in enumerate([("实现共产主义", True), ("全面建成小康社会", False)]):
        QuestionOption.objects.create(question=question, text=text, is_correct=correct, sort_order=order)
    return question


@pytest.fixture
def quiz(course, quiz_question):
    page = QuizPage(title="第一季度学习测验", slug="audit-quiz", shuffle_questions=False, shuffle_options=False)
    page.fixed_questions.add(QuizFixedQuestion(question=quiz_question, sort_order=0))
    course.add_child(instance=page)
    page.save_revision().publish()
    return QuizPage.objects.get(pk=page.pk)
