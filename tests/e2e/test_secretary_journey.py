"""A community secretary on her phone: logs in, finds her Head Goose Forum course in 我的学习 and
opens a lesson. A wrong password is answered in Chinese."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.e2e,
    # WhiteNoise looks for collected static files; the live server serves them from the finders.
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

CJK = re.compile(r"[\u4e00-\u9fff]")


def _log_in(page, base_url, username, password):
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()


def _assert_fits_phone_width(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the phone screen"


def _secretary_forum_titles():
    from courses.models import ProgramKind
    from lms.learning.models import Enrollment

    return {
        e.course.title
        for e in Enrollment.objects.current().filter(person__user__username="demo-secretary", course__live=True)
        .select_related("course")
        if e.course.program.kind == ProgramKind.HEAD_GOOSE_FORUM
    }


def test_it_takes_the_secretary_from_login_to_a_forum_lesson_on_a_phone(demo_data, phone_page, shot):
    page, base_url = phone_page, demo_data.url
    forum_titles = _secretary_forum_titles()
    assert forum_titles, "demo data should enrol demo-secretary in Head Goose Forum courses"

    page.goto(f"{base_url}/login/")
    expect(page.locator("h1")).to_contain_text("登录")
    expect(page.locator("label[for=id_username]")).to_contain_text(CJK)
    shot(page, "01-login")

    _log_in(page, base_url, "demo-secretary", "touyan-demo")
    page.wait_for_url(re.compile(r"/me/$"))
    expect(page.locator("main h1")).to_have_text("我的学习")
    cards = page.locator("li.course-card")
    forum_cards = cards.filter(has=page.locator(".eyebrow", has_text="头雁讲坛"))
    expect(forum_cards.first).to_be_visible()
    shown = set(forum_cards.locator("h2 a").all_inner_texts())
    assert shown == forum_titles
    _assert_fits_phone_width(page)
    shot(page, "02-my-learning")

    link = forum_cards.first.locator("h2 a")
    course_title = link.inner_text()
    link.click()
    expect(page.locator("main h1")).to_have_text(course_title)
    expect(page.locator(".enrolment-status .tag.ok")).to_be_visible()
    lessons = page.locator("ol.lesson-list li a")
    expect(lessons.first).to_be_visible()
    assert lessons.count() >= 1
    _assert_fits_phone_width(page)
    shot(page, "03-course")

    lesson_title = lessons.first.inner_text()
    lessons.first.click()
    expect(page.locator("article.lesson h1")).to_have_text(lesson_title)
    expect(page.locator(".breadcrumb")).to_contain_text(course_title)
    expect(page.locator("article.lesson .stream")).not_to_be_empty()
    _assert_fits_phone_width(page)
    shot(page, "04-lesson")


def test_it_answers_a_wrong_password_in_chinese(demo_data, phone_page, shot):
    from django.utils import translation

    from lms.people.forms import LoginForm

    with translation.override("zh-hans"):
        expected = str(LoginForm.error_messages["invalid_login"])
    assert CJK.search(expected), f"the login error has no Chinese translation: {expected!r}"

    page, base_url = phone_page, demo_data.url
    _log_in(page, base_url, "demo-secretary", "not-the-password")
    alert = page.locator(".form-errors[role=alert]")
    expect(alert).to_have_text(expected)
    assert page.url.endswith("/login/")
    expect(page.locator("input[name=username]")).to_have_value("demo-secretary")
    shot(page, "01-error")

    page.goto(f"{base_url}/me/")
    page.wait_for_url(re.compile(r"/login/\?next="))
