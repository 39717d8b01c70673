"""Export jobs: one row per yearly training-record export asked for in the admin.

The export runs as a django-q2 task (lms.records.tasks.run_export); the row is its visible
state (queued → running with progress → done with a file, or failed with the reason), so a
failed export stays on screen and can be retried. The file is stored under a random name and
served only through the records download view, to the person who asked (or a superuser)."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.taskqueue import QueuedJob


def export_path(instance, filename):
    return f"records/exports/{secrets.token_urlsafe(18)}/{filename}"


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", "XLSX"
    CSV = "csv", "CSV"


class ExportTable(models.TextChoices):
    SUMMARY = "summary", _("Per-person summary")
    ACTIVITIES = "activities", _("学时 detail")
    ROTATIONS = "rotations", _("Rotations")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ExportJob(QueuedJob):
    year = models.PositiveIntegerField(_("year"))
    file_format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices, default=ExportFormat.XLSX)
    table = models.CharField(_("table (CSV)"), max_length=20, choices=ExportTable.choices,
                             default=ExportTable.SUMMARY)
    street_code = models.CharField(_("street"), max_length=40, blank=True)
    categories = models.JSONField(_("cadre categories"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows to write"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to=export_path, blank=True)

    class Meta:
        verbose_name = _("training-record export")
        verbose_name_plural = _("training-record exports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.year} · {self.get_file_format_display()} · {self.get_status_display()}"

    @property
    def percent(self):
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(100 * self.rows_written / self.rows_total))

    def filename(self):
        suffix = "" if self.file_format == ExportFormat.XLSX else f"-{self.table}"
        street = f"-{self.street_code}" if self.street_code else ""
        return f"training-records-{self.year}{street}{suffix}.{self.file_format}"
