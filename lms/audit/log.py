"""The audit log's rows: history rows of every audited model the viewer may read, newest first,
each with who, when, which record and what changed (old → new, by simple-history's diff_against).

One page is read in a few queries whatever the number of models: a UNION of (date, id, kind) over
the permitted history tables picks the page; then each kind's rows on the page, and the rows just
before them (to diff against), are read in one query per kind."""

import datetime
import decimal
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import CharField, Value
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .registry import AuditedModel

HISTORY_TYPES = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
MAX_VALUE_LENGTH = 120


@dataclass
class FieldChange:
    name: str
    label: str
    old: str
    new: str


@dataclass
class Entry:
    audited: AuditedModel
    row: object  # the history row
    record: str = ""
    changes: list = field(default_factory=list)

    @property
    def when(self):
        return self.row.history_date

    @property
    def user(self):
        return self.row.history_user

    @property
    def user_name(self):
        """The person's name of the account that made the change ("" for the system)."""
        user = self.row.history_user
        if user is None:
            return ""
        person = getattr(user, "person", None)
        return person.name if person is not None else user.get_username()

    @property
    def action(self):
        return HISTORY_TYPES.get(self.row.history_type, self.row.history_type)

    @property
    def reason(self):
        """The stored reason (an English msgid where our code wrote it), in the viewer's language."""
        reason = self.row.history_change_reason or ""
        return gettext(reason) if reason else ""

    @property
    def object_id(self):
        return self.row.id


def filter_rows(rows, *, since=None, until=None, object_id=None):
    if since:
        rows = rows.filter(history_date__gte=since)
    if until:
        rows = rows.filter(history_date__lt=until)
    if object_id is not None:
        rows = rows.filter(id=object_id)
    return rows


def page_keys(user, audited_list, **filters):
    """A queryset of {history_date, history_id, kind}, newest first, over the history rows of
    `audited_list` that `user` may read: what the paginator slices."""
    parts = [filter_rows(audited.history_rows(user), **filters).order_by()
             .annotate(kind=Value(audited.key, output_field=CharField()))
             .values("history_date", "history_id", "kind")
             for audited in audited_list]
    if not parts:
        return None
    union = parts[0] if len(parts) == 1 else parts[0].union(*parts[1:], all=True)
    return union.order_by("-history_date", "-history_id")


def entries(keys, audited_list):
    """Turn a page of keys (from page_keys) into Entries, in the same order."""
    by_key = {audited.key: audited for audited in audited_list}
    wanted = {}
    for key in keys:
        wanted.setdefault(key["kind"], []).append(key["history_id"])
    found = {}
    for kind, ids in wanted.items():
        audited = by_key[kind]
        for entry in _entries_of(audited, audited.history_model.objects.filter(history_id__in=ids)):
            found[(kind, entry.row.history_id)] = entry
    return [found[(key["kind"], key["history_id"])] for key in keys if (key["kind"], key["history_id"]) in found]


def record_entries(audited, rows):
    """Entries for history rows of one model (the per-record view), newest first."""
    return sorted(_entries_of(audited, rows), key=lambda e: (e.row.history_date, e.row.history_id), reverse=True)


def _foreign_keys(history_model):
    return [f.name for f in history_model._meta.fields
            if isinstance(f, models.ForeignKey) and f.name != "history_user"]


def _entries_of(audited, rows):
    history_model = audited.history_model
    fks = _foreign_keys(history_model)
    rows = list(rows.select_related("history_user__person", *fks))
    if not rows:
        return []
    previous = _previous_rows(history_model, rows)
    values = _ValueFormatter(audited.model)
    result = []
    for row in rows:
        entry = Entry(audited, row, record=_record_label(audited, row, fks))
        entry.changes = _changes(row, previous.get(row.history_id), values)
        result.append(entry)
    return result


def _previous_rows(history_model, rows):
    """{history_id: the row of the same record just before it}, in one query."""
    ids = {row.id for row in rows}
    latest = max(row.history_date for row in rows)
    earlier = history_model.objects.filter(id__in=ids, history_date__lte=latest).order_by(
        "id", "history_date", "history_id")
    chains = {}
    for row in earlier:
        chains.setdefault(row.id, []).append(row)
    previous = {}
    for chain in chains.values():
        for before, after in zip(chain, chain[1:]):
            previous[after.history_id] = before
    return previous


def _record_label(audited, row, fks):
    instance = row.instance
    for name in fks:  # reuse what select_related read, so str() asks nothing more
        if name in row._state.fields_cache and audited.model._meta.get_field(name).is_relation:
            instance._state.fields_cache[name] = row._state.fields_cache[name]
    try:
        return str(instance)
    except Exception:  # a related row deleted since (history keeps no constraint): say what we know
        return f"{audited.label} #{row.id}"


def _tracked_names(row):
    return [f.name for f in row.tracked_fields if f.editable and not f.primary_key]


def _changes(row, previous, values):
    if row.history_type == "-":
        return []
    if previous is None:  # created (or the first row kept): every filled-in field, from nothing
        names = [name for name in _tracked_names(row) if getattr(row, _attname(row, name)) not in (None, "")]
        return [FieldChange(name, values.label(name), "", values.show(name, getattr(row, _attname(row, name))))
                for name in names]
    delta = row.diff_against(previous)
    return [FieldChange(change.field, values.label(change.field), values.show(change.field, change.old),
                        values.show(change.field, change.new)) for change in delta.changes]


def _attname(row, name):
    return row._meta.get_field(name).attname


class _ValueFormatter:
    """Shows a stored value as a person reads it: choice labels, related objects' names, local
    times. Related objects are read once per page and value."""

    def __init__(self, model):
        self.model = model
        self.related = {}

    def label(self, name):
        try:
            return str(self.model._meta.get_field(name).verbose_name)
        except Exception:
            return name

    def show(self, name, value):
        if value is None or value == "":
            return "—"
        try:
            model_field = self.model._meta.get_field(name)
        except Exception:
            model_field = None
        if isinstance(value, models.Model):
            value = value.pk
        if model_field is not None and model_field.is_relation and model_field.related_model is not None:
            return self._related(model_field.related_model, value)
        if model_field is not None and model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        if isinstance(value, datetime.datetime):
            return date_format(timezone.localtime(value) if timezone.is_aware(value) else value,
                               "Y-m-d H:i:s")
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, decimal.Decimal):
            return format(value.normalize(), "f") if value == value.to_integral() else str(value)
        text = str(value)
        return text if len(text) <= MAX_VALUE_LENGTH else text[:MAX_VALUE_LENGTH - 1] + "…"

    def _related(self, related_model, pk):
        key = (related_model, pk)
        if key not in self.related:
            obj = related_model._base_manager.filter(pk=pk).first()
            person = getattr(obj, "person", None) if obj is not None and related_model is get_user_model() else None
            self.related[key] = (person.name if person is not None else str(obj)) if obj is not None else f"#{pk}"
        return self.related[key]
