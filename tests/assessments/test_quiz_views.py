"""The learner's quiz pages: access (never another's attempt, never the answer key before
submitting), autosave, submit, the result page."""

import datetime
import re

import pytest
from django.urls import reverse

from lms.assessments.models import AnswerVisibility, Attempt, AttemptStatus, QuestionKind

from .conftest import answer_for, correct_sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz(make_quiz, basic_questions, make_question, category):
    basic_questions["single"].explanation = "党章总纲明确规定。"
    basic_questions["single"].save()
    return make_quiz(questions=list(basic_questions.values()), time_limit_minutes=20, max_attempts=2)


def start(client, quiz):
    response = client.post(reverse("quiz-start", args=[quiz.pk]))
    assert response.status_code == 302
    return Attempt.objects.get(pk=int(re.search(r"/attempts/(\d+)/", response["Location"]).group(1)))


def test_it_shows_the_quiz_rules_and_a_start_button_to_an_enrolled_learner(client_for, quiz, enrolled):
    response = client_for(enrolled).get(quiz.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "开始答题" in html and "20 分钟" in html and "最高分" in html


def test_it_tells_a_learner_who_is_not_enrolled_and_refuses_to_start(client_for, quiz, other_secretary):
    client = client_for(other_secretary)
    assert "只有报名本课程的学员才能参加本测验" in client.get(quiz.url).content.decode()
    assert client.post(reverse("quiz-start", args=[quiz.pk])).status_code == 403
    assert not Attempt.objects.exists()


def test_it_asks_anonymous_visitors_to_log_in(client, quiz):
    assert client.post(reverse("quiz-start", args=[quiz.pk])).status_code == 302
    assert client.get(reverse("quiz-attempt", args=[1])).status_code == 302
    assert not Attempt.objects.exists()


def test_it_hides_another_learners_attempt(client_for, quiz, enrolled, other_secretary, course):
    from lms.learning.models import Enrollment

    attempt = start(client_for(enrolled), quiz)
    Enrollment.enrol(other_secretary, course, "bulk")
    intruder = client_for(other_secretary)
    assert intruder.get(reverse("quiz-attempt", args=[attempt.pk])).status_code == 404
    assert intruder.post(reverse("quiz-attempt-save", args=[attempt.pk]), correct_sheet(attempt)).status_code == 404
    assert intruder.post(reverse("quiz-attempt-submit", args=[attempt.pk]), correct_sheet(attempt)).status_code == 404
    attempt.refresh_from_db()
    assert attempt.in_progress and not any(a.response for a in attempt.answers.all())


def test_it_never_sends_the_answer_key_before_submission(client_for, quiz, enrolled, basic_questions, clock):
    client = client_for(enrolled)
    attempt = start(client, quiz)
    html = client.get(reverse("quiz-attempt", args=[attempt.pk])).content.decode()
    assert "实现共产主义" in html  # the options are there...
    for secret in ("option is-correct", "党章总纲明确规定", "人民群众", "正确答案", "解析"):
        assert secret not in html  # ...but no key, no accepted answers, no explanation
    assert 'data-seconds-left="1200"' in html


def test_it_autosaves_and_shows_saved_answers_after_a_reload(client_for, quiz, enrolled, basic_questions):
    client = client_for(enrolled)
    attempt = start(client, quiz)
    single = answer_for(attempt, basic_questions["single"])
    fill_in = answer_for(attempt, basic_questions["fill_in"])
    chosen = single.option_order[1]
    response = client.post(reverse("quiz-attempt-save", args=[attempt.pk]),
                           {"attempt": attempt.pk, single.field_name: chosen, fill_in.field_name: "人民"})
    assert response.status_code == 200 and response.json()["ok"]
    html = client.get(reverse("quiz-attempt", args=[attempt.pk])).content.decode()
    assert f'value="{chosen}" checked' in html
    assert 'value="人民"' in html


def test_it_answers_a_tampered_autosave_with_a_chinese_reason(client_for, quiz, enrolled, basic_questions):
    client = client_for(enrolled)
    attempt = start(client, quiz)
    single = answer_for(attempt, basic_questions["single"])
    response = client.post(reverse("quiz-attempt-save", args=[attempt.pk]), {single.field_name: "424242"})
    assert response.status_code == 400
    assert "不属于该题的选项" in response.json()["message"]


def test_it_submits_and_shows_the_score_with_the_key_and_explanations(client_for, quiz, enrolled):
    client = client_for(enrolled)
    attempt = start(client, quiz)
    response = client.post(reverse("quiz-attempt-submit", args=[attempt.pk]), correct_sheet(attempt), follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "4</strong> / 4" in html and "已通过" in html
    assert "党章总纲明确规定" in html and "option is-correct" in html


def test_it_refuses_a_replayed_submit_with_a_message(client_for, quiz, enrolled):
    client = client_for(enrolled)
    attempt = start(client, quiz)
    client.post(reverse("quiz-attempt-submit", args=[attempt.pk]), {"attempt": attempt.pk})
    response = client.post(reverse("quiz-attempt-submit", args=[attempt.pk]), correct_sheet(attempt), follow=True)
    assert "重复提交不计入成绩" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.score == 0
    save = client.post(reverse("quiz-attempt-save", args=[attempt.pk]), correct_sheet(attempt))
    assert save.status_code == 409


def test_it_answers_a_tampered_submit_with_400_and_counts_nothing(client_for, quiz, enrolled):
    client = client_for(enrolled)
    attempt = start(client, quiz)
    sheet = correct_sheet(attempt)
    sheet["attempt"] = attempt.pk + 100
    response = client.post(reverse("quiz-attempt-submit", args=[attempt.pk]), sheet)
    assert response.status_code == 400
    assert "该答卷不属于本次作答" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS


def test_it_shows_the_key_only_after_closing_when_the_quiz_says_so(make_quiz, basic_questions, enrolled, client_for,
                                                                   clock):
    quiz = make_quiz(questions=[basic_questions["single"]], show_answers=AnswerVisibility.AFTER_CLOSE,
                     closes_at=clock.now + datetime.timedelta(hours=1))
    client = client_for(enrolled)
    attempt = start(client, quiz)
    client.post(reverse("quiz-attempt-submit", args=[attempt.pk]), correct_sheet(attempt))
    html = client.get(reverse("quiz-attempt", args=[attempt.pk])).content.decode()
    assert "option is-correct" not in html and "答案将在测验截止后公布" in html
    clock.advance(2 * 3600)
    assert "option is-correct" in client.get(reverse("quiz-attempt", args=[attempt.pk])).content.decode()


def test_it_shows_the_result_once_the_time_is_up_even_without_a_submit(client_for, quiz, enrolled, clock):
    client = client_for(enrolled)
    attempt = start(client, quiz)
    clock.advance(3600)
    html = client.get(reverse("quiz-attempt", args=[attempt.pk])).content.decode()
    assert "时间到自动交卷" in html
    assert "再次作答" in client.get(quiz.url).content.decode()  # one attempt of two left


def test_it_lets_staff_preview_the_quiz_page_without_the_key(client_for, quiz, trainer):
    html = client_for(trainer).get(quiz.url).content.decode()
    assert "实现共产主义" not in html


def test_it_refuses_an_essay_longer_than_the_limit(make_quiz, make_question, enrolled, client_for):
    essay = make_question(QuestionKind.ESSAY, "谈体会")
    quiz = make_quiz(questions=[essay])
    client = client_for(enrolled)
    attempt = start(client, quiz)
    response = client.post(reverse("quiz-attempt-save", args=[attempt.pk]),
                           {answer_for(attempt, essay).field_name: "字" * 5001})
    assert response.status_code == 400 and "5000" in response.json()["message"]
