"""A task worker killed mid-task: the work still completes, exactly once.

A real `manage.py qcluster` (its own process group) runs against the test's own throw-away
database (a SQLite file, or PostgreSQL `<test database>_workers_<broker>` when DATABASE_URL is set)
and media directory; each broker's run starts from a copy of one database migrated for the module.
tests/trust/faults_helpers.py makes a course with LEARNERS completed learners and a certificate
template, then queues a certificate batch (the training office's bulk issue) and a
yearly training-record export (HR). The cluster has one worker, so the export waits behind the
batch. When the batch is part-way (issued > 0 and < total, read straight from the database), the
whole cluster is SIGKILLed. A new cluster starts:

- ORM broker (always run): the broker delivers the unacknowledged tasks again once Q_RETRY has
  passed; the batch carries on with what is still missing, the export runs again from the start.
- Redis broker (run when REDIS_URL is set): django-q2's Redis broker pops a task off the list
  (BLPOP) and has no acknowledgement, so a task whose cluster is killed is not delivered again.
  The batch and the export recover the way the office and HR would: once a job is overdue (no
  sign of life for Q_RETRY + 60 s: lms.taskqueue.QueuedJob.lost), "try again" queues it again; the
  batch issues what is still missing, the export starts over. (The cluster's pusher takes tasks
  off the list ahead of its worker, so even the export still waiting behind the batch is lost.)

Then: the batch says done, every completed learner holds exactly one valid certificate, every
stored PDF is readable, the export finished with a readable XLSX file. At most one PDF file is
left without a certificate row: the one being rendered when the worker died (the row commits
after the file is stored; documented in lms/certificates/issuing.py)."""

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

REPO_ROOT = Path(__file__).resolve().parents[2]
HELPERS = Path(__file__).resolve().with_name("faults_helpers.py")
LEARNERS = 24
# retry > timeout, as django-q2 requires; short so the test waits little (the ORM broker delivers a
# task again after Q_RETRY, the Redis path waits Q_RETRY + 60 s for a job to be overdue). A task
# must still fit in Q_TIMEOUT: the batch's one chunk of LEARNERS certificates takes 5-10 s here.
Q_TIMEOUT, Q_RETRY = 20, 25

pytestmark = [pytest.mark.slow]

BROKERS = ["orm"] + (["redis"] if os.environ.get("REDIS_URL") else [])


def _env(folder, database, broker="orm"):
    """The environment of every process of a run: database `<test database>_workers_<database>`
    (PostgreSQL) or `<folder>/workers.sqlite3`, media in `<folder>/media`."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SQLITE_PATH")}
    env.update(DJANGO_SETTINGS_MODULE="lms.settings.test", PYTHONPATH=str(REPO_ROOT),
               MEDIA_ROOT=str(folder / "media"), Q_WORKERS="1", Q_TIMEOUT=str(Q_TIMEOUT),
               Q_RETRY=str(Q_RETRY), LOG_LEVEL="WARNING")
    if connection.vendor == "postgresql":
        base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        env["DATABASE_URL"] = f"{base}/{connection.settings_dict['NAME']}_workers_{database}"
    else:
        env["SQLITE_PATH"] = str(folder / "workers.sqlite3")
    if broker == "redis":
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    return env


def _psql(env, sql):
    base = env["DATABASE_URL"].rsplit("/", 1)[0]
    subprocess.run(["psql", f"{base}/postgres", "-qc", sql], check=True, capture_output=True)


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory):
    """The environment of an empty, migrated database (with the cache table): made once, copied for
    each broker's run by _fresh_database (migrating takes half a minute on PostgreSQL)."""
    env = _env(tmp_path_factory.mktemp("workers-template"), "template")
    if "DATABASE_URL" in env:
        name = env["DATABASE_URL"].rsplit("/", 1)[1]
        _psql(env, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        _psql(env, f"CREATE DATABASE {name}")
    for command in (["migrate", "-v0"], ["createcachetable"]):
        out = subprocess.run([sys.executable, "manage.py", *command], cwd=REPO_ROOT, env=env, capture_output=True,
                             text=True, timeout=600)
        assert out.returncode == 0, out.stderr[-3000:]
    yield env
    if "DATABASE_URL" in env:
        _psql(env, f"DROP DATABASE IF EXISTS {env['DATABASE_URL'].rsplit('/', 1)[1]} WITH (FORCE)")


def _fresh_database(env, template):
    """The run's database as a copy of the migrated template (nothing else is connected to it)."""
    if "DATABASE_URL" in env:
        name = env["DATABASE_URL"].rsplit("/", 1)[1]
        _psql(env, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        _psql(env, f"CREATE DATABASE {name} TEMPLATE {template['DATABASE_URL'].rsplit('/', 1)[1]}")
    else:
        with contextlib.closing(sqlite3.connect(template["SQLITE_PATH"])) as source, \
                contextlib.closing(sqlite3.connect(env["SQLITE_PATH"])) as copy:
            source.backup(copy)


def _helper(env, *args):
    out = subprocess.run([sys.executable, str(HELPERS), *map(str, args)], cwd=REPO_ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def _batch_row(env, batch):
    """(status, done, total) straight from the database: cheap enough to poll every few tenths."""
    sql = f"SELECT status, done, total FROM certificates_issuebatch WHERE id = {int(batch)}"
    if "DATABASE_URL" in env:
        out = subprocess.run(["psql", env["DATABASE_URL"], "-tAF", ",", "-c", sql], capture_output=True,
                             text=True, check=True)
        status, done, total = out.stdout.strip().split(",")
        return status, int(done), int(total)
    with sqlite3.connect(env["SQLITE_PATH"], timeout=20) as db:
        return db.execute(sql).fetchone()


class Cluster:
    """`manage.py qcluster` in its own process group (sentinel, pusher, monitor, worker)."""

    def __init__(self, env, log):
        self.log = open(log, "ab")
        self.process = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=REPO_ROOT, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self):
        """SIGKILL the whole group, as a crash would. Also how the test ends the second cluster: a
        SIGTERM to the group did not stop it within 20 s (a cluster stopping gracefully can hang on a
        dead child), so a graceful stop only added a wait before the SIGKILL."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=20)
        self.log.close()


def _wait(what, check, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("broker", BROKERS)
def test_a_killed_worker_still_issues_every_certificate_once_and_finishes_the_export(
        tmp_path, broker, migrated_database):
    env = _env(tmp_path, broker, broker)
    log = tmp_path / "qcluster.log"
    _fresh_database(env, migrated_database)
    queued = _helper(env, "setup", LEARNERS)
    assert queued["total"] == queued["completed"] == LEARNERS, queued

    first = Cluster(env, log)
    try:
        row = _wait("the batch to be part-way", lambda: (
            (r := _batch_row(env, queued["batch"]))[1] > 0 and r), timeout=300)
        first.kill()
    finally:
        first.kill()
    status, done, total = _batch_row(env, queued["batch"])
    assert status == "running" and 0 < done < total == LEARNERS, (
        f"the batch was not part-way when the cluster died ({row} -> {status, done, total}); "
        f"log: {log.read_text()[-2000:]}")

    second = Cluster(env, log)
    try:
        if broker == "redis":
            # Nothing delivers the task again: the batch stays "running" until it is stale, and then
            # the office's retry queues what is still missing.
            time.sleep(5)
            assert _batch_row(env, queued["batch"])[:2] == ("running", done)
            retried = _wait("the batch to become retryable", lambda: (
                (r := _helper(env, "retry", queued["batch"]))["retryable"] and r), timeout=Q_TIMEOUT + 120)
            assert retried["status"] == "queued"
        _wait("the batch to finish", lambda: _batch_row(env, queued["batch"])[0] in ("done", "failed"),
              timeout=Q_RETRY + Q_TIMEOUT + 180)
        if broker == "redis" and _helper(env, "status", queued["batch"], queued["job"])["job"]["status"] in (
                "queued", "running"):
            # The killed cluster took the export along too: once overdue, HR's retry queues it again.
            _wait("the export to become retryable", lambda: _helper(env, "retry_export", queued["job"])["retryable"],
                  timeout=Q_RETRY + 120)
        _wait("the export to finish", lambda: _helper(env, "status", queued["batch"], queued["job"])["job"][
            "status"] in ("done", "failed"), timeout=Q_RETRY + Q_TIMEOUT + 120)
        result = _helper(env, "status", queued["batch"], queued["job"])
    finally:
        second.kill()

    batch, job = result["batch"], result["job"]
    assert batch["status"] == "done" and batch["done"] == batch["total"] == LEARNERS, (batch, log.read_text()[-3000:])
    assert batch["attempts"] == 2 and batch["failed"] == 0, batch
    assert result["people"] == LEARNERS and result["valid_per_person"] == [1], result
    assert result["certificates"] == LEARNERS and result["pdfs_readable"], result
    # The row commits after its file is stored: the killed worker leaves at most the one file it
    # was rendering when it died, and no certificate without its file.
    assert len(result["orphan_pdfs"]) <= 1, result["orphan_pdfs"]

    assert job["status"] == "done" and job["error"] == "", job
    assert job["attempts"] in (1, 2), job  # 2 when the cluster died while it was running it
    assert job["sheets"] and all(rows >= 1 for rows in job["sheets"].values()), job
    assert result["exports_stored"] == [job["file"]], result
