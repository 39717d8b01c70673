"""The training office's read-only view of a session's attendance in the Wagtail admin: counts by
status and channel, and per person the status, channel, online minutes and who recorded it. Staff
see only the persons in their own organization subtree (lms.people.scoping)."""

import secrets

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms.people.scoping import visible_persons

from . import importing, reports
from .access import can_manage_sessions
from .models import (AttendanceChannel, AttendanceRecord, AttendanceStatus, LeaveRequest, LeaveStatus, Session,
                     WithdrawalFlag, WithdrawalStatus)


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


# --- leave and withdrawal --------------------------------------------------------------------------


class StaffOnlyMixin:
    """The training office (session-management permission); data limited to the viewer's scope."""

    def dispatch(self, request, *args, **kwargs):
        if not can_manage_sessions(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class LeaveRequestsView(StaffOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    """Pending leave requests to approve or reject, and the recently decided ones. Approving a
    full-time session's leave past 1/7 of the course's days asks for confirmation first, then
    raises a withdrawal flag."""

    template_name = "attendance/admin/leave_requests.html"
    page_title = _("Leave requests")
    header_icon = "date"

    def scoped(self):
        return (LeaveRequest.objects.filter(person__in=visible_persons(self.request.user))
                .select_related("person__organization", "session__course", "decided_by"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pending = list(self.scoped().pending().order_by("session__starts_at", "requested_at"))
        for leave in pending:
            leave.balance = leave.balance_if_approved()
        context.update(pending=pending, decided=self.scoped().exclude(status=LeaveStatus.PENDING)[:50],
                       confirm_over_limit=kwargs.get("confirm_over_limit"))
        return context

    def post(self, request, *args, **kwargs):
        leave = get_object_or_404(self.scoped(), pk=request.POST.get("leave") or 0)
        action, note = request.POST.get("action"), request.POST.get("note", "")
        try:
            if action == "approve":
                balance = leave.balance_if_approved()
                if balance is not None and balance.exceeded and request.POST.get("confirm") != "1":
                    return self.render_to_response(self.get_context_data(confirm_over_limit=leave))
                flag = leave.approve(request.user, note)
                messages.success(request, _("Leave approved: %(person)s is excused from %(session)s.") % {
                    "person": leave.person.name, "session": leave.session.title})
                if flag is not None:
                    messages.warning(request, _(
                        "%(person)s's approved leave now exceeds 1/7 of the full-time class: they are flagged for "
                        "withdrawal.") % {"person": leave.person.name})
            elif action == "reject":
                leave.reject(request.user, note)
                messages.success(request, _("Leave rejected."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("attendance_leave_requests")


class WithdrawalFlagsView(StaffOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    """Persons whose approved leave passed 1/7 of a full-time class: confirm the withdrawal (退学,
    closing the enrolment) or dismiss the flag."""

    template_name = "attendance/admin/withdrawal_flags.html"
    page_title = _("Withdrawals")
    header_icon = "warning"

    def scoped(self):
        return (WithdrawalFlag.objects.filter(person__in=visible_persons(self.request.user))
                .select_related("person__organization", "course", "decided_by"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(open_flags=self.scoped().filter(status=WithdrawalStatus.OPEN),
                       decided=self.scoped().exclude(status=WithdrawalStatus.OPEN)[:50])
        return context

    def post(self, request, *args, **kwargs):
        flag = get_object_or_404(self.scoped(), pk=request.POST.get("flag") or 0)
        withdraw = request.POST.get("action") == "withdraw"
        try:
            flag.decide(withdraw=withdraw, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, (_("%(person)s has been withdrawn from %(course)s.") if withdraw else
                                       _("The withdrawal flag of %(person)s was dismissed.")) % {
                "person": flag.person.name, "course": flag.course.title})
        return redirect("attendance_withdrawals")


# --- attendance import -----------------------------------------------------------------------------

IMPORT_PENDING_SECONDS = 60 * 60


class AttendanceImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Attendance file (.xlsx or .csv)"))


class SessionImportView(StaffOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    """Upload → preview (every bad row, or what would change) → confirm. Between the steps the file
    waits in the shared cache under a random token bound to the uploader and the session; the
    confirm re-validates and applies in one transaction, refusing if the plan changed."""

    template_name = "attendance/admin/session_import.html"
    page_title = _("Import attendance")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        self.session = get_object_or_404(Session.objects.select_related("course"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.session)

    def _cache_key(self, token):
        return f"attendance:import:{token}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", AttendanceImportForm())
        context.update(session=self.session, columns=importing.COLUMNS)
        return context

    def post(self, request, *args, **kwargs):
        if request.POST.get("token"):
            return self._confirm(request)
        form = AttendanceImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["file"]
        data = upload.read(importing_max_bytes() + 1)
        try:
            result = importing.run_import(data, upload.name, self.session, request.user, dry_run=True)
        except importing.ImportFileError as error:
            return self.render_to_response(self.get_context_data(form=form, file_error=str(error)))
        context = {"form": form, "result": result, "filename": upload.name}
        if not result.errors:
            token = secrets.token_urlsafe(16)
            cache.set(self._cache_key(token), {"user": request.user.pk, "session": self.session.pk, "data": data,
                                               "filename": upload.name}, IMPORT_PENDING_SECONDS)
            context.update(token=token, fingerprint=importing.fingerprint(result.changes))
        return self.render_to_response(self.get_context_data(**context))

    def _confirm(self, request):
        pending = cache.get(self._cache_key(request.POST["token"]))
        if not pending or pending["user"] != request.user.pk or pending["session"] != self.session.pk:
            messages.error(request, _("The preview has expired. Upload the file again."))
            return redirect("wagtailsnippets_attendance_session:import", self.session.pk)
        try:
            result = importing.run_import(pending["data"], pending["filename"], self.session, request.user,
                                          dry_run=False, expected_fingerprint=request.POST.get("fingerprint"))
        except importing.ImportConflict:
            messages.error(request, _("Attendance changed since the preview; nothing was imported. Check the new preview."))
            return redirect("wagtailsnippets_attendance_session:import", self.session.pk)
        except importing.ImportFileError as error:
            messages.error(request, str(error))
            return redirect("wagtailsnippets_attendance_session:import", self.session.pk)
        if result.errors:
            messages.error(request, _("The file no longer validates; nothing was imported. Upload it again."))
            return redirect("wagtailsnippets_attendance_session:import", self.session.pk)
        cache.delete(self._cache_key(request.POST["token"]))
        counts = result.counts
        messages.success(request, _("Imported: %(create)s new, %(update)s changed, %(unchanged)s unchanged.") % counts)
        return redirect("wagtailsnippets_attendance_session:attendance", self.session.pk)


def importing_max_bytes():
    from lms.people.roster import MAX_FILE_BYTES

    return MAX_FILE_BYTES


# --- reports ---------------------------------------------------------------------------------------


class AttendanceReportView(WagtailAdminTemplateMixin, TemplateView):
    """Attendance by session, course or organization, in the viewer's scope; ?format=csv|xlsx
    downloads the same table."""

    template_name = "attendance/admin/report.html"
    page_title = _("Attendance reports")
    header_icon = "table"
    GROUPS = {"session": _("By session"), "course": _("By course"), "organization": _("By organization")}

    def dispatch(self, request, *args, **kwargs):
        if not reports.can_view_reports(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        from courses.models import CoursePage

        self.group = request.GET.get("group") if request.GET.get("group") in self.GROUPS else "session"
        course_id = request.GET.get("course") or ""
        self.course = CoursePage.objects.filter(pk=course_id).first() if course_id.isdigit() else None
        records = reports.scoped_records(request.user, course=self.course)
        if self.group == "course":
            self.rows = reports.by_course(records)
        elif self.group == "organization":
            self.rows = reports.by_organization(records, request.user)
        else:
            self.rows = reports.by_session(records)
        export = request.GET.get("format")
        if export in ("csv", "xlsx"):
            name = f"attendance-{self.group}-{timezone.localdate():%Y%m%d}.{export}"
            if export == "csv":
                response = HttpResponse(reports.to_csv(self.rows), content_type="text/csv; charset=utf-8")
            else:
                response = HttpResponse(reports.to_xlsx(self.rows, str(self.GROUPS[self.group])), content_type=(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        from courses.models import CoursePage

        context = super().get_context_data(**kwargs)
        context.update(rows=self.rows, total=reports.totals(self.rows), group=self.group, groups=self.GROUPS,
                       course=self.course, courses=CoursePage.objects.filter(sessions__isnull=False).distinct()
                       .order_by("-pk")[:200], query=self.request.GET.urlencode())
        return context
