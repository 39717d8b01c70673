"""A community secretary takes a timed quiz on her phone: starts it from the course page, answers
half, reloads (the answers and the server's clock survive), finishes, submits, sees her score,
and the course page counts the passed assessment in her progress."""

import re

import pytest
from playwright.sync_api import expect

from ..assessments.conftest import basic_questions, category, make_question, make_quiz  # noqa: F401 (fixtures)
from .conftest import ensure_site_tree, wait_until

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


@pytest.fixture
def quiz_setup(live_server, request):
    """After the site tree exists: the secretary enrolled in the course, which has a timed quiz
    of four questions (one of each objective kind) with shuffled questions and options."""
    ensure_site_tree()
    from lms.learning.models import Enrollment, EnrollmentSource

    secretary = request.getfixturevalue("secretary")
    course = request.getfixturevalue("course")
    questions = request.getfixturevalue("basic_questions")
    quiz = request.getfixturevalue("make_quiz")(
        "第一季度学习测验", slug="quiz", questions=list(questions.values()), time_limit_minutes=10,
        shuffle_questions=True, shuffle_options=True, pass_percent=60)
    Enrollment.enrol(secretary, course, EnrollmentSource.BULK)
    return live_server, secretary, course, quiz


def _answer(page, answer):
    """Give the correct answer to one question on the sheet, as a learner would."""
    question = answer.question
    if question.kind in ("single", "multiple"):
        for option_id in question.correct_option_ids():
            page.locator(f"input[name='{answer.field_name}'][value='{option_id}']").check()
    elif question.kind == "true_false":
        page.locator(f"input[name='{answer.field_name}'][value='{'true' if question.answer_true else 'false'}']").check()
    else:
        page.locator(f"input[name='{answer.field_name}']").fill(question.accepted_answer_list()[-1])


def test_it_lets_a_secretary_take_a_timed_quiz_across_a_reload_and_counts_the_pass(quiz_setup, phone_page, shot,
                                                                                 password):
    from lms.assessments.models import Attempt
    from lms.learning.models import ActivityResult

    live_server, secretary, course, quiz = quiz_setup
    page, base_url = phone_page, live_server.url
    page.on("dialog", lambda dialog: dialog.accept())  # "Submit your answers?"

    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", secretary.phone)
    page.fill("input[name=password]", password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/me/$"))

    page.goto(f"{base_url}{course.url}")
    page.locator("ol.lesson-list a", has_text="第一季度学习测验").click()
    expect(page.locator("main h1")).to_have_text("第一季度学习测验")
    expect(page.locator(".quiz-rules")).to_contain_text("10 分钟")
    page.get_by_role("button", name="开始答题").click()
    page.wait_for_url(re.compile(r"/quizzes/attempts/\d+/$"))
    expect(page.locator("[data-quiz-timer]")).to_have_text(re.compile(r"^(10:00|9:[0-5]\d)$"))
    shot(page, "01-sheet")

    attempt = Attempt.objects.get(person=secretary, quiz=quiz)
    answers = list(attempt.answers.select_related("question").order_by("position"))
    for answer in answers[:2]:
        _answer(page, answer)
    expect(page.locator("[data-save-status]")).to_contain_text("已保存")
    wait_until(page, "!document.querySelector('[data-save-status]').textContent.includes('正在保存')")
    seconds_before = int(page.locator("#quiz-sheet").get_attribute("data-seconds-left"))

    page.reload()
    expect(page.locator("main h1")).to_contain_text("第一季度学习测验")
    for answer in answers[:2]:
        if answer.question.kind in ("single", "multiple"):
            for option_id in answer.question.correct_option_ids():
                expect(page.locator(f"input[name='{answer.field_name}'][value='{option_id}']")).to_be_checked()
        elif answer.question.kind == "true_false":
            expect(page.locator(f"input[name='{answer.field_name}']:checked")).to_have_count(1)
        else:
            expect(page.locator(f"input[name='{answer.field_name}']")).not_to_have_value("")
    seconds_after = int(page.locator("#quiz-sheet").get_attribute("data-seconds-left"))
    assert seconds_after <= seconds_before, "a reload must not restart the clock"
    attempt.refresh_from_db()
    deadline = attempt.deadline
    shot(page, "02-after-reload")

    for answer in answers[2:]:
        _answer(page, answer)
    page.get_by_role("button", name="交卷").click()
    page.wait_for_url(re.compile(rf"/quizzes/attempts/{attempt.pk}/$"))
    expect(page.locator("[data-attempt-score]")).to_have_text("4")
    expect(page.locator("[data-attempt-passed]")).to_have_text("已通过")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the result page is {overflow}px wider than the phone"
    shot(page, "03-result")

    attempt.refresh_from_db()
    assert attempt.deadline == deadline and attempt.passed
    result = ActivityResult.objects.get(person=secretary, activity__key=f"quiz:{quiz.pk}")
    assert result.done

    page.goto(f"{base_url}{course.url}")
    expect(page.locator("[data-requirement=assessments]")).to_contain_text("1/1")
    shot(page, "04-course-progress")
