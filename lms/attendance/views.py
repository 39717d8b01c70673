"""The learner's side: the session page (stream, schedule, my attendance, leave) and its presence
heartbeat, the QR check-in URL and its confirmation, my upcoming sessions and the .ics feed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import calendar, checkin
from .access import attending_person, can_manage_sessions
from .models import AttendanceRecord, AttendanceStatus, CalendarFeed, LeaveRequest, Session


def _session_for(user, session_id):
    """The session and the attending person (None for staff previewing). 404 for a session of
    an unpublished course, 403 for someone neither enrolled nor staff."""
    session = get_object_or_404(Session.objects.select_related("course"), pk=session_id)
    person = attending_person(user, session)  # enrolled in a published course
    if person is not None:
        return session, person
    if can_manage_sessions(user):
        return session, None
    if not session.course.live:
        raise Http404
    raise PermissionDenied


def _status_label(session, record, now=None):
    """What the learner reads as their status: "absent" is only final once the session has ended;
    until then it is still being counted."""
    if record is None:
        return _("Not recorded yet")
    if record.status == AttendanceStatus.ABSENT and not session.has_ended(now):
        return _("Counting, not yet present")
    return record.get_status_display()


def _presence_payload(session, record, reason=None):
    return {
        "reason": reason,
        "minutes_present": record.minutes_present if record else 0,
        "scheduled_minutes": session.scheduled_minutes,
        "required_minutes": session.required_minutes,
        "status": record.status if record else AttendanceStatus.ABSENT,
        "status_label": str(_status_label(session, record)),
    }


@never_cache
@login_required
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    session, person = _session_for(request.user, session_id)
    record = AttendanceRecord.objects.filter(session=session, person=person).first() if person else None
    now = timezone.now()
    return render(request, "attendance/session_detail.html", {
        "session": session,
        "course": session.course,
        "person": person,
        "record": record,
        "status_label": _status_label(session, record, now),
        "under_way": session.is_under_way(now),
        "ended": session.has_ended(now),
        "tracks_presence": bool(person and session.is_online and not session.cancelled and not session.has_ended(now)),
        "leave_requests": (LeaveRequest.objects.filter(session=session, person=person) if person else []),
        "can_request_leave": bool(person and not session.cancelled and not session.has_ended(now)
                                  and not LeaveRequest.objects.open().filter(session=session, person=person).exists()),
    })


@never_cache
@require_POST
def presence(request: HttpRequest, session_id: int) -> HttpResponse:
    """A live-presence heartbeat (POST, CSRF-protected, form-encoded so sendBeacon works). The body
    carries nothing the server trusts: the minute counted is the server's clock."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "login_required"}, status=403)
    session = Session.objects.filter(pk=session_id).first()
    if session is None:
        return JsonResponse({"error": "not_found"}, status=404)
    person = attending_person(request.user, session)
    if person is None:
        return JsonResponse({"error": "not_enrolled"}, status=403)
    result = AttendanceRecord.objects.record_live_presence(person, session, by=request.user)
    record = result.record or AttendanceRecord.objects.filter(session=session, person=person).first()
    return JsonResponse(_presence_payload(session, record, result.reason))


# --- leave ----------------------------------------------------------------------------------------


@require_POST
@login_required
def request_leave(request: HttpRequest, session_id: int) -> HttpResponse:
    session, person = _session_for(request.user, session_id)
    if person is None:
        raise PermissionDenied
    try:
        LeaveRequest.request(person, session, request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your leave request has been sent to the training office."))
    return redirect("session-detail", session.pk)


@require_POST
@login_required
def cancel_leave(request: HttpRequest, session_id: int, leave_id: int) -> HttpResponse:
    session, person = _session_for(request.user, session_id)
    leave = get_object_or_404(LeaveRequest, pk=leave_id, session=session, person=person) if person else None
    if leave is None:
        raise PermissionDenied
    try:
        leave.cancel()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your leave request has been withdrawn."))
    return redirect("session-detail", session.pk)


# --- QR check-in ------------------------------------------------------------------------------------

CHECKIN_MESSAGES = {
    "invalid": gettext_lazy("This check-in code has expired or is not valid. Scan the code on the screen again."),
    "not_open": gettext_lazy("Check-in for this session has not opened yet."),
    "closed": gettext_lazy("Check-in for this session has closed."),
    "cancelled": gettext_lazy("This session has been cancelled."),
    "not_in_person": gettext_lazy("This session is held online only; there is no check-in in the hall."),
    "not_enrolled": gettext_lazy("You are not enrolled in this course, so you cannot check in yourself. "
                      "Please go to the training office staff at the entrance: they can admit you."),
    "no_person": gettext_lazy("Your account is not linked to a person in the roster. Please ask the training office."),
}


def _checkin_refused(request, session, outcome, status=403):
    return render(request, "attendance/checkin_result.html", {
        "session": session, "outcome": outcome, "message": CHECKIN_MESSAGES[outcome]}, status=status)


# A refused scan's HTTP status: 400 for a bad code, 403 for who the scanner is, 409 for the session's state.
CHECKIN_REFUSAL_STATUS = {"invalid": 400, "no_person": 403, "not_enrolled": 403}


@never_cache
@require_GET
def checkin_scan(request: HttpRequest, session_id: int, token: str) -> HttpResponse:
    """The URL in the QR code. A valid scan by someone not logged in is remembered in their
    browser session across the login redirect (see lms.attendance.checkin).

    Hundreds of learners scan within minutes, so this loads only the session's own columns the
    scan needs (not the course page); the person, enrolment and published course are one query
    inside checkin.check_in, and the record and its history row one INSERT statement on PostgreSQL
    (two in one transaction on SQLite; lms.rowsql)."""
    session = checkin.scanned_session(session_id)
    if session is None:
        raise Http404
    now = timezone.now()
    scanned_at = now if checkin.token_is_valid(session, token, now) else None
    if not request.user.is_authenticated:
        if scanned_at is None:
            return _checkin_refused(request, session, "invalid", status=400)
        checkin.remember_scan(request.session, session, scanned_at)
        return redirect_to_login(request.get_full_path())
    scanned_at = checkin.take_remembered_scan(request.session, session, now) or scanned_at
    if scanned_at is None:
        return _checkin_refused(request, session, "invalid", status=400)
    result = checkin.check_in(request.user, session, at=scanned_at)
    if not result.ok:
        return _checkin_refused(request, session, result.outcome,
                                status=CHECKIN_REFUSAL_STATUS.get(result.outcome, 409))
    url = reverse("checkin-done", args=[session.pk])
    return redirect(f"{url}?already=1" if result.outcome == "already" else url)


@never_cache
@login_required
def checkin_done(request: HttpRequest, session_id: int) -> HttpResponse:
    """The confirmation page the scan leads to."""
    session, person = _session_for(request.user, session_id)
    record = AttendanceRecord.objects.filter(session=session, person=person).first() if person else None
    if record is None or not record.attended:
        return redirect("session-detail", session.pk)
    return render(request, "attendance/checkin_done.html", {
        "session": session, "record": record, "person": person, "already": request.GET.get("already") == "1"})


# --- calendar -------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def my_sessions(request: HttpRequest) -> HttpResponse:
    person = getattr(request.user, "person", None)
    if person is None:
        raise PermissionDenied
    if request.method == "POST":
        if request.POST.get("action") == "reset-calendar":
            CalendarFeed.for_person(person).reset()
            messages.success(request, _("Your calendar address has been changed; the old one no longer works."))
        return redirect("my-sessions")
    feed = CalendarFeed.for_person(person)
    return render(request, "attendance/my_sessions.html", {
        "person": person,
        "rows": calendar.upcoming_rows(person),
        "feed_url": request.build_absolute_uri(reverse("calendar-feed", args=[feed.token])),
    })


@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The learner's sessions as iCalendar. The unguessable URL is the credential."""
    feed = CalendarFeed.objects.filter(token=token).select_related("person").first()
    if feed is None or not feed.person.is_active:
        raise Http404
    response = HttpResponse(calendar.ics_for(feed.person, request), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="touyan.ics"'
    return response
