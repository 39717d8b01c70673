"""Question bank and quiz fixtures for the assessments tests."""

import datetime
from decimal import Decimal

import pytest

from lms.assessments.models import (
    Question, QuestionCategory, QuestionKind, QuestionOption, QuizFixedQuestion, QuizPage, QuizRandomRule,
)
from lms.learning.models import Enrollment, EnrollmentSource


@pytest.fixture
def category(db):
    return QuestionCategory.objects.create(name="党章党规")


@pytest.fixture
def other_category(db):
    return QuestionCategory.objects.create(name="基层治理")


@pytest.fixture
def make_question(db):
    """Factory. Choice questions take options as [(text, is_correct)]."""

    def make(kind=QuestionKind.SINGLE, text="党的最高理想和最终目标是什么？", *, options=None, category=None,
             points="1", **fields):
        if options is None and kind == QuestionKind.SINGLE:
            options = [("实现共产主义", True), ("全面建成小康社会", False), ("实现现代化", False), ("消除贫困", False)]
        if options is None and kind == QuestionKind.MULTIPLE:
            options = [("坚持党的领导", True), ("坚持人民至上", True), ("坚持理论创新", True), ("坚持闭门造车", False)]
        question = Question.objects.create(kind=kind, text=text, category=category, points=Decimal(points), **fields)
        for order, (option_text, correct) in enumerate(options or []):
            QuestionOption.objects.create(question=question, text=option_text, is_correct=correct, sort_order=order)
        return question

    return make


@pytest.fixture
def make_quiz(course):
    """Factory: a published QuizPage in `course` with fixed questions and random rules
    [(category, count)] or [(category, count, difficulty)]."""

    def make(title="第一季度学习测验", *, questions=(), rules=(), parent=None, slug=None, publish=True, **fields):
        parent = parent or course
        fields.setdefault("shuffle_questions", False)
        fields.setdefault("shuffle_options", False)
        quiz = QuizPage(title=title, slug=slug or f"quiz-{QuizPage.objects.count() + 1}", **fields)
        for order, question in enumerate(questions):
            quiz.fixed_questions.add(QuizFixedQuestion(question=question, sort_order=order))
        for order, rule in enumerate(rules):
            category, count, *difficulty = rule
            quiz.random_rules.add(QuizRandomRule(category=category, count=count,
                                                 difficulty=difficulty[0] if difficulty else None, sort_order=order))
        if not publish:
            quiz.live = False
        parent.add_child(instance=quiz)
        revision = quiz.save_revision()
        if publish:
            revision.publish()
        return QuizPage.objects.get(pk=quiz.pk)

    return make


@pytest.fixture
def enrolled(secretary, course):
    Enrollment.enrol(secretary, course, EnrollmentSource.BULK)
    return secretary


@pytest.fixture
def basic_questions(make_question, category):
    """One question of every objective kind, 1 point each, plus a 2-point essay when asked."""
    return {
        "single": make_question(QuestionKind.SINGLE, category=category),
        "multiple": make_question(QuestionKind.MULTIPLE, "新时代党的建设总要求包括哪些？", category=category),
        "true_false": make_question(QuestionKind.TRUE_FALSE, "党的基层组织每年至少召开一次组织生活会。",
                                    answer_true=True, category=category),
        "fill_in": make_question(QuestionKind.FILL_IN, "党的根本宗旨是全心全意为____服务。",
                                 accepted_answers="人民\n人民群众", category=category),
    }


def answer_for(attempt, question):
    return attempt.answers.get(question=question)


def correct_sheet(attempt):
    """The POST data of a fully correct sheet for `attempt` (essays answered with some text)."""
    data = {"attempt": str(attempt.pk)}
    for answer in attempt.answers.select_related("question"):
        question = answer.question
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            data[answer.field_name] = [str(pk) for pk in question.correct_option_ids()]
        elif question.kind == QuestionKind.TRUE_FALSE:
            data[answer.field_name] = "true" if question.answer_true else "false"
        elif question.kind == QuestionKind.FILL_IN:
            data[answer.field_name] = question.accepted_answer_list()[0]
        else:
            data[answer.field_name] = "我的体会：密切联系群众。"
    return data


def as_querydict(data):
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, value in data.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return query


@pytest.fixture
def days():
    return lambda n: datetime.timedelta(days=n)
