"""Enqueue a django-q2 task together with the change it is about.

    from lms import taskqueue
    taskqueue.enqueue_with_transaction("lms.attendance.learning_feed.report", record.pk)

With the ORM broker (the embedded default) the task row is written in the caller's transaction, on
the same database: it exists exactly when the change committed, so a process that dies between the
commit and the enqueue cannot lose it, and a QR scan costs one commit instead of two. With another
broker (Redis) the task is sent once the transaction commits, so no worker runs it before the data
it reads is visible, and a rolled-back change sends nothing. Outside a transaction it is sent now."""

from django.db import DEFAULT_DB_ALIAS, transaction
from django_q.conf import Conf


def enqueue_with_transaction(func, *args, using=DEFAULT_DB_ALIAS, **kwargs):
    from django_q.tasks import async_task

    if Conf.ORM == using or transaction.get_autocommit(using=using):
        async_task(func, *args, **kwargs)
    else:
        transaction.on_commit(lambda: async_task(func, *args, **kwargs), using=using)
