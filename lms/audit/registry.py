"""Which models the audit log shows, and who may read whose changes.

The audit log has no list of its own: every model that carries django-simple-history's
`history = HistoricalRecords()` is audited, found in Django's model registry (simple-history marks
such a model's `_meta.simple_history_manager_attribute`). A new app's model shows up here as soon
as it declares its history and migrates; this app imports no feature app and nobody imports it.

Who sees which rows:
- a model's history needs the model's own `view_` or `change_` permission (superusers: all);
- rows about a person are limited to `lms.people.scoping.visible_persons(user)` (a street admin
  sees their street). A model with a `person` foreign key is about that person without more ado.
  A model whose person is reached differently names the path in a class attribute, a Django
  lookup from the model to people.Person, which works on the history table too:

      class Answer(models.Model):
          history = HistoricalRecords()
          audit_person_path = "attempt__person"

  `audit_person_path = None` says the model is about no person (then the permission alone
  decides); a model without the attribute and without a `person` field is treated the same way
  (annual plans and their requirements)."""

import functools
from dataclasses import dataclass

from django.apps import apps
from django.db import models

from lms.people.models import Person
from lms.people.scoping import visible_persons

_MISSING = object()


@dataclass(frozen=True)
class AuditedModel:
    model: type

    @property
    def key(self) -> str:
        """"app_label.model_name": the value of the kind filter and the record URL."""
        return self.model._meta.label_lower

    @property
    def label(self):
        return self.model._meta.verbose_name

    @property
    def history_model(self):
        return getattr(self.model, self.model._meta.simple_history_manager_attribute).model

    @property
    def person_path(self) -> str | None:
        return person_path(self.model)

    def permitted(self, user) -> bool:
        if not user.is_authenticated or not user.is_active:
            return False
        if user.is_superuser:
            return True
        opts = self.model._meta
        return user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or \
            user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def history_rows(self, user):
        """The history rows of this model `user` may read (none without the permission)."""
        rows = self.history_model.objects.all()
        if not self.permitted(user):
            return rows.none()
        if self.person_path and not user.is_superuser:
            rows = rows.filter(**{f"{self.person_path}__in": visible_persons(user).values("pk")})
        return rows


def person_path(model) -> str | None:
    """The lookup from `model` to the Person its rows are about, or None (see the module docstring)."""
    declared = getattr(model, "audit_person_path", _MISSING)
    if declared is not _MISSING:
        return declared
    try:
        field = model._meta.get_field("person")
    except Exception:  # FieldDoesNotExist
        return None
    if isinstance(field, models.ForeignKey) and field.related_model is Person:
        return "person"
    return None


@functools.cache
def _discovered() -> tuple:
    found = [AuditedModel(model) for model in apps.get_models()
             if getattr(model._meta, "simple_history_manager_attribute", None)]
    return tuple(sorted(found, key=lambda audited: audited.key))


def audited_models() -> list[AuditedModel]:
    """Every model with a simple-history `history`, in a stable order (app label, then name).
    Read from the model registry once (it does not change while the process runs)."""
    return list(_discovered())


def permitted_models(user) -> list[AuditedModel]:
    return [audited for audited in audited_models() if audited.permitted(user)]


def audited_model(key) -> AuditedModel | None:
    return next((audited for audited in _discovered() if audited.key == key), None)
