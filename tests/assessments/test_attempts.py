"""Attempts: the server-side time limit, open/close dates, allowed attempts, submission rules
(late, replayed, tampered sheets are refused and never counted) and the grading methods."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from lms.assessments.models import (
    Attempt, AttemptStatus, GradingMethod, QuestionKind, QuizRejected, close_expired_attempts,
)

from .conftest import answer_for, as_querydict, correct_sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz(make_quiz, basic_questions):
    return make_quiz(questions=list(basic_questions.values()), time_limit_minutes=10, max_attempts=3)


def wrong_sheet(attempt):
    return as_querydict({"attempt": str(attempt.pk)})  # nothing answered


def test_it_stores_the_deadline_when_the_attempt_starts_and_resumes_the_same_attempt(quiz, enrolled, clock):
    attempt = quiz.start_attempt(enrolled)
    assert attempt.deadline == clock.now + datetime.timedelta(minutes=10)
    clock.advance(120)
    again = quiz.start_attempt(enrolled)  # a reload, or the start button tapped twice
    assert again.pk == attempt.pk and again.deadline == attempt.deadline
    assert again.seconds_left() == 480
    assert Attempt.objects.count() == 1


def test_it_caps_the_deadline_at_the_close_of_the_quiz(make_quiz, basic_questions, enrolled, clock):
    quiz = make_quiz(questions=[basic_questions["single"]], time_limit_minutes=30,
                     closes_at=clock.now + datetime.timedelta(minutes=5))
    assert quiz.start_attempt(enrolled).deadline == quiz.closes_at


def test_it_grades_a_correct_sheet_in_full(quiz, enrolled, clock):
    attempt = quiz.start_attempt(enrolled)
    attempt = attempt.submit(as_querydict(correct_sheet(attempt)))
    assert attempt.status == AttemptStatus.GRADED
    assert (attempt.score, attempt.max_score, attempt.percent, attempt.passed) == (
        Decimal("4.00"), Decimal("4.00"), Decimal("100.00"), True)
    assert attempt.submitted_at == clock.now and not attempt.auto_submitted


def test_it_refuses_a_sheet_after_the_deadline_and_counts_only_what_was_saved_in_time(
        quiz, enrolled, basic_questions, clock, settings):
    settings.QUIZ_GRACE_SECONDS = 10
    attempt = quiz.start_attempt(enrolled)
    sheet = correct_sheet(attempt)
    single = answer_for(attempt, basic_questions["single"])
    attempt.save_sheet(as_querydict({"attempt": sheet["attempt"], single.field_name: sheet[single.field_name]}))
    clock.advance(10 * 60 + 11)
    with pytest.raises(QuizRejected) as refused:
        attempt.submit(as_querydict(sheet))
    assert "时间已到" in refused.value.message
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.GRADED and attempt.auto_submitted
    assert attempt.submitted_at == attempt.deadline
    assert attempt.score == Decimal("1.00")  # only the answer saved before the deadline


def test_it_accepts_a_sheet_within_the_network_grace(quiz, enrolled, clock, settings):
    settings.QUIZ_GRACE_SECONDS = 10
    attempt = quiz.start_attempt(enrolled)
    clock.advance(10 * 60 + 5)
    assert attempt.submit(as_querydict(correct_sheet(attempt))).score == Decimal("4.00")


def test_it_refuses_autosaves_after_the_deadline(quiz, enrolled, clock):
    attempt = quiz.start_attempt(enrolled)
    clock.advance(3600)
    with pytest.raises(QuizRejected):
        attempt.save_sheet(as_querydict(correct_sheet(attempt)))
    assert not any(a.response for a in attempt.answers.all())


def test_it_closes_expired_attempts_lazily_with_their_saved_answers(quiz, enrolled, clock):
    attempt = quiz.start_attempt(enrolled)
    attempt.save_sheet(as_querydict(correct_sheet(attempt)))
    clock.advance(3600)
    assert close_expired_attempts(quiz=quiz) == 1
    attempt.refresh_from_db()
    assert attempt.auto_submitted and attempt.passed and attempt.score == Decimal("4.00")
    assert close_expired_attempts(quiz=quiz) == 0


def test_it_refuses_a_replayed_submission(quiz, enrolled):
    attempt = quiz.start_attempt(enrolled)
    attempt.submit(wrong_sheet(attempt))
    with pytest.raises(QuizRejected) as refused:
        attempt.submit(as_querydict(correct_sheet(attempt)))
    assert refused.value.status == 409 and "重复提交不计入成绩" in refused.value.message
    attempt.refresh_from_db()
    assert attempt.score == Decimal("0.00")


def test_it_refuses_options_of_another_question_and_saves_nothing(quiz, enrolled, basic_questions):
    attempt = quiz.start_attempt(enrolled)
    sheet = correct_sheet(attempt)
    single = answer_for(attempt, basic_questions["single"])
    multiple = answer_for(attempt, basic_questions["multiple"])
    sheet[single.field_name] = [str(multiple.option_order[0])]
    with pytest.raises(QuizRejected) as refused:
        attempt.submit(as_querydict(sheet))
    assert "不属于该题的选项" in refused.value.message
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS
    assert not any(a.response for a in attempt.answers.all())


@pytest.mark.parametrize("tamper", ["unknown option", "two options on a single choice", "bad true/false",
                                    "foreign question", "other attempt id"])
def test_it_refuses_tampered_sheets(quiz, enrolled, basic_questions, tamper, other_secretary, course):
    attempt = quiz.start_attempt(enrolled)
    sheet = correct_sheet(attempt)
    single = answer_for(attempt, basic_questions["single"])
    if tamper == "unknown option":
        sheet[single.field_name] = ["999999"]
    elif tamper == "two options on a single choice":
        sheet[single.field_name] = [str(pk) for pk in single.option_order[:2]]
    elif tamper == "bad true/false":
        sheet[answer_for(attempt, basic_questions["true_false"]).field_name] = "maybe"
    elif tamper == "foreign question":
        sheet["a-999999"] = "x"
    else:
        sheet["attempt"] = str(attempt.pk + 1)
    with pytest.raises(QuizRejected) as refused:
        attempt.submit(as_querydict(sheet))
    assert refused.value.status == 400 and "未保存任何内容" in refused.value.message
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS and attempt.score is None


def test_it_refuses_to_start_before_opening_after_closing_and_beyond_the_allowed_attempts(
        make_quiz, basic_questions, enrolled, clock):
    now = clock.now
    early = make_quiz(questions=[basic_questions["single"]], opens_at=now + datetime.timedelta(hours=1))
    with pytest.raises(QuizRejected, match="尚未开放"):
        early.start_attempt(enrolled)
    late = make_quiz(questions=[basic_questions["single"]], closes_at=now - datetime.timedelta(hours=1))
    with pytest.raises(QuizRejected, match="已截止"):
        late.start_attempt(enrolled)
    once = make_quiz(questions=[basic_questions["single"]], max_attempts=1)
    attempt = once.start_attempt(enrolled)
    attempt.submit(wrong_sheet(attempt))
    with pytest.raises(QuizRejected, match="作答次数已用完"):
        once.start_attempt(enrolled)
    assert once.attempts_left(enrolled) == 0


def test_it_refuses_submissions_after_the_close_date_moved_earlier(make_quiz, basic_questions, enrolled, clock):
    quiz = make_quiz(questions=[basic_questions["single"]])
    attempt = quiz.start_attempt(enrolled)
    quiz.closes_at = clock.now + datetime.timedelta(minutes=1)
    quiz.save()
    clock.advance(120)
    with pytest.raises(QuizRejected):
        Attempt.objects.get(pk=attempt.pk).submit(as_querydict(correct_sheet(attempt)))
    assert Attempt.objects.get(pk=attempt.pk).score == Decimal("0.00")


def test_it_allows_unlimited_attempts_when_the_quiz_says_zero(make_quiz, basic_questions, enrolled):
    quiz = make_quiz(questions=[basic_questions["single"]], max_attempts=0)
    for number in range(1, 5):
        attempt = quiz.start_attempt(enrolled)
        assert attempt.number == number
        attempt.submit(wrong_sheet(attempt))
    assert quiz.attempts_left(enrolled) is None


def _take(quiz, person, right):
    """An attempt with `right` of the quiz's four 1-point questions answered correctly."""
    attempt = quiz.start_attempt(person)
    sheet = correct_sheet(attempt)
    for answer in list(attempt.answers.order_by("position"))[right:]:
        sheet.pop(answer.field_name)
    return attempt.submit(as_querydict(sheet))


@pytest.mark.parametrize("method, expected, passed", [
    (GradingMethod.HIGHEST, Decimal("75.00"), True),
    (GradingMethod.LAST, Decimal("50.00"), False),
    (GradingMethod.FIRST, Decimal("25.00"), False),
    (GradingMethod.AVERAGE, Decimal("50.00"), False),
])
def test_it_combines_attempts_by_the_grading_method(make_quiz, basic_questions, enrolled, method, expected, passed):
    quiz = make_quiz(questions=list(basic_questions.values()), max_attempts=0, grading_method=method, pass_percent=60)
    for right in (1, 3, 2):
        _take(quiz, enrolled, right)
    outcome = quiz.outcome_for(enrolled)
    assert (outcome.percent, outcome.passed, outcome.pending, outcome.attempts) == (expected, passed, False, 3)


def test_it_applies_the_pass_mark(make_quiz, basic_questions, enrolled):
    quiz = make_quiz(questions=list(basic_questions.values()), max_attempts=0, pass_percent=75)
    assert _take(quiz, enrolled, 2).passed is False
    assert _take(quiz, enrolled, 3).passed is True


def test_it_waits_for_essays_before_deciding(make_quiz, basic_questions, make_question, enrolled, training_office):
    essay = make_question(QuestionKind.ESSAY, "谈谈如何做好群众工作。", points="4")
    quiz = make_quiz(questions=[basic_questions["single"], essay], pass_percent=60)
    attempt = quiz.start_attempt(enrolled)
    attempt = attempt.submit(as_querydict(correct_sheet(attempt)))
    assert attempt.status == AttemptStatus.AWAITING_GRADING and attempt.passed is None
    assert attempt.score == Decimal("1.00") and attempt.max_score == Decimal("5.00")
    assert quiz.outcome_for(enrolled).pending
    answer = answer_for(attempt, essay)
    attempt = answer.grade_essay(Decimal("3"), "论述清楚，联系实际不足。", training_office.user)
    assert attempt.status == AttemptStatus.GRADED and attempt.score == Decimal("4.00") and attempt.passed
    assert quiz.outcome_for(enrolled).passed is True


def test_it_scores_an_empty_essay_zero_without_a_grader(make_quiz, basic_questions, make_question, enrolled):
    essay = make_question(QuestionKind.ESSAY, "谈谈体会。")
    quiz = make_quiz(questions=[basic_questions["single"], essay])
    attempt = quiz.start_attempt(enrolled)
    attempt = attempt.submit(as_querydict({"attempt": str(attempt.pk)}))
    assert attempt.status == AttemptStatus.GRADED and attempt.score == Decimal("0.00")


def test_it_never_has_two_attempts_in_progress(quiz, enrolled):
    from django.db import IntegrityError, transaction

    attempt = quiz.start_attempt(enrolled)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(quiz=quiz, person=enrolled, number=2, seed=1, started_at=timezone.now())
    assert attempt.in_progress
