"""Snippet choosers that ask for a permission on their model.

Wagtail's snippet chooser views (the modal's listing, its search results and the chosen-object
JSON) only check that the user may use the admin: any staff member could list every session,
plan, offline exam or bank question through /admin/snippets/choose/<app>/<model>/, whatever
their role. A chooser built here answers 403 unless the user holds one of the model's own
permissions (add, change, delete or view) — the people who pick these objects in forms have
them anyway. Scoped models (persons, organizations, rotations) use
lms.people.wagtail_hooks.scoped_chooser_viewset_class instead, which limits the rows."""

from django.contrib.auth import get_permission_codename
from django.http import HttpResponseForbidden
from wagtail.snippets.views.chooser import SnippetChooserViewSet

ACTIONS = ("add", "change", "delete", "view")
VIEWS = ("choose_view_class", "choose_results_view_class", "chosen_view_class", "chosen_multiple_view_class",
         "create_view_class")


def may_choose(user, model):
    opts = model._meta
    return any(user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}") for action in ACTIONS)


class PermittedChooserMixin:
    def dispatch(self, request, *args, **kwargs):
        if not may_choose(request.user, self.model):
            # a plain 403: Wagtail would turn PermissionDenied into a redirect to the dashboard,
            # which the chooser modal would then try to show
            return HttpResponseForbidden()
        return super().dispatch(request, *args, **kwargs)


def permitted_chooser_viewset_class(base=SnippetChooserViewSet):
    """A chooser viewset class whose every view first checks may_choose(user, model)."""
    views = {name: type(f"Permitted{getattr(base, name).__name__}", (PermittedChooserMixin, getattr(base, name)), {})
             for name in VIEWS}
    return type("PermittedSnippetChooserViewSet", (base,), views)
