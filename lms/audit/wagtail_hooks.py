"""The audit log in the Wagtail admin: a 审计日志 menu item for staff who may read some audited
model, and a 修改记录 button on the listing of every audited snippet (rotations, ...)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets.button import Button

from . import admin_views
from .registry import audited_model, permitted_models


@hooks.register("register_admin_urls")
def register_audit_urls():
    return [
        path("audit/", admin_views.AuditLogView.as_view(), name="audit_log"),
        path("audit/<str:kind>/<int:pk>/", admin_views.RecordHistoryView.as_view(), name="audit_record"),
    ]


class AuditMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(permitted_models(request.user))


@hooks.register("register_admin_menu_item")
def register_audit_menu_item():
    return AuditMenuItem(_("Audit log"), reverse("audit_log"), icon_name="history", name="audit-log", order=900)


@hooks.register("register_snippet_listing_buttons")
def change_history_button(snippet, user, next_url=None):
    audited = audited_model(type(snippet)._meta.label_lower) if snippet.pk else None
    if audited is not None and audited.permitted(user):
        yield Button(_("Change history"), admin_views.record_url(audited.key, snippet.pk), icon_name="history",
                     priority=95)
