"""Enqueue a django-q2 task together with the change it is about.

    from lms import taskqueue
    taskqueue.enqueue_with_transaction("lms.attendance.learning_feed.report", record.pk)

With the ORM broker (the embedded default) the task row is written in the caller's transaction, on
the same database: it exists exactly when the change committed, so a process that dies between the
commit and the enqueue cannot lose it, and a QR scan costs one commit instead of two. With another
broker (Redis) the task is sent once the transaction commits, so no worker runs it before the data
it reads is visible, and a rolled-back change sends nothing. Outside a transaction it is sent now.

`QueuedJob` is the base of the models of background work a user watches with a progress bar."""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.utils.translation import gettext_lazy as _
from django_q.conf import Conf


def enqueue_with_transaction(func, *args, using=DEFAULT_DB_ALIAS, **kwargs):
    from django_q.tasks import async_task

    if Conf.ORM == using or transaction.get_autocommit(using=using):
        async_task(func, *args, **kwargs)
    else:
        transaction.on_commit(lambda: async_task(func, *args, **kwargs), using=using)


def lost_before():
    """A queued or running job whose last sign of life is older than this has lost its task: the ORM
    broker would have delivered it again by now (after Q_CLUSTER["retry"] seconds), and the Redis
    broker never will (a cluster killed while holding a task takes it along)."""
    import datetime

    from django.utils import timezone

    return timezone.now() - datetime.timedelta(seconds=settings.Q_CLUSTER["retry"] + 60)


class QueuedJob(models.Model):
    """Background work the user watches (a certificate batch, an export): its status, when it was
    queued and started, and whether its task is lost, so the page can offer "try again" for a
    failed job and for a lost one, and never for one that is still on its way. Subclasses add
    `status` (with these values) and what the job makes."""

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("requested by"))
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def finished(self):
        return self.status in (self.DONE, self.FAILED)

    @property
    def lost(self):
        queued_at = self.queued_at or self.created_at  # jobs queued before queued_at was kept
        last_sign_of_life = {self.QUEUED: queued_at, self.RUNNING: self.started_at}.get(self.status)
        return last_sign_of_life is not None and last_sign_of_life < lost_before()

    @property
    def can_retry(self):
        return self.status == self.FAILED or self.lost

    def mark_queued(self):
        """Record the moment it was (re)queued, as its first sign of life."""
        from django.utils import timezone

        self.queued_at = timezone.now()
        type(self).objects.filter(pk=self.pk).update(queued_at=self.queued_at)

    def claim_retry(self, **reset):
        """Set a failed or lost job back to queued, if nobody else did since it was read (two clicks on
        "try again" queue it once). True when this call claimed it."""
        if not self.can_retry:
            return False
        claimed = type(self).objects.filter(pk=self.pk, status=self.status, queued_at=self.queued_at,
                                            started_at=self.started_at).update(status=self.QUEUED, **reset)
        if claimed:
            self.refresh_from_db()
        return bool(claimed)
