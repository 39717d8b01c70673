"""`{% course_sessions course %}` lists a course's upcoming and current sessions with links."""

import datetime

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.contrib.auth.models import AnonymousUser

from lms.attendance.models import AttendanceRecord

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 20, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def render(course, user=None):
    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    template = Template("{% load attendance_tags %}{% course_sessions course %}")
    return template.render(Context({"course": course, "request": request}))


def test_it_lists_current_and_upcoming_sessions_with_links(course, make_session, clock):
    past = make_session(title="已结束场次", starts_at=T0 - datetime.timedelta(hours=3), minutes=60)
    current = make_session(title="进行中场次", starts_at=T0 - datetime.timedelta(minutes=10), minutes=60)
    upcoming = make_session(title="下午场次", starts_at=T0 + datetime.timedelta(hours=5), minutes=60)
    html = render(course)
    assert past.title not in html
    assert html.index(current.title) < html.index(upcoming.title)
    assert f'href="/sessions/{current.pk}/"' in html and f'href="/sessions/{upcoming.pk}/"' in html


def test_it_marks_the_learners_attended_sessions(course, make_session, enrolled, clock):
    session = make_session(title="进行中场次", starts_at=T0 - datetime.timedelta(minutes=10), minutes=60)
    AttendanceRecord.objects.record_status(enrolled, session, status="present", channel="qr")
    html = render(course, enrolled.user)
    assert "tag ok" in html


def test_it_says_when_there_is_nothing_coming(course, clock):
    assert "empty" in render(course)


def test_it_shows_only_the_given_courses_sessions(course, make_course, make_session, clock):
    other = make_course("另一个课程", slug="other")
    make_session(title="别的课程场次", course=other, starts_at=T0 + datetime.timedelta(hours=1))
    assert "别的课程场次" not in render(course)


def test_it_appears_on_the_course_page(client_for, course, make_session, enrolled, clock):
    session = make_session(title="下午场次", starts_at=T0 + datetime.timedelta(hours=5), minutes=60)
    html = client_for(enrolled.user).get(course.url).content.decode()
    assert session.title in html
    assert f'href="/sessions/{session.pk}/"' in html
