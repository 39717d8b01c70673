"""The audit log screens in the Wagtail admin: every change to the audited records (see
registry.py) with who, when and old → new, and one record's change history.

Access: staff with the view or change permission of at least one audited model (superusers: all);
anyone else gets a 403 (Wagtail itself sends users without admin access to the login page). Rows
are limited to the models the viewer may read and to the persons in their scope; a record out of
scope is a 404."""

import datetime

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import log
from .registry import audited_model, permitted_models

PER_PAGE = 50


def forbidden(request):
    """A plain 403 page (Wagtail would redirect to the dashboard with a message instead)."""
    return TemplateResponse(request, "403.html", status=403)


def record_url(kind, object_id):
    return reverse("audit_record", args=[kind, object_id])


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of record"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    record = forms.IntegerField(label=_("Record ID"), required=False, min_value=1, max_value=2**62,
                                help_text=_("With a kind of record: only that record's changes."))

    def __init__(self, *args, audited_list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")),
                                       *[(audited.key, audited.label) for audited in audited_list]]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date cannot be before the start date."))
        if data.get("record") and not data.get("kind"):
            self.add_error("record", _("Choose the kind of record too."))
        return data


def _day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class AuditMixin(WagtailAdminTemplateMixin):
    header_icon = "history"

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.get_page_title()}]

    def dispatch(self, request, *args, **kwargs):
        self.audited_list = permitted_models(request.user)
        if not self.audited_list:
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)


class AuditLogView(AuditMixin, TemplateView):
    template_name = "audit/log.html"
    page_title = _("Audit log")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = AuditFilterForm(self.request.GET or None, audited_list=self.audited_list)
        chosen, filters, query = self.audited_list, {}, {}
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            if data["kind"]:
                chosen = [audited for audited in self.audited_list if audited.key == data["kind"]]
            if data["since"]:
                filters["since"] = _day_start(data["since"])
            if data["until"]:
                filters["until"] = _day_start(data["until"] + datetime.timedelta(days=1))
            if data["record"] and data["kind"]:
                filters["object_id"] = data["record"]
            query = {name: self.request.GET[name] for name in ("kind", "since", "until", "record")
                     if self.request.GET.get(name)}
        keys = log.page_keys(self.request.user, chosen, **filters)
        page = Paginator(keys if keys is not None else [], PER_PAGE).get_page(self.request.GET.get("p"))
        entries = log.entries(list(page.object_list), chosen)
        for entry in entries:
            entry.url = record_url(entry.audited.key, entry.object_id)
        context.update(form=form, page=page, entries=entries, query=urlencode(query))
        return context


class RecordHistoryView(AuditMixin, TemplateView):
    """One record's changes, newest first (reached from the log and from records' admin screens)."""

    template_name = "audit/record.html"

    def get(self, request, *args, **kwargs):
        self.audited = audited_model(kwargs["kind"])
        if self.audited is None:
            raise Http404
        if not self.audited.permitted(request.user):
            return forbidden(request)
        self.rows = self.audited.history_rows(request.user).filter(id=kwargs["pk"])
        if not self.rows.exists():
            raise Http404
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        return str(_("Change history: %(kind)s #%(id)s")) % {"kind": self.audited.label, "id": self.kwargs["pk"]}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entries = log.record_entries(self.audited, self.rows)
        current = self.audited.model._base_manager.filter(pk=self.kwargs["pk"]).first()
        context.update(entries=entries, audited=self.audited, current=current,
                       record=entries[0].record if entries else "",
                       log_url=f"{reverse('audit_log')}?{urlencode({'kind': self.audited.key})}")
        return context
