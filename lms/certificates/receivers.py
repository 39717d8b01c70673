"""Automatic issuing: when an enrolment is completed (lms.learning.signals.course_completed), queue
issue_for once the completion has committed. The task itself is idempotent."""

from django.db import transaction


def course_completed(sender, person, course, **kwargs):
    from .tasks import queue_issue_for

    person_pk, course_pk = person.pk, course.pk
    transaction.on_commit(lambda: queue_issue_for(person_pk, course_pk))
