"""The learner's calendar: upcoming sessions, the .ics feed behind an unguessable address (reset
makes a new one), and the day-before reminder email, sent once per person and session."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from lms.attendance import tasks
from lms.attendance.models import CalendarFeed, SessionReminder

from .conftest import T0, at

pytestmark = pytest.mark.django_db


def test_my_sessions_lists_upcoming_sessions_of_my_courses(clock, session, make_session, enrolled, client_for):
    clock.set(at(-60))
    make_session(title="已取消", cancelled=True)
    past = make_session(title="上一场", starts_at=T0 - datetime.timedelta(days=1))
    with translation.override("zh-hans"):
        response = client_for(enrolled).get(reverse("my-sessions"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-session="{session.pk}"' in html and "已取消" not in html and f'data-session="{past.pk}"' not in html
    assert "/calendar/" in html and ".ics" in html


def test_my_sessions_needs_a_login(client):
    assert client.get(reverse("my-sessions")).status_code == 302


def test_the_feed_lists_my_sessions_as_icalendar(clock, session, make_session, enrolled, client):
    clock.set(at(-60))
    cancelled = make_session(title="已取消的一场", cancelled=True)
    feed = CalendarFeed.for_person(enrolled)
    response = client.get(reverse("calendar-feed", args=[feed.token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert f"UID:session-{session.pk}@testserver" in body
    assert "DTSTART:20260320T010000Z" in body and "DTEND:20260320T024000Z" in body
    assert "SUMMARY:头雁讲坛·社区治理" in body and "LOCATION:区委党校报告厅" in body
    assert f"UID:session-{cancelled.pk}@testserver" in body and "STATUS:CANCELLED" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_the_feed_shows_nobody_elses_sessions(clock, session, other_secretary, client):
    feed = CalendarFeed.for_person(other_secretary)
    assert "BEGIN:VEVENT" not in client.get(reverse("calendar-feed", args=[feed.token])).content.decode()


def test_the_feed_address_is_random_and_can_be_reset(clock, enrolled, client_for, client):
    feed = CalendarFeed.for_person(enrolled)
    assert len(feed.token) >= 32 and CalendarFeed.for_person(enrolled).token == feed.token
    old = feed.token
    client_for(enrolled).post(reverse("my-sessions"), {"action": "reset-calendar"})
    assert client.get(reverse("calendar-feed", args=[old])).status_code == 404
    assert client.get(reverse("calendar-feed", args=["guess"])).status_code == 404
    new = CalendarFeed.objects.get(person=enrolled).token
    assert new != old and client.get(reverse("calendar-feed", args=[new])).status_code == 200


def test_an_inactive_persons_feed_is_gone(enrolled, client):
    feed = CalendarFeed.for_person(enrolled)
    enrolled.is_active = False
    enrolled.save()
    assert client.get(reverse("calendar-feed", args=[feed.token])).status_code == 404


def test_the_reminder_goes_out_the_day_before_once(session, make_session, enrolled, other_secretary):
    enrolled.user.email = "zhang@example.cn"
    enrolled.user.save()
    make_session(title="后天", starts_at=T0 + datetime.timedelta(days=2))
    day_before = T0 - datetime.timedelta(days=1)
    assert tasks.send_session_reminders(now=day_before) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["zhang@example.cn"]
    assert "头雁讲坛·社区治理" in message.subject and "09:00" in message.subject
    assert "区委党校报告厅" in message.body and f"/sessions/{session.pk}/" in message.body
    assert tasks.send_session_reminders(now=day_before + datetime.timedelta(hours=1)) == 0  # idempotent
    assert len(mail.outbox) == 1 and SessionReminder.objects.count() == 1
    assert tasks.send_session_reminders(now=T0 - datetime.timedelta(days=3)) == 0


def test_the_reminder_is_scheduled(db):
    from django_q.models import Schedule

    assert Schedule.objects.filter(func="lms.attendance.tasks.send_session_reminders").exists()
