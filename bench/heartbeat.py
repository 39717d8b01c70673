#!/usr/bin/env python
"""Heartbeat throughput under a real multi-process server.

Starts gunicorn (sync workers) on 127.0.0.1 with bench/heartbeat_settings.py, makes N enrolled
learners with logged-in sessions and one one-hour video lesson, then drives two endpoints with
the same bounded load generator (threads with keep-alive connections, loopback only), in
alternating rounds:

- floor: POST /bench/noop/ — a bare authenticated, CSRF-checked no-op Django view;
- heartbeat: POST /me/lessons/<id>/heartbeat/ — each learner its own playback, reporting the next
  seconds of the video (so every report writes its LessonProgress row).

Prints requests/s, p50 and p99 latency of each, and the ratio heartbeat/noop (goal ≥ 0.5).

    .venv/bin/python bench/heartbeat.py [--workers 4] [--clients 16] [--seconds 8] [--rounds 2]
    .venv/bin/python bench/heartbeat.py --database-url postgres://postgres@127.0.0.1:5432/touyan_bench_hb

SQLite: a throw-away file bench/results/heartbeat.sqlite3. PostgreSQL: the named database is
dropped and recreated."""

import argparse
import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "bench"
RESULTS = HERE / "results"
PY = sys.executable
GUNICORN = str(Path(PY).with_name("gunicorn"))
MAX_REQUESTS_PER_PHASE = 200_000


def _env(database_url):
    env = dict(os.environ)
    env.update(DJANGO_SETTINGS_MODULE="heartbeat_settings", PYTHONPATH=f"{HERE}{os.pathsep}{ROOT}",
               LOG_LEVEL="WARNING", ALLOWED_HOSTS="127.0.0.1,localhost", DEBUG="false")
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(RESULTS / "heartbeat.sqlite3")
    return env


def _fresh_database(env, database_url):
    RESULTS.mkdir(exist_ok=True)
    if database_url:
        base, name = database_url.rsplit("/", 1)
        subprocess.run(["psql", f"{base}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", f"{base}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(env["SQLITE_PATH"] + suffix).unlink(missing_ok=True)
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PY, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)


def enrolled_learner(course, organization, index):
    """Inside Django: learner number `index`, enrolled in `course`, with a logged-in session.
    Returns the session key (the cookie the load generator sends)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from lms.learning.models import Enrollment, EnrollmentSource
    from lms.people.models import Person

    phone = f"139{index:08d}"
    user = Person.create_account(phone, "bench-pass-1234")
    person = Person.objects.create(user=user, name=f"学员{index}", phone=phone, organization=organization)
    Enrollment.enrol(person, course, EnrollmentSource.BULK)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "lms.people.auth.PhoneOrUsernameBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def setup_here(clients):
    """Inside Django: the learners, their sessions, the course and the video lesson. Prints JSON."""
    sys.path[:0] = [str(HERE), str(ROOT)]
    import django

    django.setup()
    import datetime

    from wagtailmedia.models import get_media_model

    from courses.models import CoursePage, HomePage, ProgramPage, VideoLessonPage
    from lms.people.models import Organization, OrgType

    home = HomePage.objects.get()
    program = home.add_child(instance=ProgramPage(title="压测项目", slug="bench", kind="micro_videos",
                                                   cadence="always_open"))
    course = program.add_child(instance=CoursePage(
        title="压测课程", slug="bench-course", year=2026, starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31)))
    media = get_media_model().objects.create(title="一小时视频", type="video", duration=3600.0,
                                             file="media/bench.mp4")
    lesson = course.add_child(instance=VideoLessonPage(title="压测视频", slug="bench-video", video=media))
    org = Organization.add_root(name="压测区", org_type=OrgType.DISTRICT, code="BENCH")
    learners = [{"session": enrolled_learner(course, org, i), "csrf": secrets.token_hex(16)}
                for i in range(clients)]
    print(json.dumps({"lesson": lesson.pk, "learners": learners}))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not come up")


class Phase:
    """One bounded load run: each client thread sends requests back to back on a keep-alive
    connection until `seconds` have passed (or the request cap is reached)."""

    def __init__(self, port, learners, path_for, body_for, seconds):
        self.port, self.learners, self.path_for, self.body_for, self.seconds = (
            port, learners, path_for, body_for, seconds)
        self.latencies, self.errors, self.lock = [], 0, threading.Lock()

    def _client(self, index, stop_at):
        learner = self.learners[index]
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"sessionid={learner['session']}; csrftoken={learner['csrf']}",
            "Accept": "application/json",
        }
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        latencies, errors, n = [], 0, 0
        while time.perf_counter() < stop_at and len(self.latencies) + n < MAX_REQUESTS_PER_PHASE:
            body = urllib.parse.urlencode(self.body_for(index, n, learner))
            started = time.perf_counter()
            try:
                connection.request("POST", self.path_for(index), body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors += 1
            except OSError:
                errors += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            latencies.append(time.perf_counter() - started)
            n += 1
        connection.close()
        with self.lock:
            self.latencies += latencies
            self.errors += errors

    def run(self):
        stop_at = time.perf_counter() + self.seconds
        threads = [threading.Thread(target=self._client, args=(i, stop_at)) for i in range(len(self.learners))]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        return {"requests": len(self.latencies), "errors": self.errors, "rps": len(self.latencies) / elapsed,
                "latencies": self.latencies}


def _percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args()  # bench/run.py passes every benchmark the same arguments
    if args.setup:
        setup_here(args.clients)
        return 0

    env = _env(args.database_url)
    backend = "PostgreSQL" if args.database_url else "SQLite"
    _fresh_database(env, args.database_url)
    setup = subprocess.run([PY, __file__, "--setup", "--clients", str(args.clients)], cwd=ROOT, env=env,
                           check=True, capture_output=True, text=True)
    data = json.loads(setup.stdout.strip().splitlines()[-1])
    learners, lesson = data["learners"], data["lesson"]
    port = _free_port()
    server = subprocess.Popen(
        [GUNICORN, "--chdir", str(ROOT), "--pythonpath", f"{HERE},{ROOT}", "-w", str(args.workers),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "lms.wsgi:application"],
        env=env, start_new_session=True)
    try:
        _wait_until_up(port)
        heartbeat_path = f"/me/lessons/{lesson}/heartbeat/"
        playbacks = [f"bench-{i:04d}-{secrets.token_hex(4)}" for i in range(len(learners))]

        def noop_body(index, n, learner):
            return {"csrfmiddlewaretoken": learner["csrf"]}

        def beat_body(index, n, learner):
            second = n % 3600
            return {"csrfmiddlewaretoken": learner["csrf"], "playback": playbacks[index],
                    "event": "start" if n == 0 else "beat", "position": second + 1,
                    "intervals": json.dumps([[second, second + 1]])}

        # warm up both (imports, connections, caches)
        Phase(port, learners, lambda i: "/bench/noop/", noop_body, 1.5).run()
        Phase(port, learners, lambda i: heartbeat_path, beat_body, 1.5).run()
        results = {"noop": [], "heartbeat": []}
        for _round in range(args.rounds):
            results["noop"].append(Phase(port, learners, lambda i: "/bench/noop/", noop_body, args.seconds).run())
            results["heartbeat"].append(Phase(port, learners, lambda i: heartbeat_path, beat_body,
                                              args.seconds).run())
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    print(f"Heartbeat throughput, {backend}, gunicorn {args.workers} sync workers, {args.clients} client threads, "
          f"{args.rounds} x {args.seconds:g} s per endpoint (alternating), loopback")
    summary = {}
    for name, runs in results.items():
        latencies = [x for run in runs for x in run["latencies"]]
        rps = statistics.median(run["rps"] for run in runs)
        errors = sum(run["errors"] for run in runs)
        summary[name] = rps
        print(f"  {name:9s} {rps:8.1f} req/s   p50 {_percentile(latencies, 0.50):6.1f} ms   "
              f"p99 {_percentile(latencies, 0.99):6.1f} ms   requests {len(latencies)}   non-200 {errors}")
    print(f"  ratio heartbeat / noop = {summary['heartbeat'] / summary['noop']:.2f}   (goal >= 0.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
