"""`attendance_changed` is sent whenever a person's attendance status for a session changes,
whatever the channel: the one place where attendance reports to learning's completion engine and
credit-hour ledger (a receiver in this app calling a learning function; learning never imports
attendance). Keyword arguments: record (already saved with its new status), previous_status (None
for a new record).

It is sent inside the transaction that made the change, like Django's post_save, so a receiver can
write in the same transaction; receivers with effects outside the database wait for the commit
(transaction.on_commit, or lms.taskqueue for tasks), and a rolled-back change then does nothing."""

from django.dispatch import Signal

attendance_changed = Signal()


def send_attendance_changed(record, previous_status):
    attendance_changed.send(sender=type(record), record=record, previous_status=previous_status)
