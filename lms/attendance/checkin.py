"""Rotating-QR self check-in in the hall.

The display page shows a QR code of /checkin/<session>/<token>/. The token is an HMAC (keyed by
SECRET_KEY through salted_hmac) of the session and the current 15-second window, so it rotates by
itself on every display and every web process without any stored state; the previous window is
also accepted, so a code scanned just before it changes still works. A token is therefore valid
for 15-30 s, only for its own session, and cannot be made without the secret.

When the scanner is not logged in, the view remembers the valid scan in the browser's session (not
in the URL, so forwarding the link helps nobody) and sends them to log in; after logging in they
come back to the same URL, which by then has expired, and the remembered scan completes the
check-in at the moment it was scanned."""

import datetime
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from lms.rowsql import fetch_instance

from .access import person_for_session
from .models import AttendanceChannel, AttendanceRecord, Session

WINDOW_SECONDS = getattr(settings, "ATTENDANCE_QR_WINDOW_SECONDS", 15)
TOKEN_LENGTH = 20  # hex digits: 80 bits
SALT = "lms.attendance.checkin"
# How long a scan remembered across the login redirect stays good.
PENDING_SCAN_MAX_AGE = datetime.timedelta(minutes=10)
PENDING_SESSION_KEY = "attendance:pending-checkins"
# The Session columns a scan reads (token, check-in window, late grace, the refusal page), in the
# model's field order as Model.from_db takes them.
SESSION_FIELDS = ("id", "course_id", "title", "starts_at", "ends_at", "mode", "cancelled", "checkin_opens_minutes",
                  "late_after_minutes")
_SCANNED_FIELDS = [field for field in Session._meta.concrete_fields if field.attname in SESSION_FIELDS]
_SCANNED_SESSION_SQL = (f"SELECT {', '.join(field.column for field in _SCANNED_FIELDS)} "
                        f"FROM {Session._meta.db_table} WHERE id = %s")


# session pk -> (time.monotonic() when read, the Session): this process's recent reads
_scanned_sessions = {}


def scanned_session(session_id):
    """The session a scan names, with only the columns a scan reads (SESSION_FIELDS), or None.

    A hall scans one session hundreds of times a minute, so each web process reads it at most once
    every ATTENDANCE_SCAN_SESSION_SECONDS (2 s) and otherwise answers from its own copy; a change
    by the training office (times, cancelling) reaches the scans within those seconds, well inside
    the 15-30 s a QR code is valid anyway. The read is written as SQL (lms.rowsql.fetch_instance):
    the ORM query for the same row cost more than the rest of the lookup (bench/checkin.py). A
    number no row can have (the URL takes any digits) is not sent to the database, which would
    refuse it; an unknown one is not remembered."""
    smallest, largest = connection.ops.integer_field_range(Session._meta.pk.get_internal_type())
    if not smallest <= session_id <= largest:
        return None
    now = time.monotonic()
    read_at, session = _scanned_sessions.get(session_id, (-math.inf, None))
    if now - read_at >= settings.ATTENDANCE_SCAN_SESSION_SECONDS:
        session = fetch_instance(Session, _SCANNED_FIELDS, _SCANNED_SESSION_SQL, [session_id])
        if session is None:
            _scanned_sessions.pop(session_id, None)
        elif settings.ATTENDANCE_SCAN_SESSION_SECONDS > 0:
            _scanned_sessions[session_id] = (now, session)
    return session


def window(at=None) -> int:
    return int((at or timezone.now()).timestamp() // WINDOW_SECONDS)


def make_token(session_id: int, window_index: int) -> str:
    return salted_hmac(SALT, f"{session_id}:{window_index}", algorithm="sha256").hexdigest()[:TOKEN_LENGTH]


def current_token(session, now=None) -> str:
    return make_token(session.pk, window(now))


def seconds_to_next_window(now=None) -> float:
    now = now or timezone.now()
    return WINDOW_SECONDS - now.timestamp() % WINDOW_SECONDS


def token_is_valid(session, token, now=None) -> bool:
    """The token of this session's current or previous window."""
    if not isinstance(token, str) or len(token) != TOKEN_LENGTH:
        return False
    current = window(now)
    return any(constant_time_compare(token, make_token(session.pk, w)) for w in (current, current - 1))


# --- remembering a scan across the login redirect ------------------------------------------------


def remember_scan(django_session, session, at):
    pending = dict(django_session.get(PENDING_SESSION_KEY) or {})
    pending[str(session.pk)] = at.isoformat()
    django_session[PENDING_SESSION_KEY] = pending


def take_remembered_scan(django_session, session, now=None):
    """The moment a still-fresh remembered scan of `session` happened (and forget it), else None."""
    pending = dict(django_session.get(PENDING_SESSION_KEY) or {})
    value = pending.pop(str(session.pk), None)
    if value is None:
        return None
    django_session[PENDING_SESSION_KEY] = pending
    try:
        at = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    now = now or timezone.now()
    return at if at <= now <= at + PENDING_SCAN_MAX_AGE else None


# --- checking in --------------------------------------------------------------------------------


@dataclass
class CheckinResult:
    """`outcome`: "checked_in", "already" (a repeat scan: nothing changed), "no_person" (the
    account has no person in the roster), the session's checkin_state when it is not open
    ("not_open", "closed", "cancelled", "not_in_person"), or "not_enrolled"."""

    outcome: str
    record: AttendanceRecord | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in ("checked_in", "already")


def check_in(user, session, *, at=None, channel=AttendanceChannel.QR) -> CheckinResult:
    """Check the user's person in to the session at `at` (when they scanned): present, or late
    after the grace period. Someone already seen in the hall changes nothing."""
    at = at or timezone.now()
    person = person_for_session(user, session, only=())  # the record needs only its id
    if person is None:
        return CheckinResult("no_person")
    state = session.checkin_state(at)
    if state != "open":
        return CheckinResult(state)
    if not person.attending:
        return CheckinResult("not_enrolled")
    record, changed = AttendanceRecord.objects.record_status(
        person, session, status=session.arrival_status(at), channel=channel, by=user, at=at,
        unless=lambda existing: existing.attended_in_person)
    return CheckinResult("checked_in" if changed else "already", record)
