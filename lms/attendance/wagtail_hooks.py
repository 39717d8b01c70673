"""Sessions in the Wagtail admin, for the training office (permissions in lms.people.roles).

A session with attendance records cannot be deleted, alone or in a bulk action: the office
cancels it instead, which keeps every record (the foreign key also PROTECTs them). Likewise a
course page (or a program above it) with sessions, and a person with attendance records, are
refused with a message instead of the database's ProtectedError."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.widgets import ListingButton
from wagtail.models import Page
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from lms.people.admin_choosers import permitted_chooser_viewset_class
from lms.people.models import Person

from .access import can_manage_sessions
from .reports import can_view_reports
from .admin_views import AttendanceReportView, LeaveRequestsView, SessionAttendanceView, SessionImportView, WithdrawalFlagsView
from .models import AttendanceRecord, Session


class SessionViewSet(SnippetViewSet):
    model = Session
    chooser_viewset_class = permitted_chooser_viewset_class()
    icon = "date"
    menu_label = gettext_lazy("Sessions")
    menu_name = "sessions"
    add_to_admin_menu = True
    menu_order = 250
    copy_view_enabled = True
    inspect_view_enabled = True
    list_display = ["title", "course", "starts_at", "mode", "venue", "cancelled"]
    list_filter = ["mode", "cancelled"]
    search_fields = ["title", "speaker", "venue"]
    ordering = ["-starts_at"]
    panels = [
        FieldPanel("course"),
        FieldRowPanel([FieldPanel("title"), FieldPanel("speaker")]),
        MultiFieldPanel([
            FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
            FieldRowPanel([FieldPanel("mode"), FieldPanel("venue"), FieldPanel("capacity")]),
            FieldRowPanel([FieldPanel("checkin_opens_minutes"), FieldPanel("late_after_minutes")]),
        ], heading=gettext_lazy("When and where")),
        MultiFieldPanel([
            FieldPanel("stream_url"),
            FieldRowPanel([FieldPanel("embed_stream"), FieldPanel("present_share")]),
        ], heading=gettext_lazy("Live stream")),
        FieldRowPanel([FieldPanel("credit_hours"), FieldPanel("credit_days")]),
        FieldPanel("cancelled"),
    ]

    def get_queryset(self, request):
        return Session.objects.select_related("course")

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("attendance/<int:pk>/", SessionAttendanceView.as_view(), name="attendance"),
            path("import/<int:pk>/", SessionImportView.as_view(), name="import"),
        ]


register_snippet(SessionViewSet)


@hooks.register("register_snippet_listing_buttons")
def session_attendance_button(snippet, user, next_url=None):
    if isinstance(snippet, Session) and user.has_perm("attendance.view_session"):
        yield ListingButton(_("Attendance"), reverse("wagtailsnippets_attendance_session:attendance", args=[snippet.pk]),
                            icon_name="tasks", priority=5)
    if isinstance(snippet, Session) and can_manage_sessions(user):
        yield ListingButton(_("Check-in display"), reverse("checkin-display", args=[snippet.pk]),
                            icon_name="view", priority=6, attrs={"target": "_blank"})
        yield ListingButton(_("Roll call"), reverse("roll-call", args=[snippet.pk]), icon_name="list-ul", priority=7)
        yield ListingButton(_("Sign-in sheet"), reverse("sign-in-sheet", args=[snippet.pk]), icon_name="doc-full",
                            priority=8, attrs={"target": "_blank"})
        yield ListingButton(_("Import attendance"), reverse("wagtailsnippets_attendance_session:import",
                                                            args=[snippet.pk]), icon_name="upload", priority=9)


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return can_manage_sessions(request.user)


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_reports(request.user)


@hooks.register("register_admin_urls")
def attendance_admin_urls():
    return [
        path("attendance/leave/", LeaveRequestsView.as_view(), name="attendance_leave_requests"),
        path("attendance/withdrawals/", WithdrawalFlagsView.as_view(), name="attendance_withdrawals"),
        path("attendance/reports/", AttendanceReportView.as_view(), name="attendance_reports"),
    ]


@hooks.register("register_admin_menu_item")
def attendance_menu():
    return SubmenuMenuItem(gettext_lazy("Attendance"), Menu(items=[
        StaffMenuItem(gettext_lazy("Leave requests"), reverse_lazy("attendance_leave_requests"), name="leave-requests",
                      icon_name="date", order=10),
        StaffMenuItem(gettext_lazy("Withdrawals"), reverse_lazy("attendance_withdrawals"), name="withdrawals",
                      icon_name="warning", order=20),
        ReportMenuItem(gettext_lazy("Attendance reports"), reverse_lazy("attendance_reports"), name="reports",
                       icon_name="table", order=30),
    ]), name="attendance", icon_name="tasks", order=260)


@hooks.register("before_delete_snippet")
def refuse_deleting_sessions_with_records(request, instances):
    for instance in instances:
        if isinstance(instance, Session) and instance.has_records():
            messages.error(request, _(
                "“%(session)s” cannot be deleted because it has attendance records. Cancel it instead.")
                % {"session": instance})
            return redirect("wagtailsnippets_attendance_session:edit", instance.pk)
    return None


@hooks.register("before_delete_snippet")
def refuse_deleting_persons_with_attendance(request, instances):
    for instance in instances:
        if isinstance(instance, Person) and AttendanceRecord.objects.filter(person=instance).exists():
            messages.error(request, _(
                "“%(person)s” cannot be deleted because they have attendance records. Mark them inactive instead.")
                % {"person": instance})
            return redirect("wagtailsnippets_people_person:list")
    return None


def _pages_with_sessions(pages):
    return [page for page in pages if isinstance(page, Page)
            and Session.objects.filter(course__path__startswith=page.path).exists()]


def _refuse_page(request, page):
    messages.error(request, _(
        "“%(title)s” cannot be deleted because it has scheduled sessions. Unpublish it instead.")
        % {"title": page.get_admin_display_title()})
    parent = page.get_parent()
    return redirect("wagtailadmin_explore", parent.id) if parent else redirect("wagtailadmin_home")


@hooks.register("before_delete_page")
def refuse_deleting_pages_with_sessions(request, page):
    if _pages_with_sessions([page]):
        return _refuse_page(request, page)
    return None


@hooks.register("before_bulk_action")
def refuse_bulk_deleting_pages_with_sessions(request, action_type, objects, action_class_instance):
    if action_type == "delete":
        refused = _pages_with_sessions(objects)
        if refused:
            return _refuse_page(request, refused[0])
    return None
