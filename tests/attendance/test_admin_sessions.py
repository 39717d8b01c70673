"""Sessions in the Wagtail admin: the training office schedules, edits and cancels them; a session
with attendance records cannot be deleted (alone or in bulk); other roles cannot get in."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from lms.attendance.models import AttendanceRecord, Session
from lms.people import roles

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 20, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))

LIST = "wagtailsnippets_attendance_session:list"
ADD = "wagtailsnippets_attendance_session:add"


def url(view, session):
    return reverse(f"wagtailsnippets_attendance_session:{view}", args=[session.pk])


def form_data(course, **changes):
    data = {
        "course": course.pk, "title": "头雁讲坛·第一讲", "speaker": "王教授",
        "starts_at": "2026-03-20 14:00", "ends_at": "2026-03-20 16:00",
        "mode": "hybrid", "venue": "区委党校报告厅", "capacity": "200",
        "stream_url": "https://live.example.cn/player/7", "embed_stream": "on", "present_share": "0.80",
        "credit_hours": "2", "credit_days": "0", "checkin_opens_minutes": "30", "late_after_minutes": "10",
    }
    data.update(changes)
    return data


def test_it_gives_the_training_office_the_session_permissions(training_office):
    codenames = set(Group.objects.get(name=roles.TRAINING_OFFICE).permissions
                    .filter(content_type__app_label="attendance").values_list("codename", flat=True))
    # plus read-only access to the records they keep, for the audit log (lms.audit)
    assert codenames == {"add_session", "change_session", "delete_session", "view_session",
                         "view_attendancerecord", "view_leaverequest", "view_withdrawalflag"}


def test_it_lets_the_training_office_schedule_a_session(client_for, training_office, course):
    response = client_for(training_office).post(reverse(ADD), form_data(course))
    assert response.status_code == 302, response.content.decode()[:2000]
    session = Session.objects.get()
    assert (session.title, session.mode, session.capacity, session.embed_stream) == (
        "头雁讲坛·第一讲", "hybrid", 200, True)
    assert session.starts_at == T0 + datetime.timedelta(hours=5)  # 14:00 in Asia/Shanghai
    assert session.scheduled_minutes == 120


def test_it_lists_sessions_for_the_training_office(client_for, training_office, session):
    response = client_for(training_office).get(reverse(LIST))
    assert response.status_code == 200
    assert session.title in response.content.decode()


def test_it_shows_why_a_session_is_invalid(client_for, training_office, course):
    response = client_for(training_office).post(
        reverse(ADD), form_data(course, ends_at="2026-03-20 13:00", stream_url="http://insecure.example.cn/x"))
    assert response.status_code == 200
    assert not Session.objects.exists()
    form = response.context["form"]
    assert "ends_at" in form.errors and "embed_stream" in form.errors


def test_it_refuses_deleting_a_session_with_records(client_for, training_office, session, secretary):
    AttendanceRecord.objects.record_live_presence(secretary, session, now=T0)
    client = client_for(training_office)
    response = client.post(url("delete", session))
    assert response.status_code == 302
    assert response["Location"] == url("edit", session)
    assert Session.objects.filter(pk=session.pk).exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any(session.title in m for m in messages)


def test_it_refuses_deleting_a_session_with_records_in_bulk(client_for, training_office, session, make_session,
                                                             secretary):
    spare = make_session(title="备用场次")
    AttendanceRecord.objects.record_live_presence(secretary, session, now=T0)
    bulk = reverse("wagtail_bulk_action", args=["attendance", "session", "delete"])
    response = client_for(training_office).post(f"{bulk}?id={session.pk}&id={spare.pk}", {})
    assert response.status_code == 302
    assert Session.objects.count() == 2


def test_it_deletes_a_session_without_records(client_for, training_office, session):
    response = client_for(training_office).post(url("delete", session))
    assert response.status_code == 302
    assert not Session.objects.exists()


def test_it_cancels_a_session_and_keeps_its_records(client_for, training_office, session, secretary):
    AttendanceRecord.objects.record_live_presence(secretary, session, now=T0)
    data = form_data(session.course, title=session.title, starts_at="2026-03-20 09:00",
                     ends_at="2026-03-20 10:40", cancelled="on")
    response = client_for(training_office).post(url("edit", session), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    session.refresh_from_db()
    assert session.cancelled
    assert AttendanceRecord.objects.filter(session=session).count() == 1


def test_it_refuses_moving_a_session_with_online_minutes(client_for, training_office, session, secretary):
    AttendanceRecord.objects.record_live_presence(secretary, session, now=T0)
    data = form_data(session.course, starts_at="2026-03-20 10:00", ends_at="2026-03-20 11:00")
    response = client_for(training_office).post(url("edit", session), data)
    assert response.status_code == 200
    assert "starts_at" in response.context["form"].errors
    session.refresh_from_db()
    assert session.starts_at == T0


@pytest.mark.parametrize("persona", ["secretary", "trainer", "hr", "street_admin"])
def test_it_keeps_other_roles_out_of_sessions(client_for, request, session, persona):
    who = request.getfixturevalue(persona)
    client = client_for(who)
    for target in (reverse(LIST), reverse(ADD), url("edit", session), url("delete", session)):
        response = client.get(target)
        assert response.status_code in (302, 403), (persona, target)
        if response.status_code == 302:
            assert "/admin/" in response["Location"] or "/login/" in response["Location"]
    client.post(url("delete", session))
    assert Session.objects.filter(pk=session.pk).exists()


def test_it_sends_anonymous_visitors_to_the_admin_login(client, session):
    response = client.get(reverse(LIST))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_it_refuses_deleting_a_course_that_has_sessions(client_for, superuser, session):
    course = session.course
    response = client_for(superuser).post(reverse("wagtailadmin_pages:delete", args=[course.pk]))
    assert response.status_code == 302
    assert type(course).objects.filter(pk=course.pk).exists()
    assert Session.objects.filter(pk=session.pk).exists()


def test_it_refuses_deleting_the_program_of_a_course_with_sessions(client_for, superuser, session):
    program = session.course.get_parent()
    response = client_for(superuser).post(reverse("wagtailadmin_pages:delete", args=[program.pk]))
    assert response.status_code == 302
    assert Session.objects.filter(pk=session.pk).exists()


def test_it_refuses_bulk_deleting_a_course_that_has_sessions(client_for, superuser, session):
    course = session.course
    bulk = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
    response = client_for(superuser).post(f"{bulk}?id={course.pk}", {})
    assert response.status_code == 302
    assert Session.objects.filter(pk=session.pk).exists()


def test_it_refuses_deleting_a_person_with_attendance_records(client_for, superuser, session, secretary):
    AttendanceRecord.objects.record_live_presence(secretary, session, now=T0)
    response = client_for(superuser).post(reverse("wagtailsnippets_people_person:delete", args=[secretary.pk]))
    assert response.status_code == 302
    assert AttendanceRecord.objects.filter(person=secretary).exists()


def test_it_explains_the_refusal_in_chinese(client_for, superuser, session):
    program = session.course.get_parent()
    response = client_for(superuser).post(reverse("wagtailadmin_pages:delete", args=[program.pk]),
                                          HTTP_ACCEPT_LANGUAGE="zh-hans")
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("已安排场次，不能删除" in m for m in messages), messages


def attendance_url(session):
    return reverse("wagtailsnippets_attendance_session:attendance", args=[session.pk])


def test_it_shows_the_training_office_each_persons_attendance(client_for, training_office, session, secretary,
                                                              other_secretary):
    for minute in range(3):
        AttendanceRecord.objects.record_live_presence(secretary, session, now=T0 + datetime.timedelta(minutes=minute))
    AttendanceRecord.objects.record_status(other_secretary, session, status="present", channel="qr",
                                           by=training_office.user)
    client = client_for(training_office)
    assert attendance_url(session) in client.get(reverse(LIST)).content.decode()
    response = client.get(attendance_url(session))
    assert response.status_code == 200
    content = response.content.decode()
    assert secretary.name in content and other_secretary.name in content
    assert "<td>3</td>" in content  # the secretary's online minutes
    assert training_office.user.username in content


def test_it_shows_staff_only_the_people_in_their_scope(client_for, org_tree, make_person, session, secretary,
                                                       other_secretary):
    street_office = make_person("街道培训专员", org_tree["street_a"], groups=[roles.TRAINING_OFFICE])
    for person in (secretary, other_secretary):
        AttendanceRecord.objects.record_status(person, session, status="present", channel="qr")
    content = client_for(street_office).get(attendance_url(session)).content.decode()
    assert secretary.name in content
    assert other_secretary.name not in content


@pytest.mark.parametrize("persona", ["secretary", "trainer", "street_admin"])
def test_it_keeps_others_out_of_session_attendance(client_for, request, session, persona):
    response = client_for(request.getfixturevalue(persona)).get(attendance_url(session))
    assert response.status_code in (302, 403)


def test_it_404s_the_attendance_of_a_missing_session(client_for, training_office):
    assert client_for(training_office).get(
        reverse("wagtailsnippets_attendance_session:attendance", args=[999999])).status_code == 404
