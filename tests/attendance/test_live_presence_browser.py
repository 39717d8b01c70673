"""live-presence.js in headless Chromium: the enrolled learner opens a session under way, the page
sends a heartbeat at once (FormData with the CSRF token), the server counts the minute and the page
shows it. Uses Debian's Chromium (never downloads a browser)."""

import datetime
import os
import time
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from lms.attendance.models import AttendanceRecord

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


@pytest.fixture
def chromium_page():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu",
                                            "--disable-background-networking"])
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                      timezone_id="Asia/Shanghai")
        context.set_default_timeout(15_000)
        yield context
        context.close()
        browser.close()
    # The live server's request threads close their database connections when the browser's
    # keep-alive sockets close; give them a moment before the test database is dropped.
    time.sleep(0.5)


def test_it_counts_the_minute_the_page_is_open(live_server, chromium_page, make_session, enrolled):
    now = timezone.now()
    session = make_session(starts_at=now - datetime.timedelta(minutes=10), minutes=60, embed_stream=True)
    client = Client()
    client.force_login(enrolled.user)
    host = live_server.url.split("//", 1)[1].split(":")[0]
    chromium_page.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                                "domain": host, "path": "/"}])
    page = chromium_page.new_page()
    with page.expect_response(lambda r: r.url.endswith(f"/sessions/{session.pk}/presence/")) as beat:
        page.goto(f"{live_server.url}/sessions/{session.pk}/")
    assert beat.value.status == 200
    assert beat.value.json()["reason"] == "counted"
    page.wait_for_function("document.querySelector('[data-presence-minutes]').textContent.trim() === '1'")
    record = AttendanceRecord.objects.get(session=session, person=enrolled)
    assert record.minutes_present == 1 and record.channel == "live_online"
    assert page.locator("iframe.stream-frame").get_attribute("src") == session.stream_url

    # Leaving the page sends a last beat with sendBeacon (seconds after the first: it adds nothing).
    with page.expect_response(lambda r: r.url.endswith(f"/sessions/{session.pk}/presence/")) as last:
        page.evaluate("window.dispatchEvent(new PageTransitionEvent('pagehide'))")
    assert last.value.status == 200
    assert last.value.json()["reason"] == "too_frequent"
    page.close()
