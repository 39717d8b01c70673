"""A learner's sessions: the upcoming list, the iCalendar feed (so sessions land in a phone's
calendar app) and the day-before reminder email.

The feed is written by hand (RFC 5545 needs little here): times in UTC, text escaped, lines folded
at 75 octets. Cancelled sessions stay in the feed as STATUS:CANCELLED so calendars drop them."""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lms.learning.models import Enrollment

from .models import AttendanceRecord, LeaveRequest, Session, SessionReminder

FEED_PAST_DAYS = 90


def sessions_of(person):
    """Sessions of the courses the person is currently enrolled in (published courses only)."""
    courses = Enrollment.objects.current().filter(person=person).values("course_id")
    return Session.objects.filter(course_id__in=courses, course__live=True).select_related("course")


def upcoming_rows(person, now=None, limit=50):
    now = now or timezone.now()
    sessions = list(sessions_of(person).active().not_ended(now).order_by("starts_at", "pk")[:limit])
    statuses = dict(AttendanceRecord.objects.filter(person=person, session__in=sessions)
                    .values_list("session_id", "status"))
    leave = dict(LeaveRequest.objects.open().filter(person=person, session__in=sessions)
                 .values_list("session_id", "status"))
    return [{"session": s, "under_way": s.is_under_way(now), "status": statuses.get(s.pk),
             "leave": leave.get(s.pk)} for s in sessions]


def _escape(text):
    return (str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line):
    """Split a content line into 75-octet pieces (continuations start with a space), never
    inside a UTF-8 character."""
    data = line.encode()
    if len(data) <= 75:
        return line
    pieces, current, limit = [], b"", 75
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > limit:
            pieces.append(current.decode())
            current, limit = b"", 74
        current += encoded
    pieces.append(current.decode())
    return "\r\n ".join(pieces)


def _utc(moment):
    return moment.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def ics_for(person, request=None, now=None):
    now = now or timezone.now()
    sessions = sessions_of(person).filter(ends_at__gte=now - datetime.timedelta(days=FEED_PAST_DAYS)).order_by(
        "starts_at", "pk")
    host = request.get_host().split(":")[0] if request else "touyan"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Touyan//Attendance//ZH", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", "X-WR-CALNAME:" + _escape(_("Touyan sessions")), "X-WR-TIMEZONE:" + settings.TIME_ZONE]
    for session in sessions:
        url = reverse("session-detail", args=[session.pk])
        if request is not None:
            url = request.build_absolute_uri(url)
        description = [session.course.title]
        if session.speaker:
            description.append(_("Speaker: %(speaker)s") % {"speaker": session.speaker})
        description.append(url)
        lines += [
            "BEGIN:VEVENT",
            f"UID:session-{session.pk}@{host}",
            f"DTSTAMP:{_utc(session.updated_at or now)}",
            f"LAST-MODIFIED:{_utc(session.updated_at or now)}",
            f"DTSTART:{_utc(session.starts_at)}",
            f"DTEND:{_utc(session.ends_at)}",
            f"SUMMARY:{_escape(session.title)}",
            f"DESCRIPTION:{_escape(chr(10).join(description))}",
            f"URL:{url}",
        ]
        if session.venue and session.is_in_person:
            lines.append(f"LOCATION:{_escape(session.venue)}")
        lines.append("STATUS:CANCELLED" if session.cancelled else "STATUS:CONFIRMED")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


# --- the day-before reminder ----------------------------------------------------------------------


def sessions_to_remind(now=None):
    """Sessions starting on the next calendar day (local time) that are not cancelled."""
    now = now or timezone.now()
    tomorrow = timezone.localtime(now).date() + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))
    return Session.objects.active().filter(starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=1),
                                           course__live=True).select_related("course")


def send_reminders(now=None, base_url=""):
    """Email each enrolled person with an address about tomorrow's sessions, once per person and
    session (SessionReminder). Returns how many emails went out."""
    now = now or timezone.now()
    sent = 0
    for session in sessions_to_remind(now):
        already = SessionReminder.objects.filter(session=session).values("person_id")
        persons = (session.enrolled_persons().filter(is_active=True).exclude(pk__in=already)
                   .select_related("user").order_by("pk"))
        for person in persons.iterator(chunk_size=500):
            address = person.user.email if person.user_id else ""
            if not address:
                continue
            try:
                with transaction.atomic():
                    SessionReminder.objects.create(session=session, person=person, sent_at=now)
            except IntegrityError:
                continue  # another worker took this one
            with translation.override(settings.LANGUAGE_CODE):
                context = {"session": session, "person": person,
                           "url": base_url + reverse("session-detail", args=[session.pk])}
                subject = _("Reminder: %(title)s tomorrow at %(time)s") % {
                    "title": session.title, "time": timezone.localtime(session.starts_at).strftime("%H:%M")}
                body = render_to_string("attendance/email/reminder.txt", context)
            try:
                send_mail(subject, body, None, [address])
            except Exception:
                SessionReminder.objects.filter(session=session, person=person).delete()  # try again next run
                raise
            sent += 1
    return sent
