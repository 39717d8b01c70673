"""Race safety on SQLite: separate processes (as under a multi-process server) write attendance for
the same person and session at the same moment, against a real SQLite file in WAL mode with
IMMEDIATE transactions (the project's settings). Exactly one record, no "database is locked".

The in-memory test database cannot show this (its shared-cache table locks do not wait), so this
test migrates its own temporary file database and forks its workers from one Django process; it is
slower than the rest (about 15 s). PostgreSQL runs skip it: test_concurrency.py covers them."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection

REPO_ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only; PostgreSQL: test_concurrency.py"),
]

RACE = textwrap.dedent("""
    import datetime, multiprocessing, sys
    import django
    django.setup()
    from django.db import connections
    from courses.models import CoursePage, HomePage, ProgramPage
    from lms.attendance.models import AttendanceRecord, Session
    from lms.people.models import Organization, Person

    T0 = datetime.datetime(2026, 3, 20, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    PROCESSES = 12
    org = Organization.add_root(name="示范区", org_type="district")
    people = [Person.objects.create(user=Person.create_account(f"1380000000{i}"), name=f"学员{i}",
                                    phone=f"1380000000{i}", organization=org) for i in range(3)]
    program = HomePage.objects.get().add_child(
        instance=ProgramPage(title="头雁讲坛", slug="forum", kind="forum", cadence="quarterly"))
    course = program.add_child(instance=CoursePage(title="课程", slug="c", year=2026, starts_on=T0.date(),
                                                   ends_on=T0.date()))
    session = Session.objects.create(course=course, title="场次", starts_at=T0,
                                     ends_at=T0 + datetime.timedelta(minutes=100), mode="hybrid")
    moment = T0 + datetime.timedelta(minutes=5)

    def work(barrier, index):
        person = people[0] if index < PROCESSES - 2 else people[index - PROCESSES + 3]
        barrier.wait()
        if index % 2:
            AttendanceRecord.objects.record_live_presence(person, session, now=moment)
        else:
            AttendanceRecord.objects.record_status(person, session, status="present", channel="qr", at=moment)

    connections.close_all()  # each forked worker opens its own connection
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(PROCESSES)
    workers = [context.Process(target=work, args=(barrier, i)) for i in range(PROCESSES)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    if any(worker.exitcode != 0 for worker in workers):
        sys.exit("a worker failed")
    for r in AttendanceRecord.objects.order_by("person__phone"):
        print(r.person.phone, r.status, r.channel, r.minutes_present)
""")


def test_it_keeps_one_record_per_person_across_processes_on_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="lms.settings.test", SQLITE_PATH=str(tmp_path / "race.sqlite3"),
               PYTHONPATH=str(REPO_ROOT))
    migrate = subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=REPO_ROOT, env=env,
                             capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr
    race = subprocess.run([sys.executable, "-c", RACE], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert race.returncode == 0, race.stderr
    records = [row.split() for row in race.stdout.splitlines() if row]
    assert [r[0] for r in records] == ["13800000000", "13800000001", "13800000002"], race.stdout
    assert records[0][1:] == ["present", "qr", "1"]  # QR scans and live beats for one person: one record
