"""Training-office screens outside the Wagtail admin, built for the hall: the check-in display for
the projector (full screen, polling a JSON state) and the roll call for a tablet (one tap per
person). Both need the session-management permission, and list only the persons in the viewer's
organization subtree."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from lms.learning.models import Enrollment, EnrollmentSource
from lms.people.scoping import visible_persons

from . import board, checkin
from .access import can_manage_sessions
from .models import AttendanceChannel, AttendanceRecord, AttendanceStatus, Session

STATE_LABELS = {
    "open": gettext_lazy("Check-in is open"),
    "not_open": gettext_lazy("Check-in has not opened yet"),
    "closed": gettext_lazy("Check-in has closed"),
    "cancelled": gettext_lazy("This session has been cancelled."),
    "not_in_person": gettext_lazy("This session is held online only; there is no check-in in the hall."),
}


def _staff_session(user, session_id):
    if not can_manage_sessions(user):
        raise PermissionDenied
    return get_object_or_404(Session.objects.select_related("course"), pk=session_id)


def _person_payload(row):
    record = row.record
    return {
        "id": row.person.pk,
        "name": row.person.name,
        "organization": row.person.organization.name,
        "status": record.status if record else None,
        "status_label": str(record.get_status_display()) if record else str(_("Not checked in")),
        "time": timezone.localtime(record.first_seen_at).strftime("%H:%M") if record and record.first_seen_at else "",
    }


def display_state(request, session, now=None):
    """What the display shows: the QR code of the current window (while check-in is open), the
    counts, and who has and has not checked in."""
    now = now or timezone.now()
    state = session.checkin_state(now)
    rows = board.rows(session, request.user)
    arrived = sorted((r for r in rows if r.checked_in), key=lambda r: r.record.first_seen_at or now, reverse=True)
    data = {
        "state": state,
        "state_label": str(STATE_LABELS[state]),
        "opens_at": timezone.localtime(session.checkin_opens_at).strftime("%H:%M"),
        "counts": board.counts(rows),
        "checked_in": [_person_payload(r) for r in arrived],
        "missing": [_person_payload(r) for r in rows if not r.checked_in],
        "token": None, "url": None, "qr_svg": None,
        "refresh_in": 3.0,
    }
    if state == "open":
        token = checkin.current_token(session, now)
        url = request.build_absolute_uri(reverse("checkin", args=[session.pk, token]))
        data.update(token=token, url=url,
                    qr_svg=segno.make(url, error="m").svg_inline(omitsize=True, border=2, svgclass="qr-code"),
                    refresh_in=round(min(3.0, checkin.seconds_to_next_window(now) + 0.2), 2))
    return data


@never_cache
@login_required
def display(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _staff_session(request.user, session_id)
    return render(request, "attendance/staff/display.html", {
        "session": session, "state": display_state(request, session)})


@never_cache
@login_required
def display_json(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _staff_session(request.user, session_id)
    return JsonResponse(display_state(request, session))


# --- roll call ----------------------------------------------------------------------------------

ROLL_CALL_STATUSES = [AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.EXCUSED,
                      AttendanceStatus.ABSENT]


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def roll_call(request: HttpRequest, session_id: int) -> HttpResponse:
    """GET: the roster with one button per status. POST person + status: set it (channel roll call)."""
    session = _staff_session(request.user, session_id)
    if request.method == "POST":
        status = request.POST.get("status")
        if status not in AttendanceStatus.values:
            return _roll_call_error(request, session, _("Choose a status."))
        person = board.scoped_roster(session, request.user).filter(pk=request.POST.get("person") or 0).first()
        if person is None:
            raise Http404
        record, _changed = AttendanceRecord.objects.record_status(
            person, session, status=status, channel=AttendanceChannel.ROLL_CALL, by=request.user)
        row = board.Row(person, record)
        if _wants_json(request):
            rows = board.rows(session, request.user)
            return JsonResponse({"row": _person_payload(row), "counts": board.counts(rows)})
        return redirect(reverse("roll-call", args=[session.pk]) + f"#person-{person.pk}")
    rows = board.rows(session, request.user)
    return render(request, "attendance/staff/roll_call.html", {
        "session": session, "rows": rows, "counts": board.counts(rows), "statuses": ROLL_CALL_STATUSES,
        "ended": session.has_ended(), "started": session.starts_at <= timezone.now()})


def _roll_call_error(request, session, message):
    if _wants_json(request):
        return JsonResponse({"error": message}, status=400)
    messages.error(request, message)
    return redirect("roll-call", session.pk)


@require_POST
@login_required
def roll_call_rest_absent(request: HttpRequest, session_id: int) -> HttpResponse:
    """Mark every enrolled person in the viewer's scope who has no record yet absent."""
    session = _staff_session(request.user, session_id)
    if session.cancelled:
        return _roll_call_error(request, session, _("This session has been cancelled."))
    if timezone.now() < session.starts_at:
        return _roll_call_error(request, session, _("The session has not started yet."))
    marked = session.mark_unmarked_absent(channel=AttendanceChannel.ROLL_CALL, by=request.user,
                                          persons=visible_persons(request.user))
    messages.success(request, _("%(count)s persons without a record were marked absent.") % {"count": marked})
    return redirect("roll-call", session.pk)


@require_POST
@login_required
def admit_walk_in(request: HttpRequest, session_id: int) -> HttpResponse:
    """Admit someone who is not enrolled (found by mobile number in the viewer's scope): they are
    enrolled in the course by the training office and checked in through the walk-in channel."""
    session = _staff_session(request.user, session_id)
    phone = (request.POST.get("phone") or "").strip()
    person = visible_persons(request.user).filter(phone=phone, is_active=True).first() if phone else None
    if person is None:
        return _roll_call_error(request, session, _("No active person with this mobile number in your scope."))
    if session.cancelled:
        return _roll_call_error(request, session, _("This session has been cancelled."))
    now = timezone.now()
    Enrollment.enrol(person, session.course, EnrollmentSource.BULK, by=request.user)
    AttendanceRecord.objects.record_status(person, session, status=session.arrival_status(now),
                                           channel=AttendanceChannel.WALK_IN, by=request.user, at=now)
    messages.success(request, _("%(name)s was admitted and checked in.") % {"name": person.name})
    return redirect(reverse("roll-call", args=[session.pk]) + f"#person-{person.pk}")


@never_cache
@login_required
def sign_in_sheet(request: HttpRequest, session_id: int) -> HttpResponse:
    """The printable roster with a signature column (A4 PDF)."""
    from .pdf import render_sign_in_sheet

    session = _staff_session(request.user, session_id)
    response = HttpResponse(render_sign_in_sheet(session, request.user), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="sign-in-sheet-{session.pk}.pdf"'
    return response
