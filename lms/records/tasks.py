"""The export task (django-q2). Idempotent: a job that is done is not run again; a job that a
dead worker left "running" is simply run again from the start (the file is only attached when
complete). Failures are recorded on the job, not raised, so the queue does not retry blindly:
the user sees the reason and retries from the status page."""

import logging
import os
import tempfile

from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation

from . import export
from .models import ExportJob, ExportStatus

logger = logging.getLogger(__name__)


def export_request_for(job):
    """The job's ExportRequest, scoped to what its requester may see now."""
    from .access import is_records_staff, scoped_organizations, scoped_persons

    user = job.requested_by
    if not is_records_staff(user):
        raise export.ExportError(translation.gettext("You may no longer export training records."))
    return export.ExportRequest.build(job.year, scoped_persons(user), scoped_organizations(user),
                                      street_code=job.street_code, categories=job.categories)


def run_export(job_id):
    job = ExportJob.objects.filter(pk=job_id).select_related("requested_by").first()
    if job is None or job.status == ExportStatus.DONE:
        return "skipped"
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, started_at=timezone.now(),
                                               attempts=job.attempts + 1, rows_written=0, error="")
    from django.conf import settings

    with translation.override(settings.LANGUAGE_CODE):
        try:
            request = export_request_for(job)
            tables = export.XLSX_TABLES if job.file_format == "xlsx" else (job.table,)
            ExportJob.objects.filter(pk=job.pk).update(rows_total=request.total_rows(tables))

            def report(rows):
                ExportJob.objects.filter(pk=job.pk).update(rows_written=rows)

            handle, path = tempfile.mkstemp(suffix=f".{job.file_format}")
            os.close(handle)
            try:
                rows = export.write(request, path, job.file_format, table=job.table, report=report)
                with open(path, "rb") as data, transaction.atomic():
                    job.refresh_from_db()
                    job.file.save(job.filename(), File(data), save=False)
                    job.status, job.rows_written, job.finished_at = ExportStatus.DONE, rows, timezone.now()
                    job.save(update_fields=["file", "status", "rows_written", "finished_at"])
            finally:
                os.unlink(path)
        except export.ExportError as error:
            _fail(job, " ".join(error.messages))
            return "failed"
        except Exception as error:  # noqa: BLE001 - any failure must show on the job, not vanish in a log
            logger.exception("training-record export %s failed", job.pk)
            _fail(job, translation.gettext("The export failed (%(error)s). Please try again.") % {
                "error": error.__class__.__name__})
            return "failed"
    return "done"


def _fail(job, message):
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED, error=message,
                                               finished_at=timezone.now())


def retry_export(job):
    """Queue a failed export (or one whose task was lost) again; it starts from the beginning.
    True when it was queued."""
    with transaction.atomic():
        if job.claim_retry(error="", rows_written=0, finished_at=None):
            queue_export(job)
            return True
    return False


def queue_export(job):
    from django_q.tasks import async_task

    job.mark_queued()
    transaction.on_commit(lambda: async_task("lms.records.tasks.run_export", job.pk,
                                             task_name=f"records-export-{job.pk}-{job.attempts}"))
