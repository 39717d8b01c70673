"""Background issuing (django-q2). Both tasks are idempotent (django-q2 delivers at least once):
issue_for issues only what is missing, and a batch run again issues only what is still missing."""

from django.db import transaction


def queue_issue_for(person_pk, course_pk):
    from django_q.tasks import async_task

    return async_task("lms.certificates.tasks.issue_for", person_pk, course_pk,
                      task_name=f"certificate-{person_pk}-{course_pk}")


def issue_for(person_pk, course_pk):
    """Issue the person's certificate for the course if they completed it and have none yet.
    Returns the certificate's serial (or None when there is nothing to issue)."""
    from . import issuing

    certificate = issuing.issue_for(person_pk, course_pk)
    return certificate.serial if certificate else None


def queue_batch(batch):
    from django_q.tasks import async_task

    batch.mark_queued()
    batch_pk, attempt = batch.pk, batch.attempts
    transaction.on_commit(lambda: async_task("lms.certificates.tasks.run_batch", batch_pk,
                                             task_name=f"certificate-batch-{batch_pk}-{attempt}"))


def run_batch(batch_pk, after_person=0):
    from . import issuing

    return issuing.run_batch(batch_pk, after_person)
