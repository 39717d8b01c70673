"""People and organizations in the Wagtail admin, scoped to the viewer's organization subtree:
a street admin who guesses the id of another street's person gets a 404, not the record."""

from django import forms
from django.contrib import messages
from django.db import router
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from treebeard.mp_tree import MP_Node
from wagtail import hooks
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from . import password  # noqa: F401  (registers the admin hooks that mark staff-set passwords)
from .models import Organization, Person
from .scoping import visible_organizations, visible_persons


def scoped_view(view_class, visible):
    """A subclass of a Wagtail object view that 404s for objects outside the user's scope."""

    class ScopedView(view_class):
        def get_object(self, *args, **kwargs):
            obj = super().get_object(*args, **kwargs)
            if not visible(self.request.user).filter(pk=obj.pk).exists():
                raise Http404
            return obj

    ScopedView.__name__ = f"Scoped{view_class.__name__}"
    return ScopedView


def scoped_chooser_viewset_class(visible):
    """A snippet chooser whose listing and chosen views only reach `visible(user)`: without it the
    chooser modal's results URL lists every person of the district to any staff member."""

    class ScopedChooseMixin:
        def get_object_list(self):
            return visible(self.request.user)

    class ScopedChosenMixin:
        def get_object(self, pk):
            return visible(self.request.user).get(pk=pk)

    class ScopedChosenMultipleMixin:
        def get_objects(self, pks):
            return visible(self.request.user).filter(pk__in=pks)

    base = SnippetChooserViewSet
    return type("ScopedSnippetChooserViewSet", (base,), {
        "choose_view_class": type("ScopedChooseView", (ScopedChooseMixin, base.choose_view_class), {}),
        "choose_results_view_class": type(
            "ScopedChooseResultsView", (ScopedChooseMixin, base.choose_results_view_class), {}),
        "chosen_view_class": type("ScopedChosenView", (ScopedChosenMixin, base.chosen_view_class), {}),
        "chosen_multiple_view_class": type(
            "ScopedChosenMultipleView", (ScopedChosenMultipleMixin, base.chosen_multiple_view_class), {}),
    })


class ScopedSnippetViewSet(SnippetViewSet):
    """A snippet viewset whose listing and object views only reach `visible(user)`."""

    visible = None  # a function user -> queryset, set by subclasses
    copy_view_enabled = False
    inspect_view_enabled = True

    def get_queryset(self, request):
        return type(self).visible(request.user)

    def _scoped(self, view_class):
        return scoped_view(view_class, type(self).visible)

    @property
    def chooser_viewset_class(self):
        return scoped_chooser_viewset_class(type(self).visible)

    @property
    def edit_view_class(self):
        return self._scoped(super().edit_view_class)

    @property
    def delete_view_class(self):
        return self._scoped(super().delete_view_class)

    @property
    def inspect_view_class(self):
        return self._scoped(super().inspect_view_class)

    @property
    def usage_view_class(self):
        return self._scoped(super().usage_view_class)

    @property
    def history_view_class(self):
        return self._scoped(super().history_view_class)


class PersonForm(WagtailAdminModelForm):
    """Staff choose organizations only inside their scope; a new person gets a login account
    (username = mobile number, no usable password until the training office sets one)."""

    class Meta:
        model = Person
        fields = ["name", "phone", "staff_number", "organization", "post", "cadre_category", "level",
                  "appointed_on", "is_active"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None:
            self.fields["organization"].queryset = visible_organizations(for_user)

    def save(self, commit=True):
        person = super().save(commit=False)
        if not person.user_id:
            person.user = Person.create_account(person.phone)
            person.must_change_password = True  # staff will know the first password
        if commit:
            person.save()
        return person


class PersonViewSet(ScopedSnippetViewSet):
    model = Person
    visible = staticmethod(visible_persons)
    icon = "user"
    menu_label = _("Persons")
    list_display = ["name", "phone", "organization", "post", "cadre_category",
                    BooleanColumn("is_active", label=_("active"))]
    list_filter = ["cadre_category", "post", "level", "is_active"]
    search_fields = ["name", "phone", "staff_number"]
    ordering = ["name"]
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("phone")]),
        FieldPanel("organization"),
        FieldRowPanel([FieldPanel("post"), FieldPanel("cadre_category"), FieldPanel("level")]),
        FieldRowPanel([FieldPanel("appointed_on"), FieldPanel("staff_number")]),
        FieldPanel("is_active"),
    ]

    def get_form_class(self, for_update=False):
        return PersonForm


class OrganizationForm(WagtailAdminModelForm):
    """Organizations live in a tree: a new one is added under its parent."""

    parent = forms.ModelChoiceField(queryset=Organization.objects.all(), label=_("Parent organization"))

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if self.instance.pk:
            del self.fields["parent"]
        elif for_user is not None:
            self.fields["parent"].queryset = visible_organizations(for_user)

    def save(self, commit=True):
        if self.instance.pk:
            return super().save(commit=commit)
        return self.cleaned_data["parent"].add_child(instance=self.instance)


class OrganizationViewSet(ScopedSnippetViewSet):
    model = Organization
    visible = staticmethod(visible_organizations)
    icon = "group"
    menu_label = _("Organizations")
    list_display = ["name", "org_type", "code"]
    list_filter = ["org_type"]
    search_fields = ["name", "short_name", "code"]
    ordering = ["path"]
    panels = [FieldPanel("name"), FieldPanel("short_name"), FieldPanel("org_type"), FieldPanel("code")]

    def get_form_class(self, for_update=False):
        return type("ScopedOrganizationForm", (OrganizationForm,), {"Meta": type(
            "Meta", (), {"model": Organization, "fields": ["name", "short_name", "org_type", "code"]})})


class PeopleViewSetGroup(SnippetViewSetGroup):
    items = (PersonViewSet, OrganizationViewSet)
    menu_icon = "group"
    menu_label = _("People")
    menu_name = "people"


register_snippet(PeopleViewSetGroup)


# --- roster import (HR) -------------------------------------------------------------------------


@hooks.register("register_admin_urls")
def register_roster_import_urls():
    return [
        path("people/roster-import/", admin_views.roster_import, name="people_roster_import"),
        path("people/roster-import/template.xlsx", admin_views.roster_template, name="people_roster_template"),
        path("people/roster-import/<str:token>/apply/", admin_views.roster_import_apply,
             name="people_roster_import_apply"),
        path("people/roster-import/<str:token>/status/", admin_views.roster_import_status,
             name="people_roster_import_status"),
    ]


class RosterImportMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_import_roster(request.user)


@hooks.register("register_admin_menu_item")
def register_roster_import_menu_item():
    return RosterImportMenuItem(_("Import roster"), reverse("people_roster_import"), icon_name="upload",
                                name="roster-import", order=210)


def records_depending_on(instance):
    """Model names of the records that keep `instance` (and, for a tree node, its subtree) from
    being deleted, as the database's PROTECT/RESTRICT rules would refuse it; empty if it may go."""
    objects = [instance, *instance.get_descendants()] if isinstance(instance, MP_Node) else [instance]
    collector = Collector(using=router.db_for_write(type(instance)))
    try:
        collector.collect(objects)
    except (ProtectedError, RestrictedError) as error:
        blockers = error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
        return sorted({str(type(obj)._meta.verbose_name) for obj in blockers})
    return []


@hooks.register("before_delete_snippet", order=100)
def refuse_deleting_records_others_depend_on(request, instances):
    """Last line of defence for every snippet (feature apps give more specific messages first):
    a delete the database would refuse gets a message instead of a server error."""
    for instance in instances:
        blockers = records_depending_on(instance)
        if blockers:
            messages.error(request, _("“%(object)s” cannot be deleted because other records depend on it (%(records)s). "
                                      "Mark it inactive instead.") % {"object": instance, "records": "、".join(blockers)})
            return redirect(reverse(type(instance).snippet_viewset.get_url_name("list")))
    return None
