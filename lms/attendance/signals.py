"""`attendance_changed` is sent (after the transaction commits) whenever a person's attendance
status for a session changes, whatever the channel: the one place where attendance will report
to learning's completion engine and credit-hour ledger (a receiver in this app calling a learning
function; learning never imports attendance). Keyword arguments: record, previous_status (None
for a new record)."""

from django.db import transaction
from django.dispatch import Signal

attendance_changed = Signal()


def send_attendance_changed(record, previous_status):
    transaction.on_commit(lambda: attendance_changed.send(
        sender=type(record), record=record, previous_status=previous_status))
