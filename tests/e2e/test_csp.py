"""The pages really satisfy the Content Security Policy: a real browser loads the main learner pages
(login, home, a course, 我的学习, a video lesson playing, a session, the check-in confirmation) and
the staff pages (check-in display, the admin dashboard) and must see no `securitypolicyviolation`
event and no CSP error in the console."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import wait_until

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

# Runs in every document before its own scripts; Playwright's init scripts are not subject to CSP.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || document.location.pathname}:${event.lineNumber}`);
});
"""


class Watch:
    """Collects CSP violations of every page load in one browser context."""

    def __init__(self, page):
        self.page = page
        self.problems = []
        page.context.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.problems.append(f"console: {message.text}")

    def visit(self, url, settle_ms=300):
        response = self.page.goto(url)
        assert response is not None and response.ok, f"{url} answered {response and response.status}"
        assert "content-security-policy" in response.headers, f"{url} sent no CSP header"
        self.check(settle_ms)
        return response

    def check(self, settle_ms=300):
        self.page.wait_for_load_state("load")
        self.page.wait_for_timeout(settle_ms)  # let deferred scripts and their first requests run
        found = self.page.evaluate("window.__cspViolations || []")
        path = self.page.url
        self.problems += [f"{path}: {problem}" for problem in found]
        assert not self.problems, "\n".join(self.problems)


def _log_in(watch, base_url, username, password="touyan-demo"):
    page = watch.page
    watch.visit(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_load_state()
    watch.check()


def _secretary_session():
    """A session of one of demo-secretary's courses happening now, so the check-in works."""
    from lms.attendance import checkin
    from lms.attendance.models import Session, SessionMode
    from lms.learning.models import Enrollment

    enrolment = (Enrollment.objects.current().filter(person__user__username="demo-secretary", course__live=True)
                 .select_related("course").first())
    now = timezone.now()
    session = Session.objects.create(course=enrolment.course, title="CSP 现场场次", mode=SessionMode.HYBRID,
                                     starts_at=now - datetime.timedelta(minutes=2),
                                     ends_at=now + datetime.timedelta(hours=1), venue="区委党校报告厅")
    return enrolment.course, session, checkin.current_token(session)


def test_it_keeps_the_learner_pages_inside_the_policy(demo_data, phone_page, shot):
    base_url = demo_data.url
    watch = Watch(phone_page)
    page = phone_page
    watch.visit(f"{base_url}/")
    _log_in(watch, base_url, "demo-secretary")
    assert re.search(r"/me/$", page.url)
    watch.visit(f"{base_url}/me/")
    shot(page, "01-my-learning")

    course, session, token = _secretary_session()
    watch.visit(f"{base_url}{course.url}")
    expect(page.locator("main h1")).to_have_text(course.title)

    # A video lesson, playing: the player script, its heartbeat requests and the media itself.
    watch.visit(f"{base_url}/micro-videos/2026/")
    enrol = page.locator(".enrolment-status button[type=submit]")
    if enrol.count():
        enrol.click()
        watch.check()
    page.get_by_role("link", name="《坚守平凡》", exact=True).click()
    watch.check()
    page.evaluate("document.getElementById('lesson-video').muted = true")
    page.evaluate("document.getElementById('lesson-video').play()")
    wait_until(page, "document.getElementById('lesson-video').currentTime > 1")
    watch.check()
    shot(page, "02-video")
    page.evaluate("document.getElementById('lesson-video').pause()")

    watch.visit(f"{base_url}/sessions/{session.pk}/")
    watch.visit(f"{base_url}/checkin/{session.pk}/{token}/")
    assert page.url.endswith(f"/sessions/{session.pk}/checked-in/")
    shot(page, "03-checked-in")
    watch.visit(f"{base_url}/me/profile/")
    watch.visit(f"{base_url}/me/password/")


def test_it_keeps_the_staff_pages_and_the_admin_inside_their_policies(demo_data, desktop_page, shot):
    base_url = demo_data.url
    watch = Watch(desktop_page)
    _log_in(watch, base_url, "demo-office")
    watch.visit(f"{base_url}/")  # an editor sees Wagtail's user bar on the site's pages
    _course, session, _token = _secretary_session()
    watch.visit(f"{base_url}/attendance/sessions/{session.pk}/display/", settle_ms=1500)
    desktop_page.locator("[data-qr] svg").first.wait_for()
    watch.check()
    watch.visit(f"{base_url}/me/two-factor/")  # the QR code is a data: image
    desktop_page.locator("img.qr-code").wait_for()
    shot(desktop_page, "02-two-factor-enrol")
    watch.visit(f"{base_url}/admin/")
    shot(desktop_page, "01-admin-dashboard")
    watch.visit(f"{base_url}/admin/pages/")
    assert "'unsafe-inline'" not in watch.visit(f"{base_url}/me/").headers["content-security-policy"].split(
        "script-src")[1].split(";")[0]


@pytest.mark.django_db(transaction=True)
def test_it_makes_an_imported_person_change_the_first_password(live_server, secretary, password, phone_page, shot):
    from .conftest import ensure_site_tree

    ensure_site_tree()
    secretary.must_change_password = True
    secretary.save(update_fields=["must_change_password"])
    watch = Watch(phone_page)
    page = phone_page
    _log_in(watch, live_server.url, secretary.phone, password)
    assert page.url.endswith("/me/password/")
    expect(page.locator("main h1")).to_have_text("请先修改初始密码")
    shot(page, "01-forced-change")
    page.fill("input[name=old_password]", password)
    page.fill("input[name=new_password1]", "Xin-Mima-2026-qx")
    page.fill("input[name=new_password2]", "Xin-Mima-2026-qx")
    page.locator("form:has(input[name=new_password1]) button[type=submit]").click()
    page.wait_for_load_state()
    watch.check()
    watch.visit(f"{live_server.url}/me/")
    assert page.url.endswith("/me/")
    secretary.refresh_from_db()
    assert secretary.must_change_password is False
