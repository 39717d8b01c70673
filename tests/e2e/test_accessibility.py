"""An axe-core scan of the learner pages on a phone: the login page, the catalogue (home, a program,
a course), a video lesson, 我的学习, 我的学时, the training archive, the check-in confirmation and
the public certificate verification page. Any violation axe rates "serious" or "critical" fails the
test, listed with its rule id and the elements it found."""

import pytest
from playwright.sync_api import expect

from .conftest import axe_violations, log_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def _scan(page, shot, step, problems):
    page.wait_for_load_state("load")
    shot(page, step)
    problems += axe_violations(page)


def test_it_finds_no_serious_accessibility_problems_on_the_learner_pages(
        live_server, journey_course, certificate_template, password, phone_page, shot):
    from lms.attendance import checkin
    from lms.certificates import issuing
    from lms.learning.models import Enrollment

    course, secretary, session = journey_course["course"], journey_course["secretary"], journey_course["session"]
    Enrollment.objects.current().filter(person=secretary, course=course).update(completed_at=session.starts_at)
    certificate, _created = issuing.issue(secretary, course)
    page, base_url = phone_page, live_server.url
    problems = []

    page.goto(f"{base_url}/login/")
    _scan(page, shot, "01-login", problems)
    page.goto(f"{base_url}/verify/{certificate.code}/")
    expect(page.locator(".verify-status")).to_be_visible()
    _scan(page, shot, "02-verify", problems)

    log_in(page, base_url, secretary.phone, password)
    _scan(page, shot, "03-my-learning", problems)
    page.goto(f"{base_url}/")
    _scan(page, shot, "04-home", problems)
    page.goto(f"{base_url}{course.get_parent().url}")
    _scan(page, shot, "05-program", problems)
    page.goto(f"{base_url}{course.url}")
    _scan(page, shot, "06-course", problems)
    page.goto(f"{base_url}{journey_course['video'].url}")
    page.locator("#lesson-video").wait_for()
    _scan(page, shot, "07-video-lesson", problems)
    page.goto(f"{base_url}/me/credits/")
    _scan(page, shot, "08-my-credits", problems)
    page.goto(f"{base_url}/me/archive/")
    _scan(page, shot, "09-archive", problems)
    page.goto(f"{base_url}/checkin/{session.pk}/{checkin.current_token(session)}/")
    page.wait_for_url(f"**/sessions/{session.pk}/checked-in/")
    _scan(page, shot, "10-checked-in", problems)

    assert not problems, "serious accessibility violations:\n" + "\n".join(problems)

    # The scan does see problems: an image without a text alternative and an unnamed button are reported.
    page.evaluate("""() => { const main = document.querySelector('main');
        main.insertAdjacentHTML('beforeend', '<img src="/static/favicon.ico"><button type="button"></button>'); }""")
    found = "\n".join(axe_violations(page))
    assert "image-alt (critical)" in found and "button-name (critical)" in found, found
