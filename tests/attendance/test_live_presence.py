"""Live online presence: unique minutes within the scheduled time, by the server's clock; replays,
bursts, garbage and beats outside the session add nothing; present at the configured share; an
in-person present is never downgraded; and the session page and heartbeat are for enrolled
learners only."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.attendance.models import AttendanceChannel, AttendanceRecord, AttendanceStatus, SessionMode
from lms.learning.models import Enrollment, EnrollmentSource

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 20, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def at(minutes=0, seconds=0):
    return T0 + datetime.timedelta(minutes=minutes, seconds=seconds)


def beat(person, session, moment):
    return AttendanceRecord.objects.record_live_presence(person, session, now=moment)


def record_of(person, session):
    return AttendanceRecord.objects.get(person=person, session=session)


# --- counting minutes ---------------------------------------------------------------------------


def test_it_counts_one_minute_per_beat(session, secretary):
    result = beat(secretary, session, at(0, 10))
    assert (result.reason, result.minutes_added) == ("counted", 1)
    record = record_of(secretary, session)
    assert (record.channel, record.status, record.minutes_present) == ("live_online", "absent", 1)
    assert record.first_seen_at == record.last_seen_at == at(0, 10)


def test_it_counts_beats_a_minute_apart_as_continuous_presence(session, secretary):
    for minute in range(10):
        beat(secretary, session, at(minute, 30))
    record = record_of(secretary, session)
    assert record.minutes_present == 10
    assert record.minute_indexes() == list(range(10))
    assert record.last_seen_at == at(9, 30)


def test_it_joins_up_a_late_beat(session, secretary):
    beat(secretary, session, at(0, 59))
    beat(secretary, session, at(2, 1))  # 62 s later, two minutes on: minute 1 was spent here too
    assert record_of(secretary, session).minute_indexes() == [0, 1, 2]


def test_it_does_not_fill_a_long_absence(session, secretary):
    beat(secretary, session, at(0, 30))
    beat(secretary, session, at(10, 30))
    assert record_of(secretary, session).minute_indexes() == [0, 10]


def test_it_adds_nothing_for_a_replayed_beat(session, secretary):
    beat(secretary, session, at(3, 0))
    result = beat(secretary, session, at(3, 0))
    assert (result.reason, result.minutes_added) == ("too_frequent", 0)
    assert record_of(secretary, session).minutes_present == 1


def test_it_adds_nothing_for_a_second_beat_in_the_same_minute(session, secretary):
    beat(secretary, session, at(3, 0))
    result = beat(secretary, session, at(3, 40))
    assert (result.reason, result.minutes_added) == ("already_counted", 0)


def test_it_does_not_credit_a_burst_beyond_the_wall_clock(session, secretary):
    for second in range(0, 5 * 60):  # a beat every second for five minutes
        beat(secretary, session, at(10, second))
    assert record_of(secretary, session).minutes_present <= 6


def test_it_ignores_a_beat_from_a_clock_that_went_backwards(session, secretary):
    beat(secretary, session, at(5, 0))
    result = beat(secretary, session, at(4, 0))
    assert result.reason == "too_frequent"
    assert record_of(secretary, session).minute_indexes() == [5]


@pytest.mark.parametrize("moment, reason", [
    (at(-1), "not_started"), (at(-600), "not_started"), (at(100), "ended"), (at(500), "ended"),
])
def test_it_adds_nothing_outside_the_scheduled_time(session, secretary, moment, reason):
    result = beat(secretary, session, moment)
    assert (result.reason, result.minutes_added, result.record) == (reason, 0, None)
    assert not AttendanceRecord.objects.exists()


def test_it_counts_the_last_minute_but_not_the_end(session, secretary):
    assert beat(secretary, session, at(99, 59)).minutes_added == 1
    assert beat(secretary, session, at(100, 0)).reason == "ended"
    assert record_of(secretary, session).minute_indexes() == [99]


def test_it_adds_nothing_to_a_cancelled_session(session, secretary):
    session.cancelled = True
    session.save()
    assert beat(secretary, session, at(5)).reason == "cancelled"
    assert not AttendanceRecord.objects.exists()


def test_it_adds_nothing_to_an_in_person_only_session(make_session, secretary):
    session = make_session(mode=SessionMode.OFFLINE)
    assert beat(secretary, session, at(5)).reason == "not_online"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offsets=st.lists(st.integers(-3600, 3 * 3600), min_size=1, max_size=40))
def test_it_never_credits_more_minutes_than_the_beats_span(session, secretary, offsets):
    AttendanceRecord.objects.filter(session=session).delete()
    for offset in offsets:  # beats in any order, duplicates, out of the window
        beat(secretary, session, at(seconds=offset))
    record = AttendanceRecord.objects.filter(session=session, person=secretary).first()
    inside = [o for o in offsets if 0 <= o < 100 * 60]
    if not inside:
        assert record is None
        return
    span_minutes = max(inside) // 60 - min(inside) // 60 + 1
    assert record.minutes_present <= min(span_minutes, len(inside) * 3, session.scheduled_minutes)
    assert record.minutes_present == len(record.minute_indexes())


# --- present at the configured share -------------------------------------------------------------


def attend_online(person, session, minutes, start=0):
    for minute in range(start, start + minutes):
        beat(person, session, at(minute, 30))


def test_it_marks_present_at_eighty_percent_of_the_scheduled_minutes(session, secretary):
    attend_online(secretary, session, 79)
    assert record_of(secretary, session).status == AttendanceStatus.ABSENT
    attend_online(secretary, session, 1, start=90)
    record = record_of(secretary, session)
    assert (record.minutes_present, record.status, record.channel) == (80, "present", "live_online")
    assert record.recorded_by is None  # counted by the system, not by staff


def test_it_uses_the_sessions_own_share(make_session, secretary):
    session = make_session(minutes=60, present_share=Decimal("0.50"))
    attend_online(secretary, session, 30)
    assert record_of(secretary, session).status == AttendanceStatus.PRESENT


def test_it_does_not_downgrade_an_in_person_present(session, secretary):
    AttendanceRecord.objects.record_status(secretary, session, status=AttendanceStatus.PRESENT,
                                           channel=AttendanceChannel.QR, at=at(-5))
    attend_online(secretary, session, 85)
    record = record_of(secretary, session)
    assert (record.status, record.channel) == ("present", "qr")
    assert record.first_seen_at == at(-5)
    assert record.minutes_present == 85


def test_it_keeps_an_in_person_late_as_late(session, secretary):
    AttendanceRecord.objects.record_status(secretary, session, status=AttendanceStatus.LATE,
                                           channel=AttendanceChannel.ROLL_CALL, at=at(20))
    attend_online(secretary, session, 90)
    assert (record_of(secretary, session).status, record_of(secretary, session).channel) == ("late", "roll_call")


def test_it_turns_an_absent_or_excused_into_present_when_they_watched_online(session, secretary, other_secretary):
    AttendanceRecord.objects.record_status(secretary, session, status=AttendanceStatus.ABSENT,
                                           channel=AttendanceChannel.ROLL_CALL)
    AttendanceRecord.objects.record_status(other_secretary, session, status=AttendanceStatus.EXCUSED,
                                           channel=AttendanceChannel.LEAVE)
    attend_online(secretary, session, 80)
    attend_online(other_secretary, session, 80)
    for person in (secretary, other_secretary):
        record = record_of(person, session)
        assert (record.status, record.channel) == ("present", "live_online")


# --- the session page ----------------------------------------------------------------------------


def page_url(session):
    return reverse("session-detail", args=[session.pk])


def presence_url(session):
    return reverse("session-presence", args=[session.pk])


def test_it_sends_anonymous_visitors_to_the_login(client, session):
    response = client.get(page_url(session))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_shows_the_enrolled_learner_the_embedded_stream(client_for, session, enrolled, clock):
    session.embed_stream = True
    session.save()
    clock.set(at(-10))
    response = client_for(enrolled).get(page_url(session))
    assert response.status_code == 200
    content = response.content.decode()
    assert '<iframe class="stream-frame" src="https://live.example.cn/player/42"' in content
    assert "data-live-presence" in content and "js/live-presence.js" in content
    assert "王教授" in content and "区委党校报告厅" in content


def test_it_links_a_stream_that_cannot_be_embedded(client_for, session, enrolled, clock):
    clock.set(at(5))
    content = client_for(enrolled).get(page_url(session)).content.decode()
    assert "<iframe" not in content
    assert 'href="https://live.example.cn/player/42"' in content


def test_it_shows_the_learner_their_minutes_and_status(client_for, session, enrolled, clock):
    attend_online(enrolled, session, 80)
    clock.set(at(95))
    content = client_for(enrolled).get(page_url(session)).content.decode()
    assert "<strong data-presence-minutes>80</strong>" in content
    assert str(AttendanceStatus.PRESENT.label) in content or "出席" in content


def test_it_stops_tracking_after_the_session(client_for, session, enrolled, clock):
    attend_online(enrolled, session, 30)
    clock.set(at(101))
    content = client_for(enrolled).get(page_url(session)).content.decode()
    assert "data-live-presence" not in content
    assert "live-presence.js" not in content
    assert "<strong data-presence-status>缺勤</strong>" in content  # too few minutes: absent, now final


def test_it_refuses_a_learner_who_is_not_enrolled(client_for, session, other_secretary):
    assert client_for(other_secretary).get(page_url(session)).status_code == 403


def test_it_refuses_a_learner_whose_enrolment_was_withdrawn(client_for, session, enrolled):
    Enrollment.objects.get(person=enrolled).withdraw()
    assert client_for(enrolled).get(page_url(session)).status_code == 403


def test_it_refuses_another_courses_learner(client_for, session, make_course, other_secretary):
    other_course = make_course("另一个课程", slug="other")
    Enrollment.enrol(other_secretary, other_course, EnrollmentSource.BULK)
    assert client_for(other_secretary).get(page_url(session)).status_code == 403


def test_it_refuses_a_street_admin_who_does_not_manage_sessions(client_for, session, street_admin):
    assert client_for(street_admin).get(page_url(session)).status_code == 403


def test_it_lets_the_training_office_look_without_counting(client_for, session, training_office, clock):
    clock.set(at(5))
    response = client_for(training_office).get(page_url(session))
    assert response.status_code == 200
    assert "data-live-presence" not in response.content.decode()
    assert client_for(training_office).post(presence_url(session)).status_code == 403
    assert not AttendanceRecord.objects.exists()


def test_it_hides_a_session_of_an_unpublished_course(client_for, session, enrolled, course):
    course.unpublish()
    assert client_for(enrolled).get(page_url(session)).status_code == 404
    assert client_for(enrolled).post(presence_url(session)).status_code == 403


def test_it_404s_a_session_that_does_not_exist(client_for, enrolled):
    assert client_for(enrolled).get(reverse("session-detail", args=[999999])).status_code == 404
    assert client_for(enrolled).post(reverse("session-presence", args=[999999])).status_code == 404


# --- the heartbeat endpoint -----------------------------------------------------------------------


def counting_label():
    with translation.override("zh-hans"):
        label = translation.gettext("Counting, not yet present")
    assert label != "Counting, not yet present"  # translated
    return label


def test_it_counts_a_heartbeat_from_the_page(client_for, session, enrolled, clock):
    clock.set(at(12, 5))
    response = client_for(enrolled).post(presence_url(session))
    assert response.status_code == 200
    assert response.json() == {
        "reason": "counted", "minutes_present": 1, "scheduled_minutes": 100, "required_minutes": 80,
        "status": "absent", "status_label": counting_label(),  # absent is final only at the end
    }
    assert record_of(enrolled, session).minute_indexes() == [12]


def test_it_refuses_a_heartbeat_without_the_csrf_token(session, enrolled, clock):
    clock.set(at(1))
    client = Client(enforce_csrf_checks=True)
    client.force_login(enrolled.user)
    assert client.post(presence_url(session)).status_code == 403
    assert not AttendanceRecord.objects.exists()


def test_it_accepts_the_csrf_token_in_form_data_as_sendbeacon_sends_it(session, enrolled, clock):
    clock.set(at(1))
    client = Client(enforce_csrf_checks=True)
    client.force_login(enrolled.user)
    client.get(page_url(session))
    token = client.cookies["csrftoken"].value
    response = client.post(presence_url(session), {"csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert response.json()["minutes_present"] == 1


def test_it_refuses_anonymous_heartbeats(client, session, clock):
    clock.set(at(1))
    assert client.post(presence_url(session)).status_code == 403


def test_it_refuses_heartbeats_from_a_learner_not_enrolled(client_for, session, other_secretary, clock):
    clock.set(at(1))
    assert client_for(other_secretary).post(presence_url(session)).status_code == 403
    assert not AttendanceRecord.objects.exists()


def test_it_only_takes_posts(client_for, session, enrolled):
    assert client_for(enrolled).get(presence_url(session)).status_code == 405


@pytest.mark.parametrize("body, content_type", [
    ({"minutes": "9999", "now": "2099-01-01T00:00:00Z", "status": "present"}, None),
    ("\x00\xff garbage {{{", "application/json"),
    ("a=" + "x" * 50_000, "application/x-www-form-urlencoded"),
    ({"session": "-1", "minute": ["1", "2", "3"]}, None),
])
def test_it_trusts_nothing_in_the_heartbeat_body(client_for, session, enrolled, clock, body, content_type):
    clock.set(at(30))
    client = client_for(enrolled)
    kwargs = {"content_type": content_type} if content_type else {}
    response = client.post(presence_url(session), body, **kwargs)
    assert response.status_code == 200
    record = record_of(enrolled, session)
    assert (record.minutes_present, record.status) == (1, "absent")
    assert record.minute_indexes() == [30]


def test_it_answers_out_of_window_heartbeats_without_counting(client_for, session, enrolled, clock):
    client = client_for(enrolled)
    clock.set(at(-30))
    assert client.post(presence_url(session)).json()["reason"] == "not_started"
    clock.set(at(150))
    assert client.post(presence_url(session)).json()["reason"] == "ended"
    assert not AttendanceRecord.objects.exists()


def test_it_credits_a_rapid_fire_client_at_most_the_wall_clock(client_for, session, enrolled, clock):
    client = client_for(enrolled)
    clock.set(at(40))
    for _ in range(50):
        client.post(presence_url(session))
        clock.advance(seconds=2)  # 100 s of beats every 2 s
    assert record_of(enrolled, session).minutes_present <= 3


def test_it_reaches_present_through_the_endpoint(client_for, session, enrolled, clock):
    client = client_for(enrolled)
    clock.set(at(0, 20))
    for _ in range(80):
        payload = client.post(presence_url(session)).json()
        clock.advance(seconds=60)
    assert (payload["minutes_present"], payload["status"]) == (80, "present")


def test_it_keeps_each_learners_minutes_apart(client_for, session, enrolled, other_secretary, course, clock):
    Enrollment.enrol(other_secretary, course, EnrollmentSource.BULK)
    clock.set(at(10))
    client_for(enrolled).post(presence_url(session))
    clock.set(at(20))
    client_for(other_secretary).post(presence_url(session))
    assert record_of(enrolled, session).minute_indexes() == [10]
    assert record_of(other_secretary, session).minute_indexes() == [20]
