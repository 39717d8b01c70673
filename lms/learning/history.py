"""django-simple-history for modelcluster models (the annual plan and its inlines).

simple-history copies a model's foreign keys onto the historical model with their own class and
related_name="+". For a ParentalKey that copy is itself a ParentalKey, which modelcluster refuses
(E002: no related_name "+" on a ParentalKey) and which would make every historical row a "child"
of the live plan. The historical copy only needs to remember the parent's id, so it becomes a
plain ForeignKey (no constraint, nothing cascades), like simple-history does for any other key.

Parental many-to-many fields are recorded through `m2m_fields` (simple-history's m2m tables):
modelcluster writes them after the owner is saved, through the real m2m manager, so the last
historical row of a save holds the final set (a save that changes the set may add one or two
intermediate rows, each a true state the relation passed through)."""

from django.db import models
from modelcluster.fields import ParentalKey
from simple_history.models import HistoricalRecords


class ClusterHistoricalRecords(HistoricalRecords):
    def copy_fields(self, model):
        fields = super().copy_fields(model)
        for name, field in list(fields.items()):
            if isinstance(field, ParentalKey):
                swappable, field.swappable = field.swappable, False
                try:
                    _name, _path, args, kwargs = field.deconstruct()
                finally:
                    field.swappable = swappable
                plain = models.ForeignKey(*args, **kwargs)
                plain.name = field.name
                fields[name] = plain
        return fields
