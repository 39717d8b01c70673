"""The training office's read-only view of a session's attendance in the Wagtail admin: counts by
status and channel, and per person the status, channel, online minutes and who recorded it. Staff
see only the persons in their own organization subtree (lms.people.scoping)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms.people.scoping import visible_persons

from .models import AttendanceChannel, AttendanceRecord, AttendanceStatus, Session


class SessionAttendanceView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "attendance/admin/session_attendance.html"
    page_title = _("Attendance")
    header_icon = "tasks"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("attendance.view_session"):
            raise PermissionDenied
        self.session = get_object_or_404(Session.objects.select_related("course"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.session)

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailsnippets_attendance_session:list"), "label": _("Sessions")},
            {"url": reverse("wagtailsnippets_attendance_session:edit", args=[self.session.pk]),
             "label": str(self.session)},
            {"url": "", "label": _("Attendance")},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        records = (AttendanceRecord.objects.filter(session=self.session,
                                                   person__in=visible_persons(self.request.user))
                   .select_related("person__organization", "recorded_by").order_by("person__name", "pk"))
        by_status = dict(records.order_by().values_list("status").annotate(n=Count("pk")))
        by_channel = dict(records.order_by().values_list("channel").annotate(n=Count("pk")))
        context.update(
            session=self.session,
            records=records,
            status_counts=[(s.label, by_status.get(s.value, 0)) for s in AttendanceStatus],
            channel_counts=[(c.label, by_channel[c.value]) for c in AttendanceChannel if c.value in by_channel],
            online_minutes=records.aggregate(total=Sum("minutes_present"))["total"] or 0,
        )
        return context
