"""Race safety: many simultaneous requests for the same person and session (a double tap, two tabs,
a QR scan while the stream page beats) end with exactly one record and no error. Real threads with
their own database connections, so the database's locks and the unique constraint do the work."""

import datetime
import threading

import pytest
from django.db import connection, connections

from lms.attendance.models import AttendanceChannel, AttendanceRecord, AttendanceStatus

T0 = datetime.datetime(2026, 3, 20, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
THREADS = 8

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor == "sqlite",
                       reason="the in-memory SQLite test database is shared-cache: its table locks do not wait"),
]


def run_together(*calls):
    """Run the callables in threads released at the same moment; re-raise the first error."""
    barrier = threading.Barrier(len(calls))
    errors, results = [], [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def test_it_keeps_one_record_when_the_same_beat_arrives_many_times_at_once(session, secretary):
    moment = T0 + datetime.timedelta(minutes=5)
    results = run_together(*[
        lambda: AttendanceRecord.objects.record_live_presence(secretary, session, now=moment)
    ] * THREADS)
    record = AttendanceRecord.objects.get(session=session, person=secretary)
    assert record.minutes_present == 1
    assert sum(r.minutes_added for r in results) == 1


def test_it_keeps_one_record_when_channels_race(session, secretary):
    moment = T0 + datetime.timedelta(minutes=5)
    calls = []
    for i in range(THREADS):
        if i % 2:
            calls.append(lambda: AttendanceRecord.objects.record_live_presence(secretary, session, now=moment))
        else:
            calls.append(lambda: AttendanceRecord.objects.record_status(
                secretary, session, status=AttendanceStatus.PRESENT, channel=AttendanceChannel.QR, at=moment))
    run_together(*calls)
    record = AttendanceRecord.objects.get(session=session, person=secretary)
    assert (record.status, record.channel, record.minutes_present) == ("present", "qr", 1)


def test_it_makes_one_record_each_for_many_people_at_once(session, org_tree, make_person):
    people = [make_person(f"学员{i}", org_tree["community_a"]) for i in range(THREADS)]
    moment = T0 + datetime.timedelta(minutes=7)
    run_together(*[
        (lambda p=p: AttendanceRecord.objects.record_live_presence(p, session, now=moment)) for p in people
    ])
    assert AttendanceRecord.objects.filter(session=session).count() == THREADS
