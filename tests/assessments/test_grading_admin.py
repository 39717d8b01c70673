"""The essay grading queue and answer sheets in the admin: the training office grades the essays
of the persons in its scope; others get 403, another scope's answer is a 404."""

from decimal import Decimal

import pytest
from django.urls import reverse

from lms.assessments.models import AttemptStatus, QuestionKind, ScoreChange, ScoreChangeReason
from lms.learning.models import ActivityResult

from .conftest import answer_for, as_querydict, correct_sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def essay(make_question):
    return make_question(QuestionKind.ESSAY, "结合工作实际，谈谈如何做好群众工作。", points="4",
                         explanation="要点：密切联系群众、解决实际问题。")


@pytest.fixture
def submitted(make_quiz, basic_questions, essay, enrolled):
    quiz = make_quiz(questions=[basic_questions["single"], essay], pass_percent=60)
    attempt = quiz.start_attempt(enrolled)
    return attempt.submit(as_querydict(correct_sheet(attempt)))


def test_it_lists_essays_awaiting_grading_for_the_training_office(client_for, training_office, submitted):
    html = client_for(training_office).get(reverse("assessments_grading_queue")).content.decode()
    assert "结合工作实际" in html and "张书记" in html and "1 份主观题答案待评分" in html


@pytest.mark.parametrize("who", ["trainer", "secretary", "hr"])
def test_it_refuses_the_queue_to_those_who_do_not_grade(client_for, who, request, submitted):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("assessments_grading_queue")).status_code in (302, 403)
    answer = submitted.answers.get(question__kind=QuestionKind.ESSAY)
    response = client.post(reverse("assessments_grade_answer", args=[answer.pk]), {"score": "4"})
    assert response.status_code in (302, 403)
    answer.refresh_from_db()
    assert answer.score is None


def test_it_hides_another_streets_essays_from_a_street_scoped_grader(client_for, make_person, org_tree, submitted):
    from lms.people import roles

    grader = make_person("西山培训员", org_tree["street_b"], groups=[roles.TRAINING_OFFICE])
    client = client_for(grader)
    assert "结合工作实际" not in client.get(reverse("assessments_grading_queue")).content.decode()
    answer = submitted.answers.get(question__kind=QuestionKind.ESSAY)
    assert client.get(reverse("assessments_grade_answer", args=[answer.pk])).status_code == 404
    assert client.get(reverse("assessments_attempt_sheet", args=[submitted.pk])).status_code == 404


def test_it_grades_an_essay_with_a_comment_and_reports_the_pass(client_for, training_office, submitted, enrolled):
    answer = submitted.answers.get(question__kind=QuestionKind.ESSAY)
    client = client_for(training_office)
    assert "密切联系群众" in client.get(reverse("assessments_grade_answer", args=[answer.pk])).content.decode()
    response = client.post(reverse("assessments_grade_answer", args=[answer.pk]),
                           {"score": "3", "comment": "联系实际不足。", "next": "list"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == AttemptStatus.GRADED and submitted.score == Decimal("4.00") and submitted.passed
    answer.refresh_from_db()
    assert (answer.comment, answer.graded_by) == ("联系实际不足。", training_office.user)
    change = ScoreChange.objects.get(subject=f"answer:{answer.pk}")
    assert (change.old_score, change.new_score, change.reason) == (None, Decimal("3.00"), ScoreChangeReason.GRADING)
    assert ActivityResult.objects.get(person=enrolled, activity__key=f"quiz:{submitted.quiz_id}").done
    # the learner sees the comment on the result page
    html = client_for(enrolled).get(reverse("quiz-attempt", args=[submitted.pk])).content.decode()
    assert "联系实际不足。" in html


def test_it_regrades_an_essay_lower_and_revokes_the_pass(client_for, training_office, submitted, enrolled):
    answer = submitted.answers.get(question__kind=QuestionKind.ESSAY)
    client = client_for(training_office)
    client.post(reverse("assessments_grade_answer", args=[answer.pk]), {"score": "4"})
    client.post(reverse("assessments_grade_answer", args=[answer.pk]), {"score": "1"})
    submitted.refresh_from_db()
    assert submitted.score == Decimal("2.00") and submitted.passed is False
    assert ActivityResult.objects.get(person=enrolled, activity__key=f"quiz:{submitted.quiz_id}").done is False
    assert ScoreChange.objects.filter(subject=f"answer:{answer.pk}").count() == 2


@pytest.mark.parametrize("score, message", [("5", "分数必须在 0 到 4.00 之间"), ("-1", "分数必须在"),
                                            ("很好", "请以数字填写分数"), ("NaN", "请以数字填写分数")])
def test_it_refuses_a_bad_score_with_a_chinese_message(client_for, training_office, submitted, score, message):
    answer = submitted.answers.get(question__kind=QuestionKind.ESSAY)
    response = client_for(training_office).post(reverse("assessments_grade_answer", args=[answer.pk]), {"score": score})
    assert response.status_code == 400 and message in response.content.decode()
    answer.refresh_from_db()
    assert answer.score is None


def test_it_shows_the_whole_sheet_with_the_key_to_staff_in_scope(client_for, training_office, street_admin, submitted):
    for who in (training_office, street_admin):
        html = client_for(who).get(reverse("assessments_attempt_sheet", args=[submitted.pk])).content.decode()
        assert "实现共产主义 ✔" in html


def test_it_regrades_when_a_trainer_fixes_a_question_in_the_admin(client_for, trainer, make_quiz, basic_questions,
                                                                   enrolled):
    question = basic_questions["true_false"]
    quiz = make_quiz(questions=[question])
    attempt = quiz.start_attempt(enrolled)
    attempt.submit(as_querydict({"attempt": str(attempt.pk), answer_for(attempt, question).field_name: "false"}))
    attempt.refresh_from_db()
    assert attempt.score == Decimal("0.00")
    url = reverse("wagtailsnippets_assessments_question:edit", args=[question.pk])
    data = {"kind": "true_false", "text": question.text, "difficulty": "2", "points": "1", "answer_true": "false",
            "accepted_answers": "", "explanation": "", "is_active": "on", "tags": "",
            "options-TOTAL_FORMS": "0", "options-INITIAL_FORMS": "0", "options-MIN_NUM_FORMS": "0",
            "options-MAX_NUM_FORMS": "1000"}
    response = client_for(trainer).post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    attempt.refresh_from_db()
    assert attempt.score == Decimal("1.00") and attempt.passed
    assert ActivityResult.objects.get(person=enrolled, activity__key=f"quiz:{quiz.pk}").done


def test_it_refuses_an_inconsistent_answer_key_in_the_admin(client_for, trainer):
    from lms.assessments.models import Question

    data = {"kind": "single", "text": "新题", "difficulty": "2", "points": "1", "answer_true": "",
            "accepted_answers": "", "explanation": "", "is_active": "on", "tags": "",
            "options-TOTAL_FORMS": "2", "options-INITIAL_FORMS": "0", "options-MIN_NUM_FORMS": "0",
            "options-MAX_NUM_FORMS": "1000",
            "options-0-text": "甲", "options-0-is_correct": "on", "options-0-ORDER": "1",
            "options-1-text": "乙", "options-1-is_correct": "on", "options-1-ORDER": "2"}
    response = client_for(trainer).post(reverse("wagtailsnippets_assessments_question:add"), data)
    assert response.status_code == 200
    assert "单选题必须有且只有一个正确选项" in response.content.decode()
    assert not Question.objects.exists()


def test_it_refuses_deleting_a_question_that_sheets_use(client_for, training_office, submitted):
    question = submitted.answers.first().question
    url = reverse("wagtailsnippets_assessments_question:delete", args=[question.pk])
    response = client_for(training_office).post(url, follow=True)
    assert "已被答卷使用，不能删除" in response.content.decode()
    question.refresh_from_db()
