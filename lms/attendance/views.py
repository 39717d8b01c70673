"""The learner's session page (stream and schedule) and its presence heartbeat."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .access import attending_person, can_manage_sessions
from .models import AttendanceRecord, AttendanceStatus, Session


def _session_for(user, session_id):
    """The session and the attending person (None for staff previewing). 404 for a session of
    an unpublished course, 403 for someone neither enrolled nor staff."""
    session = get_object_or_404(Session.objects.select_related("course"), pk=session_id)
    person = attending_person(user, session)
    if person is not None and session.course.live:
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
    })


@never_cache
@require_POST
def presence(request: HttpRequest, session_id: int) -> HttpResponse:
    """A live-presence heartbeat (POST, CSRF-protected, form-encoded so sendBeacon works). The body
    carries nothing the server trusts: the minute counted is the server's clock."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "login_required"}, status=403)
    session = Session.objects.filter(pk=session_id).select_related("course").first()
    if session is None:
        return JsonResponse({"error": "not_found"}, status=404)
    person = attending_person(request.user, session)
    if person is None or not session.course.live:
        return JsonResponse({"error": "not_enrolled"}, status=403)
    result = AttendanceRecord.objects.record_live_presence(person, session, by=request.user)
    record = result.record or AttendanceRecord.objects.filter(session=session, person=person).first()
    return JsonResponse(_presence_payload(session, record, result.reason))
