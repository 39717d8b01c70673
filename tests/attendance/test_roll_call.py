"""Roll call on a tablet: one tap sets a person's status (channel roll call, attributed), "mark
the rest absent" only touches persons without a record in the viewer's scope, walk-ins are
admitted by mobile number; and the closing sweep (a django-q2 scheduled task) marks the enrolled
persons without a record absent once a session has ended, idempotently."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from lms.attendance import tasks
from lms.attendance.models import AttendanceChannel, AttendanceRecord, AttendanceStatus, Session
from lms.learning.models import Enrollment, EnrollmentSource
from lms.people import roles

from .conftest import T0, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(course, enrolled, other_secretary):
    Enrollment.enrol(other_secretary, course, EnrollmentSource.BULK)
    return [enrolled, other_secretary]


def record_of(person, session):
    return AttendanceRecord.objects.filter(person=person, session=session).first()


def tap(client, session, person, status, **extra):
    return client.post(reverse("roll-call", args=[session.pk]), {"person": person.pk, "status": status}, **extra)


def test_it_lists_the_roster_with_one_button_per_status(clock, session, roster, training_office, client_for):
    with translation.override("zh-hans"):
        response = client_for(training_office).get(reverse("roll-call", args=[session.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for person in roster:
        assert f'id="person-{person.pk}"' in html
    assert html.count('name="status" value="present"') == 2
    assert "其余人员记为缺勤" in html


def test_one_tap_sets_the_status(clock, session, roster, training_office, client_for):
    client = client_for(training_office)
    response = tap(client, session, roster[0], "late")
    assert response.status_code == 302 and response.url.endswith(f"#person-{roster[0].pk}")
    record = record_of(roster[0], session)
    assert (record.status, record.channel, record.recorded_by) == ("late", "roll_call", training_office.user)
    tap(client, session, roster[0], "excused")
    assert record_of(roster[0], session).status == "excused"


def test_a_tap_from_the_script_gets_json(clock, session, roster, training_office, client_for):
    response = tap(client_for(training_office), session, roster[1], "present", HTTP_ACCEPT="application/json")
    data = response.json()
    assert data["row"]["status"] == "present"
    assert data["counts"]["present"] == 1 and data["counts"]["unmarked"] == 1


def test_roll_call_overrides_a_qr_check_in(clock, session, roster, training_office, client_for):
    AttendanceRecord.objects.record_status(roster[0], session, status=AttendanceStatus.PRESENT,
                                           channel=AttendanceChannel.QR)
    tap(client_for(training_office), session, roster[0], "absent")
    assert (record_of(roster[0], session).status, record_of(roster[0], session).channel) == ("absent", "roll_call")


def test_it_refuses_bad_statuses_and_persons_outside_the_roster_or_scope(
        clock, session, roster, training_office, org_tree, make_person, client_for):
    client = client_for(training_office)
    assert tap(client, session, roster[0], "asleep").status_code == 302
    assert record_of(roster[0], session) is None
    stranger = make_person("路人", org_tree["community_a"])
    assert tap(client, session, stranger, "present").status_code == 404
    street_office = make_person("东湖培训专干", org_tree["street_a"], groups=[roles.TRAINING_OFFICE])
    assert tap(client_for(street_office), session, roster[1], "present").status_code == 404  # street B
    assert not AttendanceRecord.objects.exists()


def test_mark_the_rest_absent(clock, session, roster, training_office, client_for):
    clock.set(at(90))
    client = client_for(training_office)
    tap(client, session, roster[0], "present")
    client.post(reverse("roll-call-rest-absent", args=[session.pk]))
    assert record_of(roster[0], session).status == "present"
    rest = record_of(roster[1], session)
    assert (rest.status, rest.channel) == ("absent", "roll_call")
    client.post(reverse("roll-call-rest-absent", args=[session.pk]))
    assert AttendanceRecord.objects.filter(session=session).count() == 2


def test_mark_the_rest_absent_stays_in_scope_and_waits_for_the_start(
        clock, session, roster, org_tree, make_person, client_for):
    street_office = make_person("东湖培训专干", org_tree["street_a"], groups=[roles.TRAINING_OFFICE])
    client = client_for(street_office)
    clock.set(at(-5))
    client.post(reverse("roll-call-rest-absent", args=[session.pk]))
    assert not AttendanceRecord.objects.exists()
    clock.set(at(5))
    client.post(reverse("roll-call-rest-absent", args=[session.pk]))
    assert record_of(roster[0], session).status == "absent"
    assert record_of(roster[1], session) is None  # street B: not theirs


def test_it_admits_a_walk_in(clock, session, org_tree, make_person, training_office, client_for):
    walk_in = make_person("王书记", org_tree["community_a"])
    clock.set(at(20))
    response = client_for(training_office).post(reverse("roll-call-walk-in", args=[session.pk]),
                                                {"phone": walk_in.phone})
    assert response.status_code == 302
    record = record_of(walk_in, session)
    assert (record.status, record.channel, record.recorded_by) == ("late", "walk_in", training_office.user)
    assert Enrollment.objects.current().filter(person=walk_in, course=session.course).exists()


def test_it_refuses_an_unknown_walk_in(clock, session, training_office, client_for):
    with translation.override("zh-hans"):
        response = client_for(training_office).post(reverse("roll-call-walk-in", args=[session.pk]),
                                                    {"phone": "13999999999"}, follow=True)
    assert "没有使用该手机号的在职人员" in response.content.decode()
    assert not AttendanceRecord.objects.exists()


@pytest.mark.parametrize("who", ["secretary", "trainer", "hr", "street_admin"])
def test_roll_call_is_for_the_training_office_only(session, roster, client_for, request, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("roll-call", args=[session.pk])).status_code == 403
    assert tap(client, session, roster[0], "present").status_code == 403
    assert client.post(reverse("roll-call-rest-absent", args=[session.pk])).status_code == 403
    assert client.post(reverse("roll-call-walk-in", args=[session.pk]), {"phone": roster[0].phone}).status_code == 403
    assert not AttendanceRecord.objects.exists()


# --- the closing sweep ----------------------------------------------------------------------------


def test_the_sweep_marks_the_unmarked_absent_once_the_session_has_ended(clock, session, roster):
    AttendanceRecord.objects.record_status(roster[0], session, status=AttendanceStatus.PRESENT,
                                           channel=AttendanceChannel.QR)
    assert tasks.close_ended_sessions(now=at(99)) == 0
    assert tasks.close_ended_sessions(now=at(100)) == 1
    record = record_of(roster[1], session)
    assert (record.status, record.channel) == ("absent", "session_close")
    assert record_of(roster[0], session).status == "present"
    session.refresh_from_db()
    assert session.closed_at == at(100)
    assert tasks.close_ended_sessions(now=at(105)) == 0  # idempotent


def test_the_sweep_is_idempotent_when_delivered_twice(clock, session, roster):
    """django-q2 delivers at least once: a second run over a session not yet marked closed (the
    first died in between) marks nobody twice."""
    session.close(now=at(100))
    Session.objects.filter(pk=session.pk).update(closed_at=None)
    assert tasks.close_ended_sessions(now=at(101)) == 0
    assert AttendanceRecord.objects.filter(session=session).count() == 2


def test_the_sweep_skips_cancelled_and_running_sessions(clock, session, make_session, roster):
    cancelled = make_session(title="取消", cancelled=True)
    running = make_session(title="进行中", starts_at=T0 + datetime.timedelta(hours=3))
    tasks.close_ended_sessions(now=at(110))
    assert not AttendanceRecord.objects.filter(session__in=[cancelled, running]).exists()
    assert AttendanceRecord.objects.filter(session=session).count() == 2


def test_the_sweep_is_scheduled(db):
    from django_q.models import Schedule

    schedule = Schedule.objects.get(func="lms.attendance.tasks.close_ended_sessions")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == ("I", 5, -1)
