"""Rotation records in the Wagtail admin, for HR: scoped by the person's organization (a record
outside the viewer's scope is a 404), with a link to each record's printable form."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets.button import Button
from wagtail.snippets.models import register_snippet

from lms.people.wagtail_hooks import ScopedSnippetViewSet

from .access import manageable_rotations
from .forms import RotationForm
from .models import Rotation


class RotationViewSet(ScopedSnippetViewSet):
    model = Rotation
    visible = staticmethod(manageable_rotations)
    icon = "resubmit"
    menu_label = _("Rotations")
    menu_name = "rotations"
    add_to_admin_menu = True
    menu_order = 220
    list_display = ["person", "direction", "host_organization", "starts_on", "ends_on", "status",
                    Column("updated_at", label=_("updated at"))]
    list_filter = ["direction", "status", "final_evaluation"]
    search_fields = ["person__name", "post_held", "mentor"]
    ordering = ["-starts_on"]
    inspect_view_fields = ["person", "direction", "home_organization", "host_organization", "post_held",
                           "starts_on", "ends_on", "mentor", "goals", "status", "midterm_evaluation",
                           "midterm_comments", "final_evaluation", "final_comments", "recorded_by", "created_at",
                           "updated_by", "updated_at"]
    panels = [
        FieldPanel("person"),
        FieldRowPanel([FieldPanel("direction"), FieldPanel("status")]),
        FieldRowPanel([FieldPanel("home_organization"), FieldPanel("host_organization")]),
        FieldRowPanel([FieldPanel("post_held"), FieldPanel("mentor")]),
        FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
        FieldPanel("goals"),
        MultiFieldPanel([FieldPanel("midterm_evaluation"), FieldPanel("midterm_comments")],
                        heading=_("Mid-term evaluation")),
        MultiFieldPanel([FieldPanel("final_evaluation"), FieldPanel("final_comments")],
                        heading=_("Final evaluation")),
    ]

    def get_queryset(self, request):
        return manageable_rotations(request.user).select_related("person", "host_organization")

    def get_form_class(self, for_update=False):
        return RotationForm

    @property
    def revisions_compare_view_class(self):
        return self._scoped(super().revisions_compare_view_class)

    @property
    def revisions_revert_view_class(self):
        return self._scoped(super().revisions_revert_view_class)


register_snippet(RotationViewSet)


@hooks.register("register_snippet_listing_buttons")
def rotation_record_button(snippet, user, next_url=None):
    if isinstance(snippet, Rotation):
        yield Button(_("Record form (PDF)"), reverse("rotation-record-pdf", args=[snippet.pk]), icon_name="doc-full",
                     priority=90, attrs={"target": "_blank"})
