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
# Files with more rows than this are applied by a django-q2 task; the confirm returns at once and
# a status page follows the task. Smaller files apply within the request (well under a second).
ASYNC_ROWS = 500


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


def _status_key(token):
    return f"people:roster-import:{token}:status"


def _set_status(token, user_id, state, **fields):
    cache.set(_status_key(token), {"user_id": user_id, "state": state, **fields}, PENDING_SECONDS)


def apply_pending_import(token):
    """The django-q2 task: apply a previewed import. Idempotent (delivered at least once): a finished
    job is not run again, and a re-run after a crash either finds the same plan (the transaction was
    rolled back) or refuses a changed one; nothing is ever applied twice."""
    status = cache.get(_status_key(token)) or {}
    if status.get("state") in ("done", "failed"):
        return status.get("state")
    pending = cache.get(_cache_key(token))
    if pending is None:
        _set_status(token, status.get("user_id"), "failed", message=_("This import has expired. Please upload the file again."))
        return "failed"
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=pending["user_id"]).first()
    if user is None or not can_import_roster(user):
        _set_status(token, pending["user_id"], "failed", message=_("You may no longer import rosters."))
        return "failed"
    _set_status(token, user.pk, "running", rows=pending.get("rows"))
    try:
        result = roster.run_import(pending["data"], pending["filename"], user, dry_run=False,
                                   deactivate_missing=pending["deactivate_missing"],
                                   expected_fingerprint=pending["fingerprint"])
    except (roster.RosterFileError, roster.RosterConflict) as exc:
        _set_status(token, user.pk, "failed", message=str(exc))
        cache.delete(_cache_key(token))
        return "failed"
    if result.errors:
        _set_status(token, user.pk, "failed", message=_(
            "The data changed since the preview and some rows are no longer valid. "
            "Nothing was imported; please upload the file again."))
    else:
        _set_status(token, user.pk, "done", counts=result.plan.counts)
    cache.delete(_cache_key(token))
    return "done"


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
            "rows": len(result.plan.changes),
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
    if pending.get("rows", 0) > ASYNC_ROWS:
        status = cache.get(_status_key(token))
        if status is None:  # a second click does not queue a second task
            from django_q.tasks import async_task

            _set_status(token, request.user.pk, "queued", rows=pending["rows"])
            async_task("lms.people.admin_views.apply_pending_import", token, task_name=f"roster-import-{token[:8]}")
        return redirect("people_roster_import_status", token=token)
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


def roster_import_status(request, token):
    """Where a background import stands; the page refreshes itself until the task is done."""
    if not can_import_roster(request.user):
        return forbidden(request)
    status = cache.get(_status_key(token))
    if status is None or status["user_id"] != request.user.pk:
        messages.error(request, _("This import has expired or is not yours. Please upload the file again."))
        return redirect("people_roster_import")
    return TemplateResponse(request, "people/admin/roster_status.html", {
        "page_title": _("Import roster"), "header_icon": "upload", "status": status,
        "finished": status["state"] in ("done", "failed"),
    })


def roster_template(request):
    if not can_import_roster(request.user):
        return forbidden(request)
    response = HttpResponse(
        roster.template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_FILENAME}"'
    return response
