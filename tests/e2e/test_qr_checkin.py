"""In-person check-in end to end: the training office opens the check-in display; its QR code is
read from a screenshot with zbarimg; a second browser (the secretary's phone, logged in) opens the
decoded URL and is checked in; the display's list shows the secretary within a few seconds."""

import datetime

import pytest
from django.utils import timezone

from lms.attendance.models import AttendanceRecord, Session, SessionMode
from lms.learning.models import Enrollment, EnrollmentSource

from .conftest import log_in, read_display_qr

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def test_a_secretary_checks_in_by_scanning_the_display(live_server, course, secretary, training_office, password,
                                                      desktop_page, phone_page, shot, tmp_path):
    Enrollment.enrol(secretary, course, EnrollmentSource.BULK)
    now = timezone.now()
    session = Session.objects.create(course=course, title="头雁讲坛·现场签到", starts_at=now - datetime.timedelta(minutes=2),
                                     ends_at=now + datetime.timedelta(hours=1), mode=SessionMode.HYBRID,
                                     venue="区委党校报告厅")

    display = desktop_page
    log_in(display, live_server.url, "office", password)
    display.goto(f"{live_server.url}/attendance/sessions/{session.pk}/display/")
    url = read_display_qr(display, tmp_path)
    assert display.locator('[data-list="missing"]').inner_text().find(secretary.name) >= 0
    shot(display, "01-display")
    assert url.startswith(f"{live_server.url}/checkin/{session.pk}/")

    phone = phone_page
    log_in(phone, live_server.url, secretary.phone, password)
    phone.goto(url)
    phone.wait_for_url(f"**/sessions/{session.pk}/checked-in/")
    assert "签到成功" in phone.locator("h1").inner_text()
    shot(phone, "02-checked-in")
    record = AttendanceRecord.objects.get(session=session, person=secretary)
    assert (record.status, record.channel) == ("present", "qr")

    display.locator('[data-list="checked_in"]', has_text=secretary.name).wait_for(timeout=10_000)
    assert display.locator('[data-count="checked_in"]').inner_text() == "1"
    assert secretary.name not in display.locator('[data-list="missing"]').inner_text()
    shot(display, "03-display-updated")
