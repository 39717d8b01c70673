"""The roster import screen in the Wagtail admin, for HR and superusers.

Upload → preview (every bad row, or the dry-run diff) → confirm. Between the two steps the uploaded
bytes wait in the shared cache (database or Redis, so any web process can answer the confirm) under
a random token bound to the uploader; the confirm re-runs the whole import inside one transaction
and refuses to apply if the plan differs from the preview."""

import secrets

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from . import roster
from .roles import HR, has_role
from .scoping import scope_root

PENDING_SECONDS = 60 * 60
TEMPLATE_FILENAME = "roster-template.xlsx"


def can_import_roster(user):
    """HR staff with a scope (an active person in the HR role), and superusers."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return has_role(user, HR) and scope_root(user) is not None


def forbidden(request):
    return TemplateResponse(request, "403.html", status=403)


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Roster file (.xlsx or .csv)"))
    deactivate_missing = forms.BooleanField(
        label=gettext_lazy("Deactivate active persons in my scope who are not in the file"), required=False)


def _cache_key(token):
    return f"people:roster-import:{token}"


def _index_context(request, form, **extra):
    return {
        "page_title": _("Import roster"),
        "header_icon": "upload",
        "form": form,
        "max_rows": roster.MAX_ROWS,
        "max_mb": roster.MAX_FILE_BYTES // (1024 * 1024),
        "headers": roster.TEMPLATE_HEADERS,
        "required_headers": [roster.COLUMNS[key][0] for key in roster.REQUIRED],
        "scope": None if request.user.is_superuser else scope_root(request.user),
        **extra,
    }


@require_http_methods(["GET", "POST"])
def roster_import(request):
    if not can_import_roster(request.user):
        return forbidden(request)
    if request.method == "GET":
        return TemplateResponse(request, "people/admin/roster_import.html", _index_context(request, RosterUploadForm()))

    form = RosterUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return TemplateResponse(request, "people/admin/roster_import.html", _index_context(request, form), status=400)
    upload = form.cleaned_data["file"]
    deactivate_missing = form.cleaned_data["deactivate_missing"]
    if upload.size > roster.MAX_FILE_BYTES:
        form.add_error("file", _("The file is larger than %(size)s MB.")
                       % {"size": roster.MAX_FILE_BYTES // (1024 * 1024)})
        return TemplateResponse(request, "people/admin/roster_import.html", _index_context(request, form), status=400)
    data = upload.read()
    try:
        result = roster.run_import(data, upload.name, request.user, dry_run=True,
                                   deactivate_missing=deactivate_missing)
    except roster.RosterFileError as exc:
        form.add_error("file", str(exc))
        return TemplateResponse(request, "people/admin/roster_import.html", _index_context(request, form), status=400)

    token = None
    if not result.errors and result.plan.has_changes:
        token = secrets.token_urlsafe(24)
        cache.set(_cache_key(token), {
            "user_id": request.user.pk, "data": data, "filename": upload.name,
            "deactivate_missing": deactivate_missing, "fingerprint": result.plan.fingerprint(),
        }, PENDING_SECONDS)
    return TemplateResponse(request, "people/admin/roster_preview.html", {
        "page_title": _("Import roster: preview"),
        "header_icon": "upload",
        "filename": upload.name,
        "errors": result.errors,
        "plan": result.plan,
        "counts": result.plan.counts if result.plan else None,
        "changes": [c for c in result.plan.changes if c.action != "unchanged"] if result.plan else [],
        "token": token,
        "deactivate_missing": deactivate_missing,
    }, status=200)


@require_POST
def roster_import_apply(request, token):
    if not can_import_roster(request.user):
        return forbidden(request)
    pending = cache.get(_cache_key(token))
    if pending is None or pending["user_id"] != request.user.pk:
        messages.error(request, _("This import has expired or is not yours. Please upload the file again."))
        return redirect("people_roster_import")
    try:
        result = roster.run_import(pending["data"], pending["filename"], request.user, dry_run=False,
                                   deactivate_missing=pending["deactivate_missing"],
                                   expected_fingerprint=pending["fingerprint"])
    except (roster.RosterFileError, roster.RosterConflict) as exc:
        cache.delete(_cache_key(token))
        messages.error(request, str(exc))
        return redirect("people_roster_import")
    cache.delete(_cache_key(token))
    if result.errors:
        messages.error(request, _("The data changed since the preview and some rows are no longer valid. "
                                  "Nothing was imported; please upload the file again."))
        return redirect("people_roster_import")
    messages.success(request, _(
        "Roster imported: %(create)s created, %(update)s updated, %(deactivate)s deactivated, "
        "%(unchanged)s unchanged.") % result.plan.counts)
    return redirect(reverse("wagtailsnippets_people_person:list"))


def roster_template(request):
    if not can_import_roster(request.user):
        return forbidden(request)
    response = HttpResponse(
        roster.template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_FILENAME}"'
    return response
