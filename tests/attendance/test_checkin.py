"""Rotating-QR self check-in: the token rules (rotation, previous window, expiry, wrong session,
forged), the window (opens N minutes before, closes at the end, future sessions), late after the
grace period, a repeat scan changes nothing, not enrolled gets a clear message, and the scan
survives the login redirect (remembered in the browser session, not in the URL)."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from lms.attendance import checkin
from lms.attendance.models import AttendanceChannel, AttendanceRecord, AttendanceStatus, SessionMode
from lms.attendance.signals import attendance_changed

from .conftest import T0, at

pytestmark = pytest.mark.django_db


def scan_url(session, now=None):
    return reverse("checkin", args=[session.pk, checkin.current_token(session, now)])


def record_of(person, session):
    return AttendanceRecord.objects.filter(person=person, session=session).first()


# --- the token ----------------------------------------------------------------------------------


def test_it_rotates_the_token_every_window(session):
    first = checkin.current_token(session, at(0, 0))
    assert checkin.current_token(session, at(0, 14)) == first
    assert checkin.current_token(session, at(0, 15)) != first
    assert len(first) == checkin.TOKEN_LENGTH


def test_it_accepts_the_previous_window_and_no_older(session):
    token = checkin.current_token(session, at(0, 0))
    assert checkin.token_is_valid(session, token, at(0, 0))
    assert checkin.token_is_valid(session, token, at(0, 29))  # next window: still accepted
    assert not checkin.token_is_valid(session, token, at(0, 30))  # two windows on: expired
    assert not checkin.token_is_valid(session, token, at(-1, 0))  # a token from the future


def test_it_refuses_another_sessions_token_and_forgeries(session, make_session):
    other = make_session(title="另一场")
    assert not checkin.token_is_valid(other, checkin.current_token(session, T0), T0)
    assert not checkin.token_is_valid(session, "0" * checkin.TOKEN_LENGTH, T0)
    assert not checkin.token_is_valid(session, "short", T0)
    assert not checkin.token_is_valid(session, None, T0)


def test_it_keys_the_token_with_the_secret_key(session, settings):
    token = checkin.current_token(session, T0)
    settings.SECRET_KEY = "another-secret-key-for-this-test"
    assert not checkin.token_is_valid(session, token, T0)


# --- scanning -------------------------------------------------------------------------------------


def test_it_checks_in_an_enrolled_learner_and_confirms(clock, session, enrolled, client_for):
    clock.set(at(-5))
    client = client_for(enrolled)
    response = client.get(scan_url(session))
    assert response.status_code == 302 and response.url == reverse("checkin-done", args=[session.pk])
    record = record_of(enrolled, session)
    assert (record.status, record.channel, record.first_seen_at) == ("present", "qr", at(-5))
    assert record.recorded_by == enrolled.user
    with translation.override("zh-hans"):
        page = client.get(response.url)
    assert page.status_code == 200
    assert 'data-checkin-status="present"' in page.content.decode()
    assert "签到成功" in page.content.decode()


def test_it_checks_in_late_after_the_grace_period(clock, session, enrolled, client_for):
    session.late_after_minutes = 10
    session.save()
    client = client_for(enrolled)
    clock.set(at(10))
    client.get(scan_url(session))
    assert record_of(enrolled, session).status == "present"  # exactly at the end of the grace period
    AttendanceRecord.objects.all().delete()
    clock.set(at(10, 1))
    client.get(scan_url(session))
    assert record_of(enrolled, session).status == "late"


def test_a_repeat_scan_changes_nothing(clock, session, enrolled, client_for, django_capture_on_commit_callbacks):
    changes = []

    def receiver(sender, record, previous_status, **kwargs):
        changes.append(record.status)

    attendance_changed.connect(receiver)
    try:
        client = client_for(enrolled)
        clock.set(at(1))
        with django_capture_on_commit_callbacks(execute=True):
            client.get(scan_url(session))
            clock.set(at(30))  # would be late now
            response = client.get(scan_url(session))
    finally:
        attendance_changed.disconnect(receiver)
    assert response.url.endswith("?already=1")
    record = record_of(enrolled, session)
    assert (record.status, record.first_seen_at) == ("present", at(1))
    assert changes == ["present"]
    assert AttendanceRecord.objects.filter(session=session).count() == 1
    with translation.override("zh-hans"):
        assert "您已签到" in client.get(response.url).content.decode()


def test_it_upgrades_an_online_absent_to_in_person(clock, session, enrolled, client_for):
    AttendanceRecord.objects.record_live_presence(enrolled, session, now=at(2))
    clock.set(at(3))
    client_for(enrolled).get(scan_url(session))
    record = record_of(enrolled, session)
    assert (record.status, record.channel, record.minutes_present) == ("present", "qr", 1)


def test_it_turns_approved_leave_into_present_when_they_come_after_all(clock, session, enrolled, client_for):
    AttendanceRecord.objects.record_status(enrolled, session, status=AttendanceStatus.EXCUSED,
                                           channel=AttendanceChannel.LEAVE)
    clock.set(at(0))
    client_for(enrolled).get(scan_url(session))
    assert record_of(enrolled, session).status == "present"


@pytest.mark.parametrize("moment, outcome", [
    (at(-31), "not_open"),   # opens 30 minutes before the start
    (at(100), "closed"),     # closes at the end (a 100-minute session)
    (at(200), "closed"),
])
def test_it_only_works_inside_the_window(clock, session, enrolled, client_for, moment, outcome):
    clock.set(moment)
    response = client_for(enrolled).get(scan_url(session))
    assert response.status_code == 409
    assert f'data-outcome="{outcome}"' in response.content.decode()
    assert record_of(enrolled, session) is None


def test_it_opens_as_configured_on_the_session(clock, session, enrolled, client_for):
    session.checkin_opens_minutes = 60
    session.save()
    clock.set(at(-45))
    assert client_for(enrolled).get(scan_url(session)).status_code == 302
    assert record_of(enrolled, session).status == "present"


def test_it_never_works_for_a_future_session(clock, make_session, enrolled, client_for):
    tomorrow = make_session(starts_at=T0 + datetime.timedelta(days=1))
    clock.set(T0)
    with translation.override("zh-hans"):
        response = client_for(enrolled).get(scan_url(tomorrow))
    assert response.status_code == 409
    assert "签到尚未开始" in response.content.decode()
    assert record_of(enrolled, tomorrow) is None


def test_it_refuses_a_token_of_another_session(clock, session, make_session, enrolled, client_for):
    other = make_session(title="另一场")
    clock.set(at(0))
    url = reverse("checkin", args=[other.pk, checkin.current_token(session)])
    with translation.override("zh-hans"):
        response = client_for(enrolled).get(url)
    assert response.status_code == 400
    assert "二维码已过期或无效" in response.content.decode()
    assert not AttendanceRecord.objects.exists()


def test_it_refuses_an_expired_token(clock, session, enrolled, client_for):
    clock.set(at(0))
    url = scan_url(session)
    clock.set(at(0, 31))
    response = client_for(enrolled).get(url)
    assert response.status_code == 400
    assert not AttendanceRecord.objects.exists()


@pytest.mark.parametrize("state, field", [("cancelled", "cancelled"), ("not_in_person", "mode")])
def test_it_refuses_cancelled_and_online_only_sessions(clock, session, enrolled, client_for, state, field):
    if field == "cancelled":
        session.cancelled = True
    else:
        session.mode = SessionMode.ONLINE
    session.save()
    clock.set(at(0))
    response = client_for(enrolled).get(scan_url(session))
    assert f'data-outcome="{state}"' in response.content.decode()
    assert not AttendanceRecord.objects.exists()


def test_a_web_process_reads_a_scanned_session_at_most_once_per_interval(clock, session, enrolled, other_secretary,
                                                                        course, client_for, settings, monkeypatch):
    """A hall's burst of scans reads the session once per ATTENDANCE_SCAN_SESSION_SECONDS per
    process; a change by the training office reaches the scans when the interval is over."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lms.learning.models import Enrollment, EnrollmentSource

    Enrollment.enrol(other_secretary, course, EnrollmentSource.BULK)
    settings.ATTENDANCE_SCAN_SESSION_SECONDS = 60
    monkeypatch.setattr(checkin, "_scanned_sessions", {})
    seconds = [1000.0]
    monkeypatch.setattr(checkin.time, "monotonic", lambda: seconds[0])
    session_table = f'FROM {session._meta.db_table} WHERE'
    clock.set(at(0))
    assert client_for(enrolled).get(scan_url(session)).status_code == 302
    session.cancelled = True
    session.save()

    seconds[0] += 59
    with CaptureQueriesContext(connection) as queries:
        assert client_for(other_secretary).get(scan_url(session)).status_code == 302  # the copy, not yet the change
    assert not any(session_table in query["sql"] for query in queries.captured_queries)

    seconds[0] += 1
    response = client_for(enrolled).get(scan_url(session))
    assert 'data-outcome="cancelled"' in response.content.decode()


def test_it_tells_someone_not_enrolled_to_ask_the_staff(clock, session, other_secretary, client_for):
    clock.set(at(0))
    with translation.override("zh-hans"):
        response = client_for(other_secretary).get(scan_url(session))
    assert response.status_code == 403
    assert "您未报名本课程" in response.content.decode()
    assert not AttendanceRecord.objects.exists()


def test_it_refuses_a_withdrawn_learner(clock, session, enrolled, client_for):
    from lms.learning.models import Enrollment

    Enrollment.objects.get(person=enrolled).withdraw()
    clock.set(at(0))
    assert client_for(enrolled).get(scan_url(session)).status_code == 403


def test_it_refuses_a_user_without_a_person(clock, session, client_for, django_user_model):
    user = django_user_model.objects.create_user("no-person", password="x-pass-1234-Q")
    clock.set(at(0))
    assert client_for(user).get(scan_url(session)).status_code == 403


def test_it_404s_for_an_unknown_session(clock, client_for, enrolled):
    assert client_for(enrolled).get(reverse("checkin", args=[999999, "0" * 20])).status_code == 404
    too_large = 10**30  # more digits than any database integer holds: still a 404, not a database error
    assert client_for(enrolled).get(reverse("checkin", args=[too_large, "0" * 20])).status_code == 404


# --- the login redirect ---------------------------------------------------------------------------


def test_the_scan_survives_the_login_redirect(clock, session, enrolled, password):
    client = Client()
    clock.set(at(-2))
    url = scan_url(session)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login")) and "next=" in response.url
    clock.advance(minutes=2)  # typing the password takes longer than the token lives
    login = client.post(response.url, {"username": enrolled.phone, "password": password})
    assert login.status_code == 302 and login.url == url
    done = client.get(login.url)
    assert done.status_code == 302 and done.url == reverse("checkin-done", args=[session.pk])
    record = record_of(enrolled, session)
    assert (record.status, record.first_seen_at) == ("present", at(-2))  # when they scanned


def test_a_remembered_scan_is_late_by_the_time_it_was_scanned(clock, session, enrolled, password):
    client = Client()
    clock.set(at(9))
    url = scan_url(session)
    client.get(url)
    clock.set(at(14))
    client.post(reverse("login") + "?next=" + url, {"username": enrolled.phone, "password": password})
    client.get(url)
    assert record_of(enrolled, session).status == "present"


def test_a_remembered_scan_goes_stale(clock, session, enrolled, password):
    client = Client()
    clock.set(at(0))
    url = scan_url(session)
    client.get(url)
    clock.advance(minutes=11)
    client.post(reverse("login"), {"username": enrolled.phone, "password": password})
    assert client.get(url).status_code == 400
    assert not AttendanceRecord.objects.exists()


def test_a_forwarded_link_does_not_carry_the_scan(clock, session, enrolled, other_secretary, password):
    """The scan is remembered in the scanner's browser session: the same URL opened later in
    another browser is just an expired code."""
    clock.set(at(0))
    url = scan_url(session)
    Client().get(url)
    clock.advance(minutes=1)
    other = Client()
    other.force_login(enrolled.user)
    assert other.get(url).status_code == 400


def test_an_invalid_token_does_not_send_anyone_to_log_in(clock, session):
    clock.set(at(0))
    response = Client().get(reverse("checkin", args=[session.pk, "f" * 20]))
    assert response.status_code == 400
