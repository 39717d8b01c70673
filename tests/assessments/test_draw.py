"""Drawing questions: fixed and random per category, reproducible from the attempt's seed,
questions and options shuffled per attempt."""

import pytest

from lms.assessments.models import Difficulty, QuestionKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(make_question, category, other_category):
    party = [make_question(QuestionKind.SINGLE, f"党章题{i}", category=category,
                           difficulty=Difficulty.HARD if i < 3 else Difficulty.EASY) for i in range(10)]
    governance = [make_question(QuestionKind.TRUE_FALSE, f"治理题{i}", answer_true=True, category=other_category)
                  for i in range(6)]
    return party, governance


def _shape(drawn):
    return [(question.pk, order) for question, order in drawn]


def test_it_draws_the_same_questions_and_option_order_for_the_same_seed(make_quiz, bank, category, other_category):
    quiz = make_quiz(rules=[(category, 4), (other_category, 2)], shuffle_questions=True, shuffle_options=True)
    first = _shape(quiz.draw(12345))
    assert first == _shape(quiz.draw(12345))
    assert len(first) == 6
    seeds = {tuple((pk, tuple(order)) for pk, order in _shape(quiz.draw(seed))) for seed in range(20)}
    assert len(seeds) > 1, "different seeds should give different draws"


def test_it_stores_the_draw_on_the_attempt_and_reproduces_it_from_the_seed(make_quiz, bank, category, enrolled):
    quiz = make_quiz(rules=[(category, 5)], shuffle_questions=True, shuffle_options=True)
    attempt = quiz.start_attempt(enrolled)
    stored = [(a.question_id, a.option_order) for a in attempt.answers.order_by("position")]
    assert stored == _shape(quiz.draw(attempt.seed))


def test_it_draws_per_category_without_repeating_fixed_questions(make_quiz, bank, category, other_category):
    party, governance = bank
    quiz = make_quiz(questions=[party[0], governance[0]], rules=[(category, 9), (other_category, 5)])
    for seed in range(5):
        drawn = [question for question, _ in quiz.draw(seed)]
        pks = [q.pk for q in drawn]
        assert len(pks) == len(set(pks)) == 16
        assert pks[:2] == [party[0].pk, governance[0].pk]  # fixed first when questions are not shuffled
        assert sum(1 for q in drawn if q.category_id == category.pk) == 10


def test_it_draws_only_active_questions_of_the_rule_difficulty(make_quiz, bank, category):
    party, _ = bank
    party[0].is_active = False
    party[0].save()
    quiz = make_quiz(rules=[(category, 5, Difficulty.HARD)])
    for seed in range(5):
        drawn = {q.pk for q, _ in quiz.draw(seed)}
        assert drawn == {party[1].pk, party[2].pk}
    assert [(rule.count, available) for rule, available in quiz.draw_shortfall()] == [(5, 2)]


def test_it_shuffles_options_only_when_the_quiz_says_so(make_quiz, make_question):
    question = make_question(QuestionKind.SINGLE, options=[(f"选项{i}", i == 0) for i in range(6)])
    in_order = [o.pk for o in question.options.order_by("sort_order")]
    plain = make_quiz(questions=[question], shuffle_options=False)
    assert all(plain.draw(seed)[0][1] == in_order for seed in range(5))
    shuffled = make_quiz(questions=[question], shuffle_options=True)
    orders = [shuffled.draw(seed)[0][1] for seed in range(10)]
    assert all(sorted(order) == sorted(in_order) for order in orders)
    assert any(order != in_order for order in orders)


def test_it_puts_quizzes_only_under_courses():
    from courses.models import CoursePage
    from lms.assessments.models import QuizPage

    assert QuizPage.allowed_parent_page_models() == [CoursePage]
    assert QuizPage.allowed_subpage_models() == []
