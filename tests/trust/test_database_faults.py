"""The database drops every connection during load: no acknowledged check-in or heartbeat is lost,
and the server answers again by itself (persistent connections with health checks,
lms/settings/base.py). PostgreSQL only.

Runs bench/faults.py --fault terminate on its own throw-away database (`<test database>_dbfaults`):
gunicorn (3 sync workers) takes QR check-ins and video heartbeats from 8 client threads while
pg_terminate_backend drops every connection to that database (twice). A real PostgreSQL restart
(bench/faults.py --fault restart) would stop every other database on the shared server, so it is
run by hand only; see bench/README.md."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

REPO_ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: terminates server connections"),
]


def test_it_loses_no_acknowledged_check_in_or_heartbeat_when_connections_drop():
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    args = [sys.executable, str(REPO_ROOT / "bench" / "faults.py"), "--fault", "terminate",
            "--database-url", f"{base}/{connection.settings_dict['NAME']}_dbfaults",
            "--seconds", "18", "--learners", "300", "--clients", "8", "--workers", "3"]
    out = subprocess.run(args, cwd=REPO_ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=900)
    assert out.stdout.strip(), out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    # The faults happened, to live connections.
    assert len(result["faults"]) == 2 and all("pg_terminate_backend" in f for _t, f in result["faults"]), result
    # Every acknowledged scan has its one record; no stored coverage is below an acknowledged one.
    assert result["checkins_acknowledged"] > 0 and result["heartbeats_acknowledged"] > 0, result
    assert result["lost_checkins"] == [] and result["lost_heartbeats"] == {}, result
    assert result["checked_in_db"] >= result["checkins_acknowledged"] and result["max_records_per_person"] == 1
    # What failed, failed visibly (an error status, never an acknowledgement).
    assert all(key.split(" ", 1)[1] in ("500", "503") for key in result["failed"]), result["failed"]
    # The same server process answers again after the last fault, without errors.
    assert result["server_alive"] and result["acknowledged_after_last_fault"] > 0, result
    assert result["errors_after_last_fault"] == 0, result
    assert out.returncode == 0, out.stdout[-3000:]


@pytest.mark.django_db(transaction=True)
def test_it_replaces_a_connection_the_server_closed_at_the_next_request():
    """CONN_HEALTH_CHECKS: a persistent connection the server dropped (restart, terminated backend)
    is checked at the start of the next request and replaced, instead of failing that request."""
    import psycopg
    from django.db import close_old_connections

    from lms.people.models import Organization

    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    assert connection.settings_dict["CONN_MAX_AGE"] > 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        old_pid = cursor.fetchone()[0]
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [old_pid])
    close_old_connections()  # what Django does when a request starts
    assert Organization.objects.count() == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != old_pid
