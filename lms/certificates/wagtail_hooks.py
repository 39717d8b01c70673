"""Certificates in the Wagtail admin: a 证书 menu for the training office with the courses'
certificates (issue, re-issue, revoke, download) and the certificate templates (a snippet with a
live preview)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from lms.people.admin_choosers import permitted_chooser_viewset_class

from . import admin_views
from .access import is_certificate_staff
from .models import CertificateTemplate


class CertificateTemplateViewSet(SnippetViewSet):
    model = CertificateTemplate
    chooser_viewset_class = permitted_chooser_viewset_class()
    icon = "doc-full"
    menu_label = _("Certificate templates")
    add_to_admin_menu = False
    list_display = ["name", "title", "page_size", "orientation", "is_district_default", "updated_at"]
    list_filter = ["title", "is_district_default"]
    search_fields = ["name"]
    copy_view_enabled = True
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("title")]),
        MultiFieldPanel([
            FieldRowPanel([FieldPanel("page_size"), FieldPanel("orientation"), FieldPanel("font")]),
            FieldRowPanel([FieldPanel("background"), FieldPanel("seal")]),
        ], heading=_("Layout")),
        FieldPanel("body"),
        MultiFieldPanel([
            FieldPanel("issuing_organization"),
            FieldRowPanel([FieldPanel("signatory_title"), FieldPanel("signatory_name")]),
            FieldPanel("serial_prefix"),
        ], heading=_("Issuer")),
        MultiFieldPanel([
            FieldPanel("is_district_default"), FieldPanel("programs"), FieldPanel("courses"),
        ], heading=_("Where it applies")),
    ]


register_snippet(CertificateTemplateViewSet)


@hooks.register("register_admin_urls")
def register_certificate_urls():
    return [
        path("certificates/", admin_views.CourseListView.as_view(), name="certificates_courses"),
        path("certificates/find/", admin_views.SearchView.as_view(), name="certificates_search"),
        path("certificates/courses/<int:course_id>/", admin_views.CourseCertificatesView.as_view(),
             name="certificates_course"),
        path("certificates/courses/<int:course_id>/issue/", admin_views.issue_all, name="certificates_issue_all"),
        path("certificates/courses/<int:course_id>/certificates.zip", admin_views.download_zip,
             name="certificates_course_zip"),
        path("certificates/courses/<int:course_id>/certificates.pdf", admin_views.download_merged,
             name="certificates_course_merged"),
        path("certificates/batches/<int:pk>/", admin_views.BatchView.as_view(), name="certificates_batch"),
        path("certificates/batches/<int:pk>/status.json", admin_views.batch_status, name="certificates_batch_status"),
        path("certificates/batches/<int:pk>/retry/", admin_views.batch_retry, name="certificates_batch_retry"),
        path("certificates/<int:pk>/download/", admin_views.download, name="certificates_download"),
        path("certificates/<int:pk>/reissue/", admin_views.reissue, name="certificates_reissue"),
        path("certificates/<int:pk>/revoke/", admin_views.RevokeView.as_view(), name="certificates_revoke"),
    ]


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return is_certificate_staff(request.user)


class TemplatesMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("certificates.view_certificatetemplate") or request.user.has_perm(
            "certificates.change_certificatetemplate")


class CertificatesMenu(SubmenuMenuItem):
    def is_shown(self, request):
        return is_certificate_staff(request.user)


@hooks.register("register_admin_menu_item")
def register_certificates_menu():
    menu = Menu(items=[
        StaffMenuItem(_("Issue and manage"), reverse("certificates_courses"), icon_name="doc-full",
                      name="certificates-courses", order=10),
        StaffMenuItem(_("Find a certificate"), reverse("certificates_search"), icon_name="search",
                      name="certificates-search", order=20),
        TemplatesMenuItem(_("Certificate templates"), reverse("wagtailsnippets_certificates_certificatetemplate:list"),
                          icon_name="doc-full-inverse", name="certificates-templates", order=30),
    ])
    return CertificatesMenu(_("Certificates"), menu, icon_name="doc-full", name="certificates", order=225)
