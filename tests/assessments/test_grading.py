"""Automatic grading of each question type, the multiple-choice partial credit rules and the
answer-key checks shared by the admin form and the import."""

from decimal import Decimal

import pytest

from lms.assessments.models import MultipleChoiceScoring, Question, QuestionKind, normalize_text_answer

pytestmark = pytest.mark.django_db


def ids(question, *texts):
    return sorted(question.options.get(text=t).pk for t in texts)


def test_it_grades_a_single_choice_question(make_question):
    question = make_question(QuestionKind.SINGLE, points="2")
    assert question.grade(ids(question, "实现共产主义")) == (Decimal("2.00"), True)
    assert question.grade(ids(question, "消除贫困")) == (Decimal("0.00"), False)
    assert question.grade(None) == (Decimal("0.00"), False)


def test_it_grades_a_true_or_false_question(make_question):
    question = make_question(QuestionKind.TRUE_FALSE, "判断题", answer_true=False)
    assert question.grade(False) == (Decimal("1.00"), True)
    assert question.grade(True) == (Decimal("0.00"), False)
    assert question.grade(None) == (Decimal("0.00"), False)


def test_it_grades_fill_in_answers_ignoring_spaces_case_and_full_width(make_question):
    question = make_question(QuestionKind.FILL_IN, "填空", accepted_answers="人民\nCPC 党章")
    assert question.grade("人民")[1] is True
    assert question.grade(" 人 民 ")[1] is True
    assert question.grade("ＣＰＣ党章")[1] is True
    assert question.grade("cpc  党章")[1] is True
    assert question.grade("群众") == (Decimal("0.00"), False)
    assert normalize_text_answer("Ａ Ｂ") == "ab"


def test_it_leaves_essays_to_a_grader(make_question):
    question = make_question(QuestionKind.ESSAY, "谈谈你的体会")
    assert question.grade("体会") == (None, None)


@pytest.mark.parametrize("scoring, two_of_three", [
    (MultipleChoiceScoring.EXACT, Decimal("0.00")),
    (MultipleChoiceScoring.PROPORTIONAL, Decimal("2.00")),
    (MultipleChoiceScoring.HALF, Decimal("1.50")),
])
def test_it_scores_multiple_choice_by_the_quiz_rule(make_question, scoring, two_of_three):
    question = make_question(QuestionKind.MULTIPLE, points="3")
    everything_right = ids(question, "坚持党的领导", "坚持人民至上", "坚持理论创新")
    assert question.grade(everything_right, multiple_scoring=scoring) == (Decimal("3.00"), True)
    points, correct = question.grade(ids(question, "坚持党的领导", "坚持人民至上"), multiple_scoring=scoring)
    assert (points, correct) == (two_of_three, False)
    # any wrong option scores zero, whatever the rule
    with_wrong = ids(question, "坚持党的领导", "坚持人民至上", "坚持理论创新", "坚持闭门造车")
    assert question.grade(with_wrong, multiple_scoring=scoring) == (Decimal("0.00"), False)


def test_it_rounds_proportional_credit_to_cents(make_question):
    question = make_question(QuestionKind.MULTIPLE, points="1")
    points, _ = question.grade(ids(question, "坚持党的领导"), multiple_scoring=MultipleChoiceScoring.PROPORTIONAL)
    assert points == Decimal("0.33")


@pytest.mark.parametrize("kind, options, extra, message", [
    (QuestionKind.SINGLE, [("甲", True)], {}, "至少需要两个选项"),
    (QuestionKind.SINGLE, [("甲", True), ("乙", True)], {}, "有且只有一个正确选项"),
    (QuestionKind.MULTIPLE, [("甲", False), ("乙", False)], {}, "至少需要一个正确选项"),
    (QuestionKind.TRUE_FALSE, [], {}, "请说明该判断是正确还是错误"),
    (QuestionKind.FILL_IN, [], {"accepted_answers": "  \n"}, "至少给出一个可接受的答案"),
    (QuestionKind.ESSAY, [("甲", True), ("乙", False)], {}, "只有选择题才有选项"),
])
def test_it_explains_what_is_wrong_with_an_answer_key_in_chinese(kind, options, extra, message):
    errors = Question.key_errors(kind, options, **extra)
    assert any(message in error for error in errors), errors


def test_it_accepts_a_sound_answer_key():
    assert Question.key_errors(QuestionKind.MULTIPLE, [("甲", True), ("乙", True), ("丙", False)]) == []
    assert Question.key_errors(QuestionKind.TRUE_FALSE, [], answer_true=False) == []
