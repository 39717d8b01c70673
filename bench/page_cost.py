#!/usr/bin/env python
"""Does page cost grow with data size?

Median server time (in-process Django handler: middleware, views, queries, templates) of a Head
Goose Forum course page and of 我的学习 for demo-secretary, measured first on the demo district and
then after adding N persons of scale data (default 100,000). The floor is the same page on the demo
data in the same run; the goal is a ratio ≤ 1.2. Also counts SQL queries per page before and after
adding lessons, learners and enrolments: they must not change.

    .venv/bin/python bench/page_cost.py [--people 100000] [--requests 60]

Runs on a throw-away SQLite file under bench/results/ (or on PostgreSQL with --database-url, whose
database is dropped and recreated)."""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def manage(env, *args):
    started = time.perf_counter()
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure(env, requests, extra=()):
    out = subprocess.run([PY, __file__, "--measure", "--requests", str(requests), *extra], cwd=ROOT, env=env,
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()


def measure_here(requests, grow):
    """Runs inside a Django process: time the pages and count their queries."""
    _setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from courses.models import CoursePage, ProgramKind, ProgramPage

    from lms.people.models import Person

    secretary = Person.objects.select_related("user").get(user__username="demo-secretary")
    forum = ProgramPage.objects.get(kind=ProgramKind.HEAD_GOOSE_FORUM)
    course = CoursePage.objects.child_of(forum).live().filter(enrollments__person=secretary).order_by("path").first()
    client = Client()
    client.force_login(secretary.user)
    pages = {"course_page": course.url, "my_learning": "/me/"}

    if grow:
        _grow(course, secretary)

    result = {}
    for name, url in pages.items():
        for _ in range(5):
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        query_count = len(captured)  # read now: the next request resets connection.queries
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        result[name] = {"median_ms": statistics.median(samples), "queries": query_count}
    print(json.dumps(result))


def _grow(course, secretary):
    """More lessons in the course, more learners in it, more courses for the secretary."""
    from courses.models import CoursePage, ReadingLessonPage
    from lms.learning.models import Enrollment, EnrollmentSource
    from lms.people.models import Person

    for i in range(10):
        lesson = ReadingLessonPage(title=f"加测课时 {i}", slug=f"bench-lesson-{i}", body=[("paragraph", "<p>加测</p>")])
        course.add_child(instance=lesson)
        lesson.save_revision().publish()
    learners = Person.objects.exclude(enrollments__course=course)[:2000]
    Enrollment.objects.bulk_create(
        [Enrollment(person=p, course=course, source=EnrollmentSource.BULK) for p in learners], batch_size=500
    )
    for other in CoursePage.objects.live().exclude(enrollments__person=secretary)[:10]:
        Enrollment.enrol(secretary, other, EnrollmentSource.BULK)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--grow", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure_here(args.requests, args.grow)

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lms.settings.test", "ALLOWED_HOSTS": "testserver"}
    env.pop("REDIS_URL", None)
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
        name = args.database_url.rsplit("/", 1)[1]
        base = args.database_url.rsplit("/", 1)[0]
        subprocess.run(["psql", f"{base}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", f"{base}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
        backend = "PostgreSQL"
    else:
        env.pop("DATABASE_URL", None)
        db = results / "page_cost.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        env["SQLITE_PATH"] = str(db)
        backend = "SQLite"

    print(f"backend: {backend}; requests per page: {args.requests}", flush=True)
    print(f"migrate: {manage(env, 'migrate', '--no-input', '-v', '0'):.1f} s", flush=True)
    print(f"load_demo_data: {manage(env, 'load_demo_data'):.1f} s", flush=True)
    demo = measure(env, args.requests)
    print(f"generate_scale_data --people {args.people}: "
          f"{manage(env, 'generate_scale_data', '--people', str(args.people)):.1f} s", flush=True)
    scale = measure(env, args.requests)
    grown = measure(env, 5, ["--grow"])

    print(f"\n{'page':<14}{'demo ms':>10}{'scale ms':>10}{'ratio':>8}{'goal':>8}   queries demo/scale/grown")
    for page in ("course_page", "my_learning"):
        ratio = scale[page]["median_ms"] / demo[page]["median_ms"]
        print(f"{page:<14}{demo[page]['median_ms']:>10.2f}{scale[page]['median_ms']:>10.2f}{ratio:>8.2f}{'≤1.20':>8}"
              f"   {demo[page]['queries']}/{scale[page]['queries']}/{grown[page]['queries']}"
              f"{'  constant' if demo[page]['queries'] == scale[page]['queries'] == grown[page]['queries'] else '  CHANGED'}")
    print("(grown: +10 lessons in the course, +2000 learners in it, +10 courses for the secretary)")


if __name__ == "__main__":
    main()
