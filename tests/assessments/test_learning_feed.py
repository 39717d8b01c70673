"""Quizzes and their outcomes reach learning through lms.learning.activities: a published quiz is
a required assessment of its course, a pass is a done result (online) that earns 学时, and a
regrade that changes the outcome changes the result."""

from decimal import Decimal

import pytest

from lms.assessments.models import QuestionOption, ScoreChange, ScoreChangeReason
from lms.learning.models import ActivityKind, ActivityResult, CourseActivity, CreditEntry, Delivery

from .conftest import as_querydict, correct_sheet

pytestmark = pytest.mark.django_db


def result_of(person, quiz):
    return ActivityResult.objects.filter(person=person, activity__key=f"quiz:{quiz.pk}").first()


def test_it_makes_a_published_quiz_a_required_assessment_of_its_course(make_quiz, basic_questions, course):
    quiz = make_quiz("结业测验", questions=[basic_questions["single"]])
    activity = CourseActivity.objects.get(key=f"quiz:{quiz.pk}")
    assert (activity.course_id, activity.kind, activity.title, activity.required) == (
        course.pk, ActivityKind.ASSESSMENT, "结业测验", True)


def test_it_follows_the_required_flag_and_unpublishing(make_quiz, basic_questions):
    optional = make_quiz(questions=[basic_questions["single"]], required_for_completion=False)
    assert CourseActivity.objects.get(key=f"quiz:{optional.pk}").required is False
    quiz = make_quiz(questions=[basic_questions["single"]])
    quiz.unpublish()
    assert CourseActivity.objects.get(key=f"quiz:{quiz.pk}").required is False
    quiz.save_revision().publish()
    assert CourseActivity.objects.get(key=f"quiz:{quiz.pk}").required is True


def test_it_records_a_pass_as_done_online_and_earns_credit_hours(make_quiz, basic_questions, enrolled):
    quiz = make_quiz(questions=list(basic_questions.values()))
    attempt = quiz.start_attempt(enrolled)
    attempt = attempt.submit(as_querydict(correct_sheet(attempt)))
    result = result_of(enrolled, quiz)
    assert result.done and result.delivery == Delivery.ONLINE and result.done_at == attempt.submitted_at
    entry = CreditEntry.objects.get(person=enrolled, source_key__endswith=str(result.activity_id))
    assert entry.hours == Decimal("0.5")


def test_it_records_a_fail_as_not_done(make_quiz, basic_questions, enrolled):
    quiz = make_quiz(questions=list(basic_questions.values()))
    attempt = quiz.start_attempt(enrolled)
    attempt.submit(as_querydict({"attempt": str(attempt.pk)}))
    assert result_of(enrolled, quiz).done is False
    assert not CreditEntry.objects.filter(person=enrolled).exists()


def test_it_regrades_after_a_question_fix_and_updates_the_outcome(make_quiz, make_question, enrolled, category,
                                                                 training_office):
    wrong_key = make_question(options=[("甲", True), ("乙", False)], category=category)
    quiz = make_quiz(questions=[wrong_key])
    attempt = quiz.start_attempt(enrolled)
    chosen = QuestionOption.objects.get(question=wrong_key, text="乙")
    attempt.submit(as_querydict({"attempt": str(attempt.pk), f"a-{attempt.answers.get().pk}": str(chosen.pk)}))
    assert result_of(enrolled, quiz).done is False

    QuestionOption.objects.filter(question=wrong_key).update(is_correct=False)
    QuestionOption.objects.filter(pk=chosen.pk).update(is_correct=True)
    assert wrong_key.regrade_attempts(by=training_office.user) == 1

    attempt.refresh_from_db()
    assert attempt.score == Decimal("1.00") and attempt.passed
    assert result_of(enrolled, quiz).done is True
    change = ScoreChange.objects.get(subject=f"attempt:{attempt.pk}")
    assert (change.old_score, change.new_score, change.reason, change.changed_by) == (
        Decimal("0.00"), Decimal("1.00"), ScoreChangeReason.REGRADE, training_office.user)

    # fixing it back revokes the pass
    QuestionOption.objects.filter(question=wrong_key).update(is_correct=False)
    QuestionOption.objects.filter(question=wrong_key, text="甲").update(is_correct=True)
    wrong_key.regrade_attempts()
    assert result_of(enrolled, quiz).done is False
    assert wrong_key.regrade_attempts() == 0  # nothing changes a second time
