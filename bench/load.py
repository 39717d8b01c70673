#!/usr/bin/env python
"""Mixed load on loopback: learners browsing, watching and checking in, staff reading reports.

Starts gunicorn (sync workers) on 127.0.0.1 with bench/checkin_settings.py (the real settings, quiet
logs) and one `manage.py qcluster` (the learning feed's tasks), on a throw-away database, makes
LEARNERS enrolled learners with logged-in sessions, a course with a one-hour video lesson and a
session under way, and a training-office member. Then, for SECONDS, a bounded, closed-loop mix
(each client thread sends its next request when the previous one is answered; keep-alive):

- CLIENTS - STAFF learner threads, each request drawn at random, by weight:
  home page 15, course page 15, 我的学习 (/me/) 15, video heartbeat 35, QR check-in 20
  (a check-in scans for the next learner who has not scanned; once all have, repeat scans,
  which the server answers "already checked in");
- STAFF training-office threads: attendance report of the course, compliance dashboard, alternating.

Expected answers: 200 (pages, heartbeats), 302 to the "checked in" page (check-ins); anything else,
or a connection error, is an error. Prints per endpoint: requests, errors, p50, p99, req/s; overall
throughput; exits 1 if there was any error.

    .venv/bin/python bench/load.py                       # SQLite file, database cache and queue
    .venv/bin/python bench/load.py --seconds 180 \\
        --database-url postgres://postgres@127.0.0.1:5432/touyan_bench_load --redis-url redis://127.0.0.1:6379/6

PostgreSQL: the named database is dropped and recreated. Redis (cache and django-q2 broker): the
given database number is flushed first, so give it one nobody else uses."""

import argparse
import http.client
import json
import os
import queue
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE)]

import checkin as ck  # noqa: E402  (check-in token and environment)
import heartbeat as hb  # noqa: E402  (server and database helpers)

PY = sys.executable
LEARNER_MIX = [("home", 15), ("course page", 15), ("my learning", 15), ("heartbeat", 35), ("check-in", 20)]
STAFF_MIX = ["attendance report", "compliance dashboard"]


def setup_here(learners):
    """Inside Django: course, video lesson, session under way, learners and a training-office member."""
    sys.path[:0] = [str(HERE), str(ROOT)]
    import django

    django.setup()
    import datetime

    from django.contrib.auth.models import Group
    from django.utils import timezone
    from wagtailmedia.models import get_media_model

    from courses.models import CoursePage, HomePage, ProgramPage, VideoLessonPage
    from lms.attendance.models import Session
    from lms.people import roles
    from lms.people.models import Organization, OrgType, Person

    today = timezone.localdate()
    program = HomePage.objects.get().add_child(instance=ProgramPage(title="头雁讲坛", slug="load-forum", kind="forum",
                                                                     cadence="quarterly"))
    course = CoursePage(title="压测课程：基层治理", slug="load-course", year=today.year, credit_hours="6",
                        starts_on=today - datetime.timedelta(days=1), ends_on=today + datetime.timedelta(days=1))
    program.add_child(instance=course)
    course.save_revision().publish()
    media = get_media_model().objects.create(title="一小时视频", type="video", duration=3600.0, file="media/load.mp4")
    lesson = VideoLessonPage(title="压测视频", slug="load-video", video=media)
    course.add_child(instance=lesson)
    lesson.save_revision().publish()
    now = timezone.now()
    session = Session.objects.create(course=course, title="压测场次", starts_at=now - datetime.timedelta(minutes=5),
                                     ends_at=now + datetime.timedelta(hours=3), mode="hybrid", late_after_minutes=600)
    district = Organization.add_root(name="压测区", org_type=OrgType.DISTRICT, code="LOAD")
    street = district.add_child(name="压测街道", org_type=OrgType.STREET, code="LOAD-S")
    community = street.add_child(name="压测社区", org_type=OrgType.COMMUNITY, code="LOAD-C")
    cookies = [hb.enrolled_learner(course, community, i) for i in range(learners)]

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    user = Person.create_account("13600000001", "bench-pass-1234")
    user.groups.add(Group.objects.get(name=roles.TRAINING_OFFICE))
    Person.objects.create(user=user, name="培训科干事", phone="13600000001", organization=district)
    staff = SessionStore()
    staff[SESSION_KEY], staff[BACKEND_SESSION_KEY] = str(user.pk), "lms.people.auth.PhoneOrUsernameBackend"
    staff[HASH_SESSION_KEY] = user.get_session_auth_hash()
    staff.create()
    print(json.dumps({"course": course.pk, "course_url": course.url, "lesson": lesson.pk, "session": session.pk,
                      "cookies": cookies, "staff": staff.session_key}))


class Mix:
    def __init__(self, port, data, secret, seconds, staff_threads, learner_threads):
        self.port, self.data, self.seconds = port, data, seconds
        self.token = ck._token_maker(secret)
        self.staff_threads, self.learner_threads = staff_threads, learner_threads
        self.unscanned = queue.Queue()
        for index in range(learner_threads, len(data["cookies"])):
            self.unscanned.put(index)
        self.lock = threading.Lock()
        self.latencies = {}  # endpoint -> [seconds]
        self.errors = {}  # endpoint -> {status: n}

    def _send(self, connection, method, path, cookie, body=None):
        headers = {"Cookie": cookie}
        if body is not None:
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""

    def _loop(self, pick, stop_at):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        latencies, errors = {}, {}
        while time.perf_counter() < stop_at:
            name, method, path, cookie, body, ok = pick()
            started = time.perf_counter()
            try:
                status, location = self._send(connection, method, path, cookie, body)
                good = ok(status, location)
            except (OSError, http.client.HTTPException) as error:
                status, good = error.__class__.__name__, False
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            latencies.setdefault(name, []).append(time.perf_counter() - started)
            if not good:
                errors.setdefault(name, {}).setdefault(str(status), 0)
                errors[name][str(status)] += 1
        connection.close()
        with self.lock:
            for name, values in latencies.items():
                self.latencies.setdefault(name, []).extend(values)
            for name, codes in errors.items():
                for code, n in codes.items():
                    self.errors.setdefault(name, {}).setdefault(code, 0)
                    self.errors[name][code] += n

    def learner(self, index, stop_at):
        data, rng = self.data, random.Random(index)
        csrf = secrets.token_hex(16)
        cookie = f"sessionid={data['cookies'][index]}; csrftoken={csrf}"
        playback = f"load-{index}-{secrets.token_hex(4)}"
        names, weights = zip(*LEARNER_MIX)
        beats = [0]
        done_path = f"/sessions/{data['session']}/checked-in/"

        def page(status, _location):
            return status == 200

        def pick():
            name = rng.choices(names, weights)[0]
            if name == "home":
                return name, "GET", "/", cookie, None, page
            if name == "course page":
                return name, "GET", data["course_url"], cookie, None, page
            if name == "my learning":
                return name, "GET", "/me/", cookie, None, page
            if name == "heartbeat":
                n = beats[0]
                beats[0] += 1
                body = urllib.parse.urlencode({
                    "csrfmiddlewaretoken": csrf, "playback": playback, "event": "start" if n == 0 else "beat",
                    "position": n % 3600 + 1, "intervals": json.dumps([[n % 3600, n % 3600 + 1]])})
                return name, "POST", f"/me/lessons/{data['lesson']}/heartbeat/", cookie, body, page
            try:
                scanner = self.unscanned.get_nowait()
            except queue.Empty:
                scanner = rng.randrange(self.learner_threads, len(data["cookies"]))  # a repeat scan
            path = f"/checkin/{data['session']}/{self.token(data['session'])}/"
            return (name, "GET", path, f"sessionid={data['cookies'][scanner]}", None,
                    lambda status, location: status == 302 and done_path in location)

        self._loop(pick, stop_at)

    def staff(self, index, stop_at):
        data = self.data
        cookie = f"sessionid={data['staff']}"
        n = [index]
        paths = {"attendance report": f"/admin/attendance/reports/?course={data['course']}",
                 "compliance dashboard": "/admin/records/compliance/"}

        def pick():
            name = STAFF_MIX[n[0] % len(STAFF_MIX)]
            n[0] += 1
            return name, "GET", paths[name], cookie, None, lambda status, _location: status == 200

        self._loop(pick, stop_at)

    def run(self):
        stop_at = time.perf_counter() + self.seconds
        threads = [threading.Thread(target=self.learner, args=(i, stop_at)) for i in range(self.learner_threads)]
        threads += [threading.Thread(target=self.staff, args=(i, stop_at)) for i in range(self.staff_threads)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="", help="cache and task broker (default: database cache, ORM broker)")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16, help="client threads in all, STAFF of them staff")
    parser.add_argument("--staff", type=int, default=2)
    parser.add_argument("--learners", type=int, default=400)
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args()  # bench/run.py passes every benchmark the same arguments
    if args.setup:
        setup_here(args.learners)
        return 0

    env = ck._env(args.database_url, "load.sqlite3")
    env.pop("REDIS_URL", None)
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
        import redis

        redis.from_url(args.redis_url).flushdb()
    env["Q_WORKERS"] = "1"
    hb._fresh_database(env, args.database_url)
    setup = subprocess.run([PY, __file__, "--setup", "--learners", str(args.learners)], cwd=ROOT, env=env,
                           check=True, capture_output=True, text=True)
    data = json.loads(setup.stdout.strip().splitlines()[-1])
    port = hb._free_port()
    server = subprocess.Popen(
        [hb.GUNICORN, "--chdir", str(ROOT), "--pythonpath", f"{HERE},{ROOT}", "-w", str(args.workers),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--backlog", "2048", "lms.wsgi:application"],
        env=env, start_new_session=True)
    cluster = subprocess.Popen([PY, "manage.py", "qcluster"], cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    learner_threads = args.clients - args.staff
    try:
        hb._wait_until_up(port)
        Mix(port, data, env["BENCH_SECRET_KEY"], 3, args.staff, learner_threads).run()  # warm up
        mix = Mix(port, data, env["BENCH_SECRET_KEY"], args.seconds, args.staff, learner_threads)
        elapsed = mix.run()
    finally:
        for process in (server, cluster):
            os.killpg(process.pid, signal.SIGTERM)
        for process in (server, cluster):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    backend = "PostgreSQL" if args.database_url else "SQLite"
    extras = "Redis cache and queue" if args.redis_url else "database cache, ORM queue"
    total = sum(len(v) for v in mix.latencies.values())
    errors = sum(n for codes in mix.errors.values() for n in codes.values())
    print(f"Mixed load, {backend}, {extras}, gunicorn {args.workers} sync workers + 1 qcluster worker, "
          f"{learner_threads} learner + {args.staff} staff client threads (closed loop), {args.learners} learners, "
          f"{args.seconds:g} s, loopback")
    print(f"  {'endpoint':22s} {'requests':>8s} {'errors':>6s} {'req/s':>7s} {'p50 ms':>8s} {'p99 ms':>8s}")
    for name in [n for n, _w in LEARNER_MIX] + STAFF_MIX:
        values = mix.latencies.get(name, [])
        n_errors = sum(mix.errors.get(name, {}).values())
        print(f"  {name:22s} {len(values):8d} {n_errors:6d} {len(values) / elapsed:7.1f} "
              f"{hb._percentile(values, 0.50):8.1f} {hb._percentile(values, 0.99):8.1f}")
    every = [x for values in mix.latencies.values() for x in values]
    print(f"  {'all':22s} {total:8d} {errors:6d} {total / elapsed:7.1f} "
          f"{hb._percentile(every, 0.50):8.1f} {hb._percentile(every, 0.99):8.1f}")
    if errors:
        print(f"  ERRORS: {json.dumps(mix.errors)}")
    print(json.dumps({"backend": backend, "redis": bool(args.redis_url), "seconds": elapsed, "requests": total,
                      "errors": errors, "rps": total / elapsed}))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
