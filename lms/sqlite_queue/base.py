"""SQLite (the embedded default) with its writers queued in the kernel.

SQLite lets one writer in at a time; a writer that finds the lock taken sleeps in SQLite's busy
handler and tries again after 1, 2, 5, 10, 15, 20 … ms, so under a burst of writes (a hall of QR
scans) an unlucky request sleeps several times, far longer than the lock was held. Here a write
transaction (transaction.atomic(), which begins with BEGIN IMMEDIATE) first takes an exclusive
flock on `<database>.writers`; a waiting writer blocks in the kernel and wakes as soon as the
previous one commits or rolls back, so writers pass one after another without sleeping
(bench/checkin.py measures it). SQLite's own lock and busy timeout stay as they are for writes
outside transaction.atomic() and for other programs; the queue only orders our transactions in
front of it. A transaction waits in the queue as long as the ones before it take (the busy
timeout bounds only the wait for SQLite's own lock); the web server's worker timeout bounds a
request. The lock file is opened per transaction, so no process inherits a held lock through a
fork. In-memory databases (the test suite's) have no file and no queue."""

import fcntl

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _queue_file = None  # the open lock file while this connection is in a write transaction

    def _start_transaction_under_autocommit(self):
        self._join_writers()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._leave_writers()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._leave_writers()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._leave_writers()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._leave_writers()

    def _join_writers(self):
        if self.is_in_memory_db() or self._queue_file is not None:
            return
        queue_file = open(f"{self.settings_dict['NAME']}.writers", "a")
        try:
            fcntl.flock(queue_file, fcntl.LOCK_EX)
        except BaseException:
            queue_file.close()
            raise
        self._queue_file = queue_file

    def _leave_writers(self):
        if self._queue_file is not None:
            queue_file, self._queue_file = self._queue_file, None
            queue_file.close()  # closing releases the flock
