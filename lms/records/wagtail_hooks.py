"""Records in the Wagtail admin: a 培训档案 menu (compliance, plan execution, exports) for records staff."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views, plan_views
from .access import is_records_staff


@hooks.register("register_admin_urls")
def register_records_urls():
    return [
        path("records/compliance/", admin_views.ComplianceDashboardView.as_view(), name="records_compliance"),
        path("records/compliance/<int:org_id>/", admin_views.ComplianceGroupView.as_view(),
             name="records_compliance_group"),
        path("records/plan/", plan_views.current_plan, name="records_plan_execution_current"),
        path("records/plan/<int:year>/", plan_views.PlanExecutionView.as_view(), name="records_plan_execution"),
        path("records/exports/", admin_views.ExportView.as_view(), name="records_export"),
        path("records/exports/<int:pk>/", admin_views.ExportStatusView.as_view(), name="records_export_status"),
        path("records/exports/<int:pk>/retry/", admin_views.export_retry, name="records_export_retry"),
        path("records/exports/<int:pk>/download/", admin_views.export_download, name="records_export_download"),
        path("records/persons/<int:person_id>/archive/", admin_views.PersonArchiveView.as_view(),
             name="records_person_archive"),
        path("records/persons/<int:person_id>/archive.pdf", admin_views.person_archive_pdf,
             name="records_person_archive_pdf"),
    ]


class RecordsMenuItem(MenuItem):
    def is_shown(self, request):
        return is_records_staff(request.user)


@hooks.register("register_admin_menu_item")
def register_compliance_menu_item():
    return RecordsMenuItem(_("Plan compliance"), reverse("records_compliance"), icon_name="table",
                           name="records-compliance", order=230)


@hooks.register("register_admin_menu_item")
def register_plan_execution_menu_item():
    return RecordsMenuItem(_("Plan execution"), reverse("records_plan_execution_current"), icon_name="date",
                           name="records-plan-execution", order=231)


@hooks.register("register_admin_menu_item")
def register_export_menu_item():
    return RecordsMenuItem(_("Export training records"), reverse("records_export"), icon_name="download",
                           name="records-export", order=232)
