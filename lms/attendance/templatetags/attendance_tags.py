"""`{% course_sessions course %}`: a course's upcoming and current sessions, with links to their
pages and, for a signed-in learner, their own attendance status."""

from django import template
from django.utils import timezone

from ..models import AttendanceRecord, Session

register = template.Library()


@register.inclusion_tag("attendance/includes/course_sessions.html", takes_context=True)
def course_sessions(context, course, limit=20):
    now = timezone.now()
    sessions = list(Session.objects.for_course(course).not_ended(now).order_by("starts_at", "pk")[:limit])
    request = context.get("request")
    person = getattr(getattr(request, "user", None), "person", None) if request else None
    statuses = {}
    if person is not None and sessions:
        statuses = dict(AttendanceRecord.objects.filter(person=person, session__in=sessions)
                        .values_list("session_id", "status"))
    rows = [{"session": s, "under_way": s.is_under_way(now), "status": statuses.get(s.pk)} for s in sessions]
    return {"rows": rows, "course": course}
