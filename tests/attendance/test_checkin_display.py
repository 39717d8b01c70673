"""The check-in display for the projector and its JSON state: the training office sees the
rotating QR code (an SVG of the check-in URL), live counts and who has and has not checked in,
limited to their own subtree; nobody else may open it."""

import pytest
from django.urls import reverse

from lms.attendance import checkin
from lms.attendance.models import AttendanceChannel, AttendanceRecord, AttendanceStatus
from lms.learning.models import Enrollment, EnrollmentSource
from lms.people import roles

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(course, enrolled, other_secretary):
    Enrollment.enrol(other_secretary, course, EnrollmentSource.BULK)
    return [enrolled, other_secretary]


def state(client, session):
    response = client.get(reverse("checkin-display-state", args=[session.pk]))
    assert response.status_code == 200
    return response.json()


def test_it_shows_the_qr_code_of_the_current_window(clock, session, roster, training_office, client_for):
    clock.set(at(-10))
    client = client_for(training_office)
    page = client.get(reverse("checkin-display", args=[session.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<svg viewBox=' in html and 'class="qr-code"' in html
    assert "js/checkin-display.js" in html
    data = state(client, session)
    assert data["state"] == "open"
    assert data["token"] == checkin.current_token(session)
    assert data["url"] == "http://testserver" + reverse("checkin", args=[session.pk, data["token"]])
    assert data["qr_svg"].startswith("<svg")
    assert 0.5 <= data["refresh_in"] <= 3.0
    clock.advance(seconds=15)
    assert state(client, session)["token"] != data["token"]


def test_the_qr_code_decodes_to_the_checkin_url(clock, session, roster, training_office, client_for, tmp_path):
    """Render the SVG the display shows to PNG and read it back with zbarimg."""
    import shutil
    import subprocess

    import segno

    if not shutil.which("zbarimg"):
        pytest.skip("zbarimg is not installed")
    clock.set(at(0))
    data = state(client_for(training_office), session)
    png = tmp_path / "qr.png"
    segno.make(data["url"], error="m").save(str(png), scale=8)  # the same payload as the SVG
    out = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == data["url"]


def test_it_counts_and_lists_who_has_and_has_not_checked_in(clock, session, roster, training_office, client_for):
    enrolled, other = roster
    clock.set(at(15))
    AttendanceRecord.objects.record_status(enrolled, session, status=AttendanceStatus.LATE, channel=AttendanceChannel.QR)
    data = state(client_for(training_office), session)
    assert data["counts"]["expected"] == 2
    assert data["counts"]["checked_in"] == 1 and data["counts"]["late"] == 1
    assert [p["name"] for p in data["checked_in"]] == [enrolled.name]
    assert data["checked_in"][0]["time"] == "09:15"
    assert [p["name"] for p in data["missing"]] == [other.name]


def test_it_shows_no_qr_code_outside_the_window(clock, session, roster, training_office, client_for):
    clock.set(at(-60))
    data = state(client_for(training_office), session)
    assert (data["state"], data["token"], data["qr_svg"]) == ("not_open", None, None)
    assert data["opens_at"] == "08:30"
    clock.set(at(100))
    assert state(client_for(training_office), session)["state"] == "closed"


def test_it_lists_only_the_viewers_subtree(clock, session, roster, org_tree, make_person, client_for):
    street_office = make_person("东湖培训专干", org_tree["street_a"], groups=[roles.TRAINING_OFFICE])
    clock.set(at(0))
    data = state(client_for(street_office), session)
    assert [p["name"] for p in data["missing"]] == [roster[0].name]
    assert data["counts"]["expected"] == 1


@pytest.mark.parametrize("who", ["secretary", "trainer", "hr", "street_admin"])
def test_it_is_for_the_training_office_only(session, client_for, request, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("checkin-display", args=[session.pk])).status_code == 403
    assert client.get(reverse("checkin-display-state", args=[session.pk])).status_code == 403


def test_it_sends_anonymous_visitors_to_log_in(session, client):
    response = client.get(reverse("checkin-display", args=[session.pk]))
    assert response.status_code == 302 and reverse("login") in response.url


def test_it_404s_for_an_unknown_session(training_office, client_for):
    assert client_for(training_office).get(reverse("checkin-display", args=[999999])).status_code == 404
