"""Issuing certificates: one person (issue, reissue), a queued single issue (issue_for) and the
training office's bulk batches (start_batch, run_batch, retry_batch).

Order of work, so that a worker dying anywhere leaves nothing half-done: allocate the serial (its
own short transaction), render the PDF, store it, then commit the row. The partial unique
constraint "one valid certificate per person and course" is the guard against a second delivery
or a concurrent worker: the loser's insert fails, its stored file is removed and the winner's
certificate is returned. A worker killed before the commit leaves at most an orphan file and an
unused serial number; the retry issues the certificate.

Public API (for demo data, benchmarks and other apps):

    from lms.certificates import issuing
    certificate, created = issuing.issue(person, course, by=user)   # render + store + commit, idempotent
    certificate = issuing.issue_for(person.pk, course.pk)           # only if the course is completed
    new = issuing.reissue(certificate, by=user)                     # new version, supersedes the old
    certificate.revoke("reason", by=user)
    batch = issuing.start_batch(course, user)                       # bulk, queued on commit
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.translation import gettext

from .models import (
    BatchStatus, Certificate, CertificateError, CertificateTemplate, IssueBatch, SerialCounter, Status,
    new_verification_code,
)

logger = logging.getLogger(__name__)

MAX_ERRORS_SHOWN = 5


def template_for(course, template=None):
    template = template or CertificateTemplate.for_course(course)
    if template is None:
        raise CertificateError(gettext(
            "No certificate template applies to “%(course)s”: create one for the course, its program "
            "or as the district default.") % {"course": course.title})
    return template


def completed_enrollment(person, course):
    from lms.learning.models import Enrollment

    return Enrollment.objects.current().filter(person=person, course=course, completed_at__isnull=False).first()


def credit_hours(person, course):
    """The 学时 the person earned in the course (their ledger), else what the course declares."""
    from lms.learning.models import CreditEntry

    earned = CreditEntry.objects.filter(person=person, course=course).totals()["total"]
    return earned or course.credit_hours


def _new_certificate(person, course, template, *, by, version, supersedes=None):
    """An unsaved certificate with its snapshot, serial and code, and its PDF rendered and stored."""
    from . import rendering

    now = timezone.now()
    enrollment = completed_enrollment(person, course)
    certificate = Certificate(
        person=person, course=course, template=template, version=version, supersedes=supersedes,
        serial=SerialCounter.allocate(template.serial_prefix or "QX", timezone.localtime(now).year),
        code=new_verification_code(), status=Status.VALID, title=template.title,
        holder_name=person.name, course_title=course.title, starts_on=course.starts_on, ends_on=course.ends_on,
        completed_at=enrollment.completed_at if enrollment else None,
        credit_hours=credit_hours(person, course), issuing_organization=template.issuing_organization,
        issued_on=timezone.localdate(now), issued_at=now, issued_by=by,
    )
    with translation.override(settings.LANGUAGE_CODE):
        pdf = rendering.render_pdf(certificate)
    certificate.pdf.save(certificate.filename(), ContentFile(pdf), save=False)
    certificate._history_user = by
    return certificate


def _discard(certificate):
    try:
        certificate.pdf.delete(save=False)
    except OSError:  # pragma: no cover - the orphan is harmless
        logger.warning("could not delete the orphan certificate file %s", certificate.pdf.name)


def _next_version(person, course):
    return (Certificate.objects.filter(person=person, course=course).aggregate(v=Max("version"))["v"] or 0) + 1


def issue(person, course, *, by=None, template=None):
    """The person's certificate for the course: the existing current one (valid or revoked, so a
    revocation is not undone by a later bulk issue), or a new one. Returns (certificate, created).
    Raises CertificateError when no template applies or a font/image is missing."""
    existing = Certificate.objects.current().filter(person=person, course=course).order_by("-version").first()
    if existing is not None:
        return existing, False
    template = template_for(course, template)
    certificate = _new_certificate(person, course, template, by=by, version=_next_version(person, course))
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError:
        _discard(certificate)
        existing = Certificate.objects.current().filter(person=person, course=course).order_by("-version").first()
        if existing is None:
            raise
        return existing, False
    return certificate, True


def reissue(certificate, *, by=None, template=None):
    """A new version of a valid or revoked certificate, from the person's and course's data as
    they are now, with the course's current template (else the old one). The old one becomes
    superseded (a revoked one stays revoked). Raises ValidationError if it was already replaced."""
    if certificate.status == Status.SUPERSEDED or Certificate.objects.filter(supersedes=certificate).exists():
        raise ValidationError(gettext("This certificate has already been replaced by a newer version."))
    template = template or CertificateTemplate.for_course(certificate.course) or certificate.template
    new = _new_certificate(certificate.person, certificate.course, template, by=by,
                           version=_next_version(certificate.person_id, certificate.course_id),
                           supersedes=certificate)
    try:
        with transaction.atomic():
            old = Certificate.objects.select_for_update().get(pk=certificate.pk)
            if old.status == Status.SUPERSEDED:
                raise ValidationError(gettext("This certificate has already been replaced by a newer version."))
            if old.status == Status.VALID:
                old.status = Status.SUPERSEDED
                old._history_user = by
                old.save(update_fields=["status"])
            new.save()
    except (IntegrityError, ValidationError) as error:
        _discard(new)
        if isinstance(error, IntegrityError):
            raise ValidationError(gettext("This certificate has already been replaced by a newer version.")) from None
        raise
    certificate.refresh_from_db()
    return new


def issue_for(person_pk, course_pk, *, by=None):
    """The queued issue after a completion: issue if the person's current enrolment is completed
    (a completion revoked before the task ran issues nothing) and a template applies to the course
    (a course without one, e.g. a micro-video, has no certificate; the office can bulk issue later,
    once a template is made). Idempotent. A missing font or image raises: the task fails visibly."""
    from courses.models import CoursePage
    from lms.people.models import Person

    person = Person.objects.filter(pk=person_pk).first()
    course = CoursePage.objects.filter(pk=course_pk).first()
    if person is None or course is None or completed_enrollment(person, course) is None:
        return None
    if CertificateTemplate.for_course(course) is None:
        logger.info("no certificate template applies to course %s: nothing issued", course.pk)
        return None
    certificate, _created = issue(person, course, by=by)
    return certificate


# --- bulk issuing -----------------------------------------------------------------------------------


def pending_persons(course, user):
    """Persons the user may see with a completed current enrolment in the course and no
    certificate for it (valid or revoked)."""
    from lms.learning.models import Enrollment

    from .access import scoped_persons

    completed = Enrollment.objects.current().filter(course=course, completed_at__isnull=False)
    issued = Certificate.objects.current().filter(course=course)
    return (scoped_persons(user).filter(pk__in=completed.values("person_id"))
            .exclude(pk__in=issued.values("person_id")).order_by("pk"))


def start_batch(course, user):
    """Create a batch for the course and queue it once the request commits."""
    from .tasks import queue_batch

    with transaction.atomic():
        batch = IssueBatch.objects.create(course=course, requested_by=user,
                                          total=pending_persons(course, user).count())
        queue_batch(batch)
    return batch


def retry_batch(batch):
    """Queue a failed batch (or one whose task was lost) again: only what is still missing is issued."""
    from .tasks import queue_batch

    with transaction.atomic():
        if batch.claim_retry(error="", finished_at=None):
            queue_batch(batch)
    return batch


def batch_chunk():
    """Certificates one batch task issues before it queues the next chunk: seconds to a minute of
    work, far below the task timeout however large the course, with a sign of life after each."""
    return getattr(settings, "CERTIFICATE_BATCH_CHUNK", 25)


def run_batch(batch_pk, after_person=0):
    """The batch task, one chunk at a time: it issues the missing certificates of up to
    batch_chunk() persons (in pk order, after `after_person`) and queues the next chunk, so several
    workers can take a large course's chunks in turn and other tasks are not held up.

    Idempotent: a finished batch is not run again; a chunk delivered again (a dead worker) issues
    only what is still missing. A failure for one person (a missing image, say) is counted and
    shown on the batch, and the rest go on; the batch then ends failed and can be retried."""
    batch = IssueBatch.objects.filter(pk=batch_pk).select_related("requested_by").first()
    if batch is None or batch.status in (BatchStatus.DONE, BatchStatus.FAILED):
        return "skipped"
    from .access import can_issue

    user = batch.requested_by
    course = batch.course
    if not can_issue(user):
        _finish(batch, [gettext("You may no longer issue certificates.")])
        return "failed"
    pending = pending_persons(course, user)
    if after_person == 0:  # the first chunk of a run (or of a retry): the counters start over
        IssueBatch.objects.filter(pk=batch.pk).update(
            status=BatchStatus.RUNNING, started_at=timezone.now(), attempts=batch.attempts + 1,
            total=batch.done + pending.count(), failed=0, error="")
    else:
        IssueBatch.objects.filter(pk=batch.pk).update(started_at=timezone.now())  # a sign of life
    chunk = list(pending.filter(pk__gt=after_person)[:batch_chunk()])
    with translation.override(settings.LANGUAGE_CODE):
        for person in chunk:
            try:
                _certificate, created = issue(person, course, by=user)
            except Exception as error:  # noqa: BLE001 - shown on the batch; the rest still go on
                _count_failure(batch.pk, _failure_message(person, course, error))
                continue
            if created:
                IssueBatch.objects.filter(pk=batch.pk).update(done=F("done") + 1)
    if len(chunk) == batch_chunk():
        from django_q.tasks import async_task

        async_task("lms.certificates.tasks.run_batch", batch.pk, chunk[-1].pk,
                   task_name=f"certificate-batch-{batch.pk}-{batch.attempts + 1}-after-{chunk[-1].pk}")
        return "continued"
    batch.refresh_from_db()
    return _finish(batch, batch.error.splitlines(), failed=batch.failed)


def _count_failure(batch_pk, message):
    """One more failed person; the message is shown once (the same reason for many is one line)."""
    batch = IssueBatch.objects.get(pk=batch_pk)
    errors = batch.error.splitlines()
    if message not in errors and len(errors) < MAX_ERRORS_SHOWN:
        errors.append(message)
    IssueBatch.objects.filter(pk=batch_pk).update(failed=F("failed") + 1, error="\n".join(errors))


def _failure_message(person, course, error):
    """What staff read on the batch: the reason for a known failure (the same for everyone, shown
    once), else the person and the kind of error (the traceback goes to the log)."""
    if isinstance(error, CertificateError):
        return str(error)
    if isinstance(error, ValidationError):
        return f"{person.name}: {' '.join(error.messages)}"
    logger.exception("certificate for person %s, course %s failed", person.pk, course.pk)
    return gettext("%(name)s: unexpected error (%(error)s).") % {"name": person.name,
                                                                  "error": error.__class__.__name__}


def _finish(batch, errors, failed=0):
    status = BatchStatus.FAILED if (errors or failed) else BatchStatus.DONE
    IssueBatch.objects.filter(pk=batch.pk).update(status=status, error="\n".join(errors), finished_at=timezone.now())
    return status
