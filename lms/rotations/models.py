"""Cadre rotation records (挂职/选派记录): a person serves for a while in another organization.

Upward: community/village cadres go to district agency departments, either for 挂职锻炼 (holding
a post there) or 跟班学习 (working alongside). Downward: young agency cadres are 选派 (dispatched) to
communities and villages. A person serves one rotation at a time, so overlapping terms are refused.

Every change is attributable: recorded_by/updated_by/updated_at on the record, a revision per
save (Wagtail's RevisionMixin), whose history compares any two versions (old → new), and the
row history of django-simple-history that the audit log (lms.audit) shows beside the other records."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords
from wagtail.models import RevisionMixin

from lms.people.models import Organization, OrgType, Person


class Direction(models.TextChoices):
    SECONDMENT = "secondment", _("Secondment to an agency department")
    SHADOWING = "shadowing", _("Shadow learning in an agency department")
    DISPATCH = "dispatch", _("Dispatch to a community or village")


UPWARD = (Direction.SECONDMENT, Direction.SHADOWING)
DOWNWARD = (Direction.DISPATCH,)
HOST_TYPES = {
    Direction.SECONDMENT: (OrgType.AGENCY,),
    Direction.SHADOWING: (OrgType.AGENCY,),
    Direction.DISPATCH: (OrgType.COMMUNITY, OrgType.VILLAGE),
}


class Evaluation(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    COMPETENT = "competent", _("Competent")
    BASICALLY_COMPETENT = "basically_competent", _("Basically competent")
    INCOMPETENT = "incompetent", _("Incompetent")


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("rotation status", "In progress")
    FINISHED = "finished", _("Finished")
    TERMINATED = "terminated", _("Terminated")


class Rotation(RevisionMixin, models.Model):
    """One rotation assignment of one person. Terms of the same person never overlap."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="rotations", verbose_name=_("person"))
    direction = models.CharField(_("direction"), max_length=20, choices=Direction.choices)
    home_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="rotations_out", blank=True,
        verbose_name=_("home organization"), help_text=_("Leave empty for the person's own organization."))
    host_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="rotations_in", verbose_name=_("host organization"))
    post_held = models.CharField(_("post held"), max_length=120, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    mentor = models.CharField(_("mentor"), max_length=60, blank=True)
    goals = models.TextField(_("goals"), blank=True)
    midterm_evaluation = models.CharField(_("mid-term evaluation"), max_length=30, choices=Evaluation.choices,
                                          blank=True)
    midterm_comments = models.TextField(_("mid-term comments"), blank=True)
    final_evaluation = models.CharField(_("final evaluation"), max_length=30, choices=Evaluation.choices, blank=True)
    final_comments = models.TextField(_("final comments"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)

    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", editable=False, verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", editable=False, verbose_name=_("updated by"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="rotation")
    history = HistoricalRecords(excluded_fields=["latest_revision"])

    class Meta:
        verbose_name = _("rotation")
        verbose_name_plural = _("rotations")
        ordering = ["-starts_on", "pk"]
        indexes = [models.Index(fields=["person", "starts_on"])]

    def __str__(self):
        return f"{self.person} · {self.get_direction_display()} · {self.host_organization}"

    @property
    def revisions(self):
        return self._revisions

    @property
    def is_upward(self):
        return self.direction in UPWARD

    def overlapping(self):
        """Other rotations of the same person whose terms share at least one day with this one."""
        return Rotation.objects.filter(
            person_id=self.person_id, starts_on__lte=self.ends_on, ends_on__gte=self.starts_on,
        ).exclude(pk=self.pk)

    def clean(self):
        errors = {}
        if self.person_id and not self.home_organization_id:
            self.home_organization_id = self.person.organization_id
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end date cannot be before the start date.")
        if self.host_organization_id and self.direction in HOST_TYPES:
            allowed = HOST_TYPES[self.direction]
            if self.host_organization.org_type not in allowed:
                if self.direction in UPWARD:
                    message = _("挂职锻炼 and 跟班学习 go up to an agency department: choose an agency "
                                "department as the host organization.")
                else:
                    message = _("选派 goes down to a community or village: choose a community or village "
                                "as the host organization.")
                errors["host_organization"] = message
        if self.host_organization_id and self.host_organization_id == self.home_organization_id:
            errors["host_organization"] = _("The host organization must differ from the home organization.")
        if (self.final_evaluation and self.status in (Status.PLANNED,)):
            errors["final_evaluation"] = _("A planned rotation cannot have a final evaluation yet.")
        if self.person_id and self.starts_on and self.ends_on and "ends_on" not in errors:
            other = self.overlapping().order_by("starts_on").first()
            if other is not None:
                errors["starts_on"] = _(
                    "This person already has a rotation from %(start)s to %(end)s (%(host)s): terms may not "
                    "overlap.") % {"start": other.starts_on.isoformat(), "end": other.ends_on.isoformat(),
                                   "host": other.host_organization}
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        """Re-check the overlap while holding the person's row, so two concurrent saves cannot both
        slip in overlapping terms (SQLite serializes writers anyway). Wagtail's save_revision()
        saves again only to point at the new revision: that writes no history row of its own."""
        if set(kwargs.get("update_fields") or ()) == {"latest_revision"}:
            self.skip_history_when_saving = True
            try:
                return super().save(*args, **kwargs)
            finally:
                del self.skip_history_when_saving
        if not self.home_organization_id and self.person_id:
            self.home_organization_id = self.person.organization_id
        with transaction.atomic():
            Person.objects.select_for_update().filter(pk=self.person_id).first()
            if self.overlapping().exists():
                raise ValidationError({"starts_on": _("This person already has a rotation in this period.")})
            super().save(*args, **kwargs)
