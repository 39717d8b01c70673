#!/usr/bin/env python
"""QR check-in burst under a real multi-process server.

Starts gunicorn (sync workers) on 127.0.0.1 with bench/checkin_settings.py, makes N enrolled
learners with logged-in sessions and R sessions under way, then sends bursts of N requests with
the same bounded load generator (threads with keep-alive connections, loopback only):

- floor: GET /bench/noop-get/ — a bare authenticated, session-backed no-op Django view;
- check-in: GET /checkin/<session>/<token>/ — each learner scans once with the current rotating
  token (computed here from the shared SECRET_KEY), so every request creates one attendance record.

The bursts alternate, floor first and last: noop, check-in of session 1, noop, check-in of session
2, …, noop. One burst of 1,000 lasts a second or two, and on a shared machine a load spike during
one burst moves its numbers a lot; alternating R rounds spreads any spike over both. Prints each
round and the pooled requests/s, p50 and p99 of each kind, the ratios check-in/noop (throughput,
and p99 noop/check-in), goal ≥ 0.5, and checks that every session holds exactly one record per
learner.

    .venv/bin/python bench/checkin.py [--learners 1000] [--rounds 5] [--clients 16] [--workers 4]
    .venv/bin/python bench/checkin.py --database-url postgres://postgres@127.0.0.1:5432/touyan_bench_checkin

--race R: instead of the benchmark, every learner scans R times, all at once and shuffled (the
same person's scans race each other on different workers); prints a JSON summary (used by
tests/attendance/test_concurrency_checkin.py).

SQLite: a throw-away file bench/results/checkin.sqlite3. PostgreSQL: the named database is
dropped and recreated."""

import argparse
import http.client
import json
import os
import queue
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE)]

import heartbeat as hb  # noqa: E402  (the heartbeat bench's server and database helpers)

PY = sys.executable
WINDOW_SECONDS = 15
SALT = "lms.attendance.checkin"


def _env(database_url, sqlite_name):
    env = hb._env(database_url)
    env["DJANGO_SETTINGS_MODULE"] = "checkin_settings"
    env["BENCH_SECRET_KEY"] = os.environ.get("BENCH_SECRET_KEY") or "bench-" + secrets.token_hex(24)
    if not database_url:
        env["SQLITE_PATH"] = str(hb.RESULTS / sqlite_name)
    return env


def setup_here(learners, sessions):
    """Inside Django: the learners with sessions, a course and `sessions` sessions under way.
    Prints JSON."""
    sys.path[:0] = [str(HERE), str(ROOT)]
    import django

    django.setup()
    import datetime

    from django.utils import timezone

    from courses.models import CoursePage, HomePage, ProgramPage
    from lms.attendance.models import Session
    from lms.people.models import Organization, OrgType

    today = timezone.localdate()
    home = HomePage.objects.get()
    program = home.add_child(instance=ProgramPage(title="压测项目", slug="bench", kind="forum", cadence="quarterly"))
    course = program.add_child(instance=CoursePage(title="压测课程", slug="bench-course", year=today.year,
                                                   starts_on=today - datetime.timedelta(days=1),
                                                   ends_on=today + datetime.timedelta(days=1)))
    now = timezone.now()
    session_ids = [Session.objects.create(course=course, title=f"压测场次{number}", mode="hybrid",
                                          starts_at=now - datetime.timedelta(minutes=5),
                                          ends_at=now + datetime.timedelta(hours=3), late_after_minutes=600).pk
                   for number in range(1, sessions + 1)]
    org = Organization.add_root(name="压测区", org_type=OrgType.DISTRICT, code="BENCH")
    out = [hb.enrolled_learner(course, org, i) for i in range(learners)]
    print(json.dumps({"sessions": session_ids, "cookies": out}))


def count_here(session_ids):
    sys.path[:0] = [str(HERE), str(ROOT)]
    import django

    django.setup()
    from django.db.models import Count

    from lms.attendance.models import AttendanceRecord

    records = AttendanceRecord.objects.filter(session_id__in=session_ids)
    per_person = records.values("session_id", "person_id").annotate(n=Count("pk"))
    print(json.dumps({"records": records.count(), "max_per_person": max((r["n"] for r in per_person), default=0),
                      "statuses": sorted(set(records.values_list("status", flat=True))),
                      "channels": sorted(set(records.values_list("channel", flat=True)))}))


def _token_maker(secret):
    from django.conf import settings

    if not settings.configured:
        settings.configure(SECRET_KEY=secret, DEFAULT_HASHING_ALGORITHM="sha256")
    from django.utils.crypto import salted_hmac

    def token(session_id):
        window = int(time.time() // WINDOW_SECONDS)
        return salted_hmac(SALT, f"{session_id}:{window}", secret=secret, algorithm="sha256").hexdigest()[:20]

    return token


def burst(port, jobs, path_for, clients):
    """Send every job (a cookie) once, `clients` threads pulling from one queue. Returns stats
    (see pooled)."""
    work = queue.Queue()
    for job in jobs:
        work.put(job)
    latencies, statuses, lock = [], {}, threading.Lock()

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, codes = [], {}
        while True:
            try:
                cookie = work.get_nowait()
            except queue.Empty:
                break
            started = time.perf_counter()
            try:
                connection.request("GET", path_for(), headers={"Cookie": f"sessionid={cookie}"})
                response = connection.getresponse()
                response.read()
                code = response.status
            except OSError:
                code = "error"
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            mine.append(time.perf_counter() - started)
            codes[code] = codes.get(code, 0) + 1
        connection.close()
        with lock:
            latencies.extend(mine)
            for code, n in codes.items():
                statuses[code] = statuses.get(code, 0) + n

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return pooled([{"latencies": latencies, "seconds": time.perf_counter() - started, "statuses": statuses}])


def pooled(runs):
    """The bursts `runs` as one: requests/s over their summed duration, percentiles of all
    their latencies, and their statuses."""
    latencies = [latency for run in runs for latency in run["latencies"]]
    seconds = sum(run["seconds"] for run in runs)
    statuses = {}
    for run in runs:
        for code, n in run["statuses"].items():
            statuses[code] = statuses.get(code, 0) + n
    return {"latencies": latencies, "requests": len(latencies), "rps": len(latencies) / seconds, "seconds": seconds,
            "p50": hb._percentile(latencies, 0.50), "p99": hb._percentile(latencies, 0.99), "statuses": statuses}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5, help="check-in bursts, one session each")
    parser.add_argument("--race", type=int, default=0, help="scans per learner, all at once (race mode)")
    parser.add_argument("--without-learning-feed", action="store_true",
                        help="diagnostic: disconnect the learning feed (completion/学时 recompute) in the server")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--count", nargs="*", type=int, help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args()  # bench/run.py passes every benchmark the same arguments
    rounds = 1 if args.race else args.rounds
    if args.setup:
        setup_here(args.learners, rounds)
        return 0
    if args.count:
        count_here(args.count)
        return 0

    env = _env(args.database_url, "checkin-race.sqlite3" if args.race else "checkin.sqlite3")
    if args.without_learning_feed:
        env["BENCH_WITHOUT_LEARNING_FEED"] = "1"
    backend = "PostgreSQL" if args.database_url else "SQLite"
    hb._fresh_database(env, args.database_url)
    setup = subprocess.run([PY, __file__, "--setup", "--learners", str(args.learners), "--rounds", str(rounds)],
                           cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    data = json.loads(setup.stdout.strip().splitlines()[-1])
    session_ids, cookies = data["sessions"], data["cookies"]
    token = _token_maker(env["BENCH_SECRET_KEY"])
    port = hb._free_port()
    server = subprocess.Popen(
        [hb.GUNICORN, "--chdir", str(ROOT), "--pythonpath", f"{HERE},{ROOT}", "-w", str(args.workers),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--backlog", "2048", "lms.wsgi:application"],
        env=env, start_new_session=True)
    try:
        hb._wait_until_up(port)

        def checkin_path(session_id):
            return lambda: f"/checkin/{session_id}/{token(session_id)}/"

        def noop_path():
            return "/bench/noop-get/"

        if args.race:
            jobs = cookies * args.race
            random.shuffle(jobs)
            result = burst(port, jobs, checkin_path(session_ids[0]), args.clients)
        else:
            burst(port, cookies[:50], noop_path, args.clients)  # warm up
            noops, checks = [burst(port, cookies, noop_path, args.clients)], []
            for session_id in session_ids:
                checks.append(burst(port, cookies, checkin_path(session_id), args.clients))
                noops.append(burst(port, cookies, noop_path, args.clients))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    counted = subprocess.run([PY, __file__, "--count", *map(str, session_ids)], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True)
    db = json.loads(counted.stdout.strip().splitlines()[-1])
    if args.race:
        print(json.dumps({"backend": backend, "learners": args.learners, "scans": len(cookies) * args.race,
                          "http": {str(k): v for k, v in result["statuses"].items()}, **db}))
        return 0

    print(f"QR check-in burst, {backend}, gunicorn {args.workers} sync workers, {args.clients} client threads, "
          f"{args.learners} distinct learners each scanning once per session, {len(checks)} rounds, loopback"
          + (", WITHOUT the learning feed (diagnostic)" if args.without_learning_feed else ""))

    def line(name, run):
        return (f"{name:13s} {run['rps']:7.1f} req/s   p50 {run['p50']:6.1f} ms   p99 {run['p99']:6.1f} ms   "
                f"requests {run['requests']}   {run['seconds']:.1f} s   statuses {run['statuses']}")

    for number, check in enumerate(checks, 1):
        print(f"  round {number}: " + line("check-in", check))
    print("  floor bursts (noop, req/s): " + ", ".join(f"{run['rps']:.0f}" for run in noops))
    noop, check = pooled(noops), pooled(checks)
    print("  pooled  " + line("noop", noop))
    print("  pooled  " + line("check-in", check))
    print(f"  ratio throughput check-in / noop = {check['rps'] / noop['rps']:.2f}   "
          f"ratio p99 noop / check-in = {noop['p99'] / check['p99']:.2f}   (goal >= 0.5)")
    expected = args.learners * len(session_ids)
    print(f"  records {db['records']} (one per learner and session: "
          f"{db['records'] == expected and db['max_per_person'] == 1})"
          f"   statuses {db['statuses']}   channels {db['channels']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
