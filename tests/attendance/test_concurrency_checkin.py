"""Hundreds of parallel QR check-ins against a real multi-process server (gunicorn, 4 sync workers):
150 learners each scan 3 times, shuffled, from 24 client threads, so the same person's scans race
each other on different worker processes. Exactly one record per learner, every scan answered
with the redirect to the confirmation page, no errors. Runs bench/checkin.py --race on its own
throw-away database: a SQLite file, or a PostgreSQL database named after the test database."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

REPO_ROOT = Path(__file__).resolve().parents[2]
LEARNERS, SCANS = 150, 3

pytestmark = [pytest.mark.slow]


def test_parallel_check_ins_make_one_record_per_person():
    env = dict(os.environ)
    args = [sys.executable, str(REPO_ROOT / "bench" / "checkin.py"), "--race", str(SCANS),
            "--learners", str(LEARNERS), "--clients", "24", "--workers", "4"]
    if connection.vendor == "postgresql":
        base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        args += ["--database-url", f"{base}/{connection.settings_dict['NAME']}_race"]
    out = subprocess.run(args, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["http"] == {"302": LEARNERS * SCANS}, result
    assert result["records"] == LEARNERS and result["max_per_person"] == 1, result
    assert result["channels"] == ["qr"] and result["statuses"] == ["present"]
