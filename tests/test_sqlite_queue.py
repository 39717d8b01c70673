"""lms.sqlite_queue: SQLite write transactions of different connections wait for each other in a
kernel queue (an flock beside the database file) and none fails or is lost."""

import fcntl
import threading

import pytest
from django.db.utils import ConnectionHandler


def _connection(path):
    return ConnectionHandler({"default": {"ENGINE": "lms.sqlite_queue", "NAME": str(path),
                                          "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20}}})["default"]


def _write_in_a_transaction(path, value):
    """What transaction.atomic() does on SQLite: BEGIN IMMEDIATE, the writes, COMMIT."""
    connection = _connection(path)
    try:
        connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO t (value) VALUES (%s)", [value])
        connection.commit()
        connection.set_autocommit(True)
    finally:
        connection.close()


@pytest.fixture(autouse=True)
def own_databases(django_db_blocker):
    """These tests open their own SQLite files (the suite's test database is in memory)."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "queue.sqlite3"
    connection = _connection(path)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE t (value integer)")
    connection.close()
    return path


def _values(path):
    connection = _connection(path)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT value FROM t ORDER BY value")
            return [row[0] for row in cursor.fetchall()]
    finally:
        connection.close()


def test_a_write_transaction_waits_in_the_queue_until_the_writer_before_it_is_done(database):
    holder = open(f"{database}.writers", "a")
    fcntl.flock(holder, fcntl.LOCK_EX)  # another writer is in its transaction
    writer = threading.Thread(target=_write_in_a_transaction, args=(database, 1))
    writer.start()
    writer.join(timeout=0.5)
    assert writer.is_alive() and _values(database) == []  # waiting in the queue, not written
    holder.close()  # that writer commits
    writer.join(timeout=20)
    assert not writer.is_alive() and _values(database) == [1]


def test_many_concurrent_write_transactions_all_commit(database):
    errors = []

    def write(value):
        try:
            for offset in range(10):
                _write_in_a_transaction(database, value * 100 + offset)
        except Exception as error:  # noqa: BLE001 — collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert _values(database) == sorted(n * 100 + offset for n in range(8) for offset in range(10))


def test_a_rolled_back_transaction_leaves_the_queue(database):
    connection = _connection(database)
    connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO t (value) VALUES (7)")
    connection.rollback()
    connection.set_autocommit(True)
    writer = threading.Thread(target=_write_in_a_transaction, args=(database, 8))
    writer.start()
    writer.join(timeout=20)  # would wait as long as the rolled-back connection lives if it kept its place
    assert not writer.is_alive() and _values(database) == [8]
    connection.close()


def test_an_in_memory_database_has_no_queue(tmp_path):
    connection = ConnectionHandler({"default": {"ENGINE": "lms.sqlite_queue", "NAME": ":memory:"}})["default"]
    connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    assert connection._queue_file is None
    connection.rollback()
    connection.close()
