#!/usr/bin/env python
"""Database faults under load: no acknowledged check-in or heartbeat is lost. PostgreSQL only.

Starts gunicorn (sync workers) on 127.0.0.1 with bench/checkin_settings.py on a throw-away
database (dropped and recreated), makes LEARNERS enrolled learners with logged-in sessions, a
course with a session under way and a one-hour video lesson. Then CLIENTS threads (keep-alive
connections, loopback) alternate for SECONDS:

- a heartbeat POST for the client's own learner and playback (the next second of the video);
  acknowledged = 200 with JSON, whose "seconds" is the learner's coverage after the commit;
- a QR check-in GET for the next learner who has not scanned yet (the rotating token computed
  from the shared SECRET_KEY); acknowledged = 302 to the "checked in" page.

In the middle the database goes away, by --fault:

- terminate (default; what tests/trust/test_database_faults.py runs): pg_terminate_backend for
  every connection to the throw-away database only, at 1/3 and again at 2/3 of the run;
- restart: `pg_ctlcluster --skip-systemctl-redirect 15 main restart` once at 1/3 of the run. This
  restarts the machine's shared PostgreSQL for every database on it: run it by hand only, when no
  one else needs the server (never from the test suite or `make bench`).

Afterwards it reads the database and checks that every acknowledged check-in has its attendance
record (one per learner) and that every learner's stored coverage is at least the last coverage
the server acknowledged; it counts what failed during the outage (and with which status), and
whether the server answered again without being restarted (acknowledgements after the last fault).
Prints a report, then one JSON line (used by the test); exits 1 if anything acknowledged was lost
or the server did not recover.

    .venv/bin/python bench/faults.py --database-url postgres://postgres@127.0.0.1:5432/touyan_faults
    .venv/bin/python bench/faults.py --database-url ... --fault restart --seconds 30
"""

import argparse
import http.client
import json
import os
import queue
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


def setup_here(learners):
    """Inside Django: a course with a session under way and a video lesson, and the learners."""
    sys.path[:0] = [str(HERE), str(ROOT)]
    import django

    django.setup()
    import datetime

    from django.utils import timezone
    from wagtailmedia.models import get_media_model

    from courses.models import CoursePage, HomePage, ProgramPage, VideoLessonPage
    from lms.attendance.models import Session
    from lms.people.models import Organization, OrgType

    today = timezone.localdate()
    program = HomePage.objects.get().add_child(instance=ProgramPage(title="故障项目", slug="faults", kind="forum",
                                                                     cadence="quarterly"))
    course = program.add_child(instance=CoursePage(title="故障课程", slug="faults-course", year=today.year,
                                                   starts_on=today - datetime.timedelta(days=1),
                                                   ends_on=today + datetime.timedelta(days=1)))
    media = get_media_model().objects.create(title="一小时视频", type="video", duration=3600.0, file="media/faults.mp4")
    lesson = course.add_child(instance=VideoLessonPage(title="故障视频", slug="faults-video", video=media))
    now = timezone.now()
    session = Session.objects.create(course=course, title="故障场次", starts_at=now - datetime.timedelta(minutes=5),
                                     ends_at=now + datetime.timedelta(hours=3), mode="hybrid", late_after_minutes=600)
    org = Organization.add_root(name="故障区", org_type=OrgType.DISTRICT, code="FAULTS")
    cookies = [hb.enrolled_learner(course, org, i) for i in range(learners)]
    print(json.dumps({"session": session.pk, "lesson": lesson.pk, "cookies": cookies}))


def count_here(session_id, lesson_id):
    """Inside Django: who has an attendance record, and each learner's stored coverage."""
    sys.path[:0] = [str(HERE), str(ROOT)]
    import django

    django.setup()
    from django.db.models import Count

    from lms.attendance.models import AttendanceRecord
    from lms.learning.models import LessonProgress

    records = AttendanceRecord.objects.filter(session_id=session_id)
    per_person = records.values("person__phone").annotate(n=Count("pk"))
    coverage = dict(LessonProgress.objects.filter(lesson_id=lesson_id).values_list("person__phone", "seconds_covered"))
    print(json.dumps({"checked_in": sorted(r["person__phone"] for r in per_person),
                      "max_per_person": max((r["n"] for r in per_person), default=0), "coverage": coverage}))


def _phone(index):
    return f"139{index:08d}"  # bench/heartbeat.enrolled_learner's numbering


def _last_exception_line(log_line):
    """The exception a JSON log line of the server ends with (e.g. OperationalError: ...)."""
    try:
        record = json.loads(log_line)
    except ValueError:
        return log_line.strip()[:200]
    return (record.get("exc_info") or record.get("message", "")).strip().splitlines()[-1][:200]


def fault(kind, database_url):
    base, name = database_url.rsplit("/", 1)
    if kind == "restart":
        out = subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"],
                             capture_output=True, text=True)
        return f"pg_ctlcluster restart: exit {out.returncode} {out.stderr.strip()}"
    sql = ("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
           f"WHERE datname = '{name}' AND pid <> pg_backend_pid()")
    out = subprocess.run(["psql", f"{base}/postgres", "-tAc", sql], capture_output=True, text=True)
    return f"pg_terminate_backend: {out.stdout.strip() or out.stderr.strip()} connections of {name}"


class Load:
    """Client threads: heartbeat (own learner) and check-in (next unscanned learner), alternating."""

    def __init__(self, port, data, clients, secret, started):
        self.port, self.session, self.lesson = port, data["session"], data["lesson"]
        self.cookies = data["cookies"]
        self.token = ck._token_maker(secret)
        self.started = started
        self.unscanned = queue.Queue()
        for index in range(clients, len(self.cookies)):
            self.unscanned.put(index)
        self.clients = clients
        self.lock = threading.Lock()
        self.events = []  # (t, kind, status, learner index, acknowledged coverage or None)

    def _request(self, connection, method, path, cookie, body=None):
        headers = {"Cookie": cookie}
        if body is not None:
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Location") or "", response.read()

    def client(self, index, stop_at):
        csrf = secrets.token_hex(16)
        cookie = f"sessionid={self.cookies[index]}; csrftoken={csrf}"
        playback = f"faults-{index}-{secrets.token_hex(4)}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        events, n = [], 0
        while time.perf_counter() < stop_at:
            # heartbeat
            second = n % 3600
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "playback": playback,
                                           "event": "start" if n == 0 else "beat", "position": second + 1,
                                           "intervals": json.dumps([[second, second + 1]])})
            path = f"/me/lessons/{self.lesson}/heartbeat/"
            try:
                status, _location, content = self._request(connection, "POST", path, cookie, body)
                seconds = json.loads(content)["seconds"] if status == 200 else None
            except (OSError, http.client.HTTPException, ValueError, KeyError):
                status, seconds = "connection error", None
                connection.close()
            events.append((time.perf_counter() - self.started, "heartbeat", status, index, seconds))
            n += 1
            # check-in
            try:
                learner = self.unscanned.get_nowait()
            except queue.Empty:
                continue
            path = f"/checkin/{self.session}/{self.token(self.session)}/"
            try:
                status, location, _content = self._request(connection, "GET", path,
                                                           f"sessionid={self.cookies[learner]}")
                acknowledged = status == 302 and f"/sessions/{self.session}/checked-in/" in location
            except (OSError, http.client.HTTPException):
                status, acknowledged = "connection error", False
                connection.close()
            events.append((time.perf_counter() - self.started, "check-in", status, learner, acknowledged))
        connection.close()
        with self.lock:
            self.events += events


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--fault", choices=["terminate", "restart"], default="terminate")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--learners", type=int, default=600)
    parser.add_argument("--seconds", type=float, default=24)
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--count", nargs=2, type=int, help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args()  # bench/run.py passes every benchmark the same arguments
    if args.setup:
        setup_here(args.learners)
        return 0
    if args.count:
        count_here(*args.count)
        return 0
    if not args.database_url.startswith("postgres"):
        print("bench/faults.py: PostgreSQL only (--database-url postgres://.../touyan_faults); skipped")
        return 0

    env = ck._env(args.database_url, "faults.sqlite3")
    hb._fresh_database(env, args.database_url)
    setup = subprocess.run([PY, __file__, "--setup", "--learners", str(args.learners)], cwd=ROOT, env=env,
                           check=True, capture_output=True, text=True)
    data = json.loads(setup.stdout.strip().splitlines()[-1])
    port = hb._free_port()
    server = subprocess.Popen(
        [hb.GUNICORN, "--chdir", str(ROOT), "--pythonpath", f"{HERE},{ROOT}", "-w", str(args.workers),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "60", "lms.wsgi:application"],
        env=env, start_new_session=True, stderr=subprocess.PIPE, text=True)
    stderr_lines = []
    threading.Thread(target=lambda: stderr_lines.extend(server.stderr), daemon=True).start()
    try:
        hb._wait_until_up(port)
        started = time.perf_counter()
        load = Load(port, data, args.clients, env["BENCH_SECRET_KEY"], started)
        stop_at = started + args.seconds
        threads = [threading.Thread(target=load.client, args=(i, stop_at)) for i in range(args.clients)]
        for thread in threads:
            thread.start()
        faults = []
        moments = [args.seconds / 3] + ([2 * args.seconds / 3] if args.fault == "terminate" else [])
        for moment in moments:
            time.sleep(max(0, started + moment - time.perf_counter()))
            at = time.perf_counter() - started
            faults.append((at, fault(args.fault, args.database_url)))
        for thread in threads:
            thread.join()
        alive = server.poll() is None
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    counted = subprocess.run([PY, __file__, "--count", str(data["session"]), str(data["lesson"])], cwd=ROOT,
                             env=env, check=True, capture_output=True, text=True)
    db = json.loads(counted.stdout.strip().splitlines()[-1])
    checked_in = set(db["checked_in"])
    events = sorted(load.events)
    beats = [e for e in events if e[1] == "heartbeat"]
    scans = [e for e in events if e[1] == "check-in"]
    acked_scans = [e for e in scans if e[4]]
    lost_scans = [_phone(e[3]) for e in acked_scans if _phone(e[3]) not in checked_in]
    last_ack = {}
    for e in beats:
        if e[2] == 200:
            last_ack[e[3]] = max(last_ack.get(e[3], 0), e[4])
    lost_beats = {_phone(i): (s, db["coverage"].get(_phone(i), 0)) for i, s in last_ack.items()
                  if db["coverage"].get(_phone(i), 0) < s}
    last_fault = faults[-1][0]
    failed = {}
    for e in events:
        if (e[1] == "heartbeat" and e[2] != 200) or (e[1] == "check-in" and not e[4]):
            key = f"{e[1]} {e[2]}"
            failed[key] = failed.get(key, 0) + 1
    after = [e for e in events if e[0] > last_fault + 3]
    acked_after = sum(1 for e in after if (e[1] == "heartbeat" and e[2] == 200) or (e[1] == "check-in" and e[4]))
    errors_after = sum(1 for e in after if not ((e[1] == "heartbeat" and e[2] == 200) or (e[1] == "check-in" and e[4])))
    summary = {
        "fault": args.fault, "faults": faults, "seconds": args.seconds, "workers": args.workers,
        "clients": args.clients, "heartbeats": len(beats), "heartbeats_acknowledged": sum(e[2] == 200 for e in beats),
        "checkins": len(scans), "checkins_acknowledged": len(acked_scans), "checked_in_db": len(checked_in),
        "max_records_per_person": db["max_per_person"], "lost_checkins": lost_scans, "lost_heartbeats": lost_beats,
        "failed": failed, "acknowledged_after_last_fault": acked_after, "errors_after_last_fault": errors_after,
        "server_alive": alive,
        "server_errors": sorted({_last_exception_line(line) for line in stderr_lines if "Error" in line}),
    }
    ok = (not lost_scans and not lost_beats and acked_after > 0 and alive and db["max_per_person"] <= 1)
    print(f"Database fault under load ({args.fault}), PostgreSQL, gunicorn {args.workers} sync workers, "
          f"{args.clients} client threads, {args.seconds:g} s, loopback")
    for at, what in faults:
        print(f"  t={at:5.1f} s  {what}")
    print(f"  heartbeats: {summary['heartbeats']} sent, {summary['heartbeats_acknowledged']} acknowledged (200), "
          f"learners whose stored coverage is below what was acknowledged: {len(lost_beats)}")
    print(f"  check-ins:  {summary['checkins']} sent, {summary['checkins_acknowledged']} acknowledged (302), "
          f"{len(checked_in)} records in the database, acknowledged but missing: {len(lost_scans)}")
    print(f"  not acknowledged (failed during the outage): {failed or 'none'}")
    print(f"  after the last fault (+3 s): {acked_after} acknowledged, {errors_after} failed; "
          f"server process alive, never restarted: {alive}")
    print("  RESULT: " + ("nothing acknowledged was lost, and the server recovered by itself" if ok else "FAILED"))
    print(json.dumps(summary, ensure_ascii=False))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
