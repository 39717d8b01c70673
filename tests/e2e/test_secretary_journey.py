"""A community secretary on her phone: logs in, finds her Head Goose Forum course in 我的学习 and
opens a lesson. A wrong password is answered in Chinese. And her full path through one course:
she watches its video, takes its quiz, checks in at its session by scanning the display's QR code,
the completed course earns her a certificate (issued by the real background task), which she
downloads from 我的学习 and whose QR code opens the public verification page showing 有效."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import (
    JOURNEY_VIDEO_SECONDS, answer_correctly, log_in, pdf_qr_text, pdf_text, read_display_qr, wait_until,
)

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


def test_it_takes_the_secretary_from_her_first_lesson_to_a_verified_certificate(
        live_server, journey_course, certificate_template, training_office, password, task_worker, browser, phone_page,
        desktop_page, shot, tmp_path):
    from lms.assessments.models import Attempt
    from lms.attendance.models import AttendanceRecord
    from lms.certificates.models import Certificate
    from lms.learning.models import Enrollment

    course, secretary, session = journey_course["course"], journey_course["secretary"], journey_course["session"]
    page, base_url = phone_page, live_server.url
    page.on("dialog", lambda dialog: dialog.accept())  # "Submit your answers?"

    # Log in on the phone; 我的学习 lists the course.
    log_in(page, base_url, secretary.phone, password)
    card = page.locator("li.course-card", has_text=course.title)
    expect(card).to_be_visible()
    _assert_fits_phone_width(page)
    shot(page, "01-my-learning")

    # Watch the whole (short) video lesson: the player reports it and the server completes it.
    card.locator("h2 a").click()
    expect(page.locator("main h1")).to_have_text(course.title)
    page.locator("ol.lesson-list a", has_text=journey_course["video"].title).click()
    expect(page.locator("article.lesson h1")).to_have_text(journey_course["video"].title)
    wait_until(page, "document.getElementById('lesson-video').readyState >= 3")
    page.evaluate("() => { const v = document.getElementById('lesson-video'); v.muted = true; return v.play(); }")
    shot(page, "02-video-playing")
    expect(page.locator("[data-watch-percent]")).to_contain_text("已完成",
                                                                 timeout=(JOURNEY_VIDEO_SECONDS + 10) * 1000)
    _assert_fits_phone_width(page)
    shot(page, "03-video-watched")

    # Take the quiz.
    page.goto(f"{base_url}{course.url}")
    page.locator("ol.lesson-list a", has_text=journey_course["quiz"].title).click()
    page.get_by_role("button", name="开始答题").click()
    page.wait_for_url(re.compile(r"/quizzes/attempts/\d+/$"))
    attempt = Attempt.objects.get(person=secretary, quiz=journey_course["quiz"])
    for answer in attempt.answers.select_related("question"):
        answer_correctly(page, answer)
    shot(page, "04-quiz-answered")
    page.get_by_role("button", name="交卷").click()
    expect(page.locator("[data-attempt-passed]")).to_have_text("已通过")
    shot(page, "05-quiz-passed")

    # At the session: the training office projects the check-in QR code; she scans it.
    log_in(desktop_page, base_url, training_office.user.username, password)
    desktop_page.goto(f"{base_url}/attendance/sessions/{session.pk}/display/")
    checkin_url = read_display_qr(desktop_page, tmp_path)
    assert checkin_url.startswith(f"{base_url}/checkin/{session.pk}/")
    page.goto(checkin_url)
    page.wait_for_url(f"**/sessions/{session.pk}/checked-in/")
    expect(page.locator("h1")).to_contain_text("签到成功")
    shot(page, "06-checked-in")
    assert AttendanceRecord.objects.get(session=session, person=secretary).channel == "qr"

    # The cluster reports the attendance to learning, which completes the course and issues the certificate.
    ran = task_worker()
    assert "lms.attendance.learning_feed.report_session" in ran and "lms.certificates.tasks.issue_for" in ran, ran
    assert Enrollment.objects.current().get(person=secretary, course=course).completed_at is not None
    certificate = Certificate.objects.get(person=secretary, course=course)

    # 我的学习 → 我的证书 → download the PDF.
    page.goto(f"{base_url}/me/")
    expect(page.locator("li.course-card", has_text=course.title)).to_contain_text("已完成")
    shot(page, "07-my-learning-completed")
    page.get_by_role("link", name="我的证书").click()
    expect(page.locator("main h1")).to_have_text("我的证书")
    _assert_fits_phone_width(page)
    shot(page, "08-my-certificates")
    with page.expect_download() as download_info:
        page.locator("li.course-card", has_text=course.title).get_by_role("link", name="下载 PDF").click()
    pdf_path = tmp_path / "certificate.pdf"
    download_info.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")
    text = pdf_text(pdf_path)
    assert secretary.name in text and certificate.serial in text, text

    # The certificate's QR code opens the public verification page, for anyone.
    verify_url = pdf_qr_text(pdf_path, tmp_path)
    assert verify_url.startswith(f"{base_url}/verify/"), verify_url
    visitor = browser.new_context(viewport=page.viewport_size, locale="zh-CN", is_mobile=True, has_touch=True)
    try:
        anonymous = visitor.new_page()
        anonymous.goto(verify_url)
        expect(anonymous.locator(".verify-status")).to_have_text(re.compile("有效"))
        expect(anonymous.locator("main")).to_contain_text(course.title)
        assert secretary.name not in anonymous.locator("main").inner_text()  # the name is masked
        shot(anonymous, "09-verified")
    finally:
        visitor.close()
