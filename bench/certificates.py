#!/usr/bin/env python
"""Bulk issue of certificates through the real batch path (issue 6).

Makes N persons with a completed enrolment, spread over B courses of one program, and a realistic
certificate template: A4 landscape, Noto Serif CJK, a patterned background and a red round seal
with Chinese text, both drawn with Pillow at setup (lms.demo.certificates; no downloads) and stored
as Wagtail images. Then, each step in its own process:

- floor: WeasyPrint alone rendering the HTML of one of these certificates (same text, fonts,
  background, seal and QR code; the same PDF/A-3b output, font configuration and image cache as
  the pipeline, i.e. `rendering.write_pdf(html)`), R times after one warm-up render, in a fresh
  process before and again after the batches (the ratio uses the mean of the two);
- for each worker count W (default 1 and 2): every certificate deleted, then one
  `issuing.start_batch(course, training_office_user)` per course (the admin's "issue all"), and a
  real `manage.py qcluster` with W workers started; the time from the first batch starting to the
  last one finishing (the batches' own timestamps) gives certificates/s. A batch runs in chunks
  of 25 certificates, each its own task (lms.certificates.issuing.run_batch), so W workers share
  the chunks of all batches.
- per-certificate time of the 1-worker run / the floor: goal ≤ 1.5; PDF size per certificate:
  goal ≤ 300 KB (with the seal and the background), and what it is made of (fonts, images).

    .venv/bin/python bench/certificates.py --certificates 1000                      # SQLite (throw-away file)
    .venv/bin/python bench/certificates.py --certificates 1000 \\
        --database-url postgres://postgres@127.0.0.1:5432/touyan_bench_certificates  # PostgreSQL (db recreated)
    # options: --batches 4 --workers 1,2 --floor-renders 20; --profile N: also issue N certificates
    # in-process with run_batch under cProfile and print where the time goes

SQLite: a throw-away file bench/results/certificates.sqlite3 and media under
bench/results/certificates-media/ (both removed first). The task queue is django-q2's ORM broker
on the same database, as with the default settings."""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
MEDIA = RESULTS / "certificates-media"
PY = sys.executable
PROGRAM_SLUG = "bench-certificates"


def _env(database_url):
    env = dict(os.environ)
    env.update(DJANGO_SETTINGS_MODULE="lms.settings.test", PYTHONPATH=f"{HERE}{os.pathsep}{ROOT}",
               MEDIA_ROOT=str(MEDIA), ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
               BASE_URL="https://touyan.example.cn")
    env.pop("REDIS_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(RESULTS / "certificates.sqlite3")
    return env


def _fresh(env, database_url):
    RESULTS.mkdir(exist_ok=True)
    shutil.rmtree(MEDIA, ignore_errors=True)
    if database_url:
        base, name = database_url.rsplit("/", 1)
        subprocess.run(["psql", f"{base}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", f"{base}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(env["SQLITE_PATH"] + suffix).unlink(missing_ok=True)
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PY, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def _step(env, *args):
    """Run one step of this file inside Django in its own process; returns its JSON line."""
    out = subprocess.run([PY, __file__, "--step", *args], cwd=ROOT, env=env, check=True,
                         stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _django():
    sys.path[:0] = [str(HERE), str(ROOT)]
    import django

    django.setup()


# --- steps (inside Django) --------------------------------------------------------------------------


def setup_here(certificates, batches):
    """The district, the training office, N persons with completed enrolments over B courses and
    the template."""
    import datetime
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from courses.models import CoursePage, HomePage, ProgramPage
    from lms.demo.certificates import background_jpeg, ensure_image, seal_png
    from lms.certificates.models import CertificateTemplate
    from lms.learning.models import Enrollment, EnrollmentSource
    from lms.people import roles
    from lms.people.models import Organization, OrgType, Person

    roles.ensure_roles()
    district = Organization.add_root(name="压测区", org_type=OrgType.DISTRICT, code="BENCH")
    street = district.add_child(name="压测街道", org_type=OrgType.STREET, code="BENCH-S")
    user = Person.create_account("13800000000", "bench-pass-1234")
    user.username = "bench-office"
    user.save(update_fields=["username"])
    user.groups.add(Group.objects.get(name=roles.TRAINING_OFFICE))
    Person.objects.create(user=user, name="赵科长", phone="13800000000", organization=district)
    surnames, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅"
    User = get_user_model()
    User.objects.bulk_create([User(username=f"139{i:08d}", password="!") for i in range(certificates)],
                             batch_size=1000)
    users = dict(User.objects.filter(username__startswith="139").values_list("username", "pk"))
    Person.objects.bulk_create([
        Person(user_id=users[f"139{i:08d}"], phone=f"139{i:08d}", organization=street,
               name=surnames[i % len(surnames)] + given[(i // len(surnames)) % len(given)]
               + given[(i * 7) % len(given)])
        for i in range(certificates)], batch_size=1000)
    persons = list(Person.objects.filter(organization=street).order_by("pk").values_list("pk", flat=True))

    home = HomePage.objects.get()
    program = home.add_child(instance=ProgramPage(title="社区(村)书记班", slug=PROGRAM_SLUG,
                                                  kind="secretary_class", cadence="per_cohort"))
    year = timezone.localdate().year
    completed = timezone.now() - datetime.timedelta(days=1)
    courses = []
    for number in range(batches):
        course = program.add_child(instance=CoursePage(
            title=f"{year}年社区(村)书记班（第{number + 1}期）", slug=f"cohort-{number + 1}", year=year,
            starts_on=datetime.date(year, 4, 13), ends_on=datetime.date(year, 6, 26), credit_hours=Decimal("24")))
        courses.append(course.pk)
        Enrollment.objects.bulk_create([
            Enrollment(person_id=pk, course=course, source=EnrollmentSource.BULK, completed_at=completed)
            for pk in persons[number::batches]], batch_size=1000)
    template = CertificateTemplate.objects.create(
        name="书记班结业证书（压测）", background=ensure_image("证书底纹（压测）", background_jpeg(), "background.jpg"),
        seal=ensure_image("组织部公章（压测）", seal_png(), "seal.png"),
        signatory_name="王建国", signatory_title="区委常委、组织部部长", serial_prefix="QX")
    template.programs.add(program)
    print(json.dumps({"courses": courses, "persons": len(persons)}))


def _unsaved_certificate():
    """The first person's certificate as issuing builds it, without saving it or allocating a serial."""
    from django.utils import timezone

    from courses.models import CoursePage
    from lms.certificates import issuing
    from lms.certificates.models import Certificate, CertificateTemplate, new_verification_code
    from lms.people.models import Person

    course = CoursePage.objects.filter(slug="cohort-1").get()
    person = Person.objects.filter(enrollments__course=course).order_by("pk").first()
    template = CertificateTemplate.for_course(course)
    now = timezone.now()
    return Certificate(
        person=person, course=course, template=template, version=1, serial=f"QX-{now.year}-000001",
        code=new_verification_code(), title=template.title, holder_name=person.name, course_title=course.title,
        starts_on=course.starts_on, ends_on=course.ends_on, completed_at=now,
        credit_hours=issuing.credit_hours(person, course), issuing_organization=template.issuing_organization,
        issued_on=timezone.localdate(now), issued_at=now)


def floor_here(renders):
    """WeasyPrint alone on one certificate's HTML, after one warm-up render."""
    from django.utils import translation

    from lms.certificates import rendering

    certificate = _unsaved_certificate()
    with translation.override("zh-hans"):
        started = time.perf_counter()
        html = rendering.render_html(certificate)
        first_html = time.perf_counter() - started
        started = time.perf_counter()
        pdf = rendering.write_pdf(html)
        first_pdf = time.perf_counter() - started
        samples = []
        for _ in range(renders):
            started = time.perf_counter()
            pdf = rendering.write_pdf(html)
            samples.append(time.perf_counter() - started)
        html_samples = []
        for _ in range(renders):
            started = time.perf_counter()
            rendering.render_html(certificate)
            html_samples.append(time.perf_counter() - started)
    (RESULTS / "certificates-floor.pdf").write_bytes(pdf)
    samples.sort()
    print(json.dumps({"mean": sum(samples) / len(samples), "median": samples[len(samples) // 2],
                      "first_pdf": first_pdf, "first_html": first_html,
                      "html_mean": sum(html_samples) / len(html_samples), "bytes": len(pdf)}))


def _reset():
    from django.core.files.storage import default_storage

    from lms.certificates.models import Certificate, IssueBatch

    IssueBatch.objects.all().delete()
    Certificate.objects.all().delete()
    shutil.rmtree(Path(default_storage.location) / "certificates", ignore_errors=True)


def _start_batches():
    from django.contrib.auth import get_user_model

    from courses.models import CoursePage, ProgramPage
    from lms.certificates import issuing

    user = get_user_model().objects.get(username="bench-office")
    program = ProgramPage.objects.get(slug=PROGRAM_SLUG)
    return [issuing.start_batch(course, user).pk for course in CoursePage.objects.child_of(program).order_by("path")]


def cluster_here(workers):
    """Delete every certificate, queue one batch per course, run a real qcluster with `workers`
    workers until every batch is finished."""
    from django.db import close_old_connections
    from django.db.models import Max, Min
    from django_q.brokers import get_broker

    from lms.certificates.models import BatchStatus, Certificate, IssueBatch

    _reset()
    get_broker().purge_queue()
    batches = _start_batches()
    env = {**os.environ, "Q_WORKERS": str(workers)}
    cluster = subprocess.Popen([PY, "manage.py", "qcluster"], cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.perf_counter()
    try:
        while True:
            time.sleep(1)
            close_old_connections()
            if IssueBatch.objects.filter(pk__in=batches).exclude(
                    status__in=[BatchStatus.DONE, BatchStatus.FAILED]).count() == 0:
                break
            if cluster.poll() is not None:
                raise SystemExit("qcluster exited early")
            if time.perf_counter() - started > 3600:
                raise SystemExit("batches did not finish within an hour")
    finally:
        os.killpg(cluster.pid, signal.SIGTERM)
        try:
            cluster.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(cluster.pid, signal.SIGKILL)
            cluster.wait()
    span = IssueBatch.objects.filter(pk__in=batches).aggregate(first=Min("started_at"), last=Max("finished_at"))
    statuses = sorted(set(IssueBatch.objects.filter(pk__in=batches).values_list("status", flat=True)))
    errors = sorted(set(IssueBatch.objects.filter(pk__in=batches).exclude(error="").values_list("error", flat=True)))
    sizes = [c.pdf.size for c in Certificate.objects.all()]
    per_course = Certificate.objects.valid().values_list("person_id", "course_id")
    print(json.dumps({
        "seconds": (span["last"] - span["first"]).total_seconds(), "certificates": len(sizes),
        "distinct": len(set(per_course)), "statuses": statuses, "errors": errors,
        "size_mean": sum(sizes) / max(1, len(sizes)), "size_max": max(sizes, default=0),
        "sample": Certificate.objects.order_by("pk").values_list("pdf", flat=True).first()}))


def profile_here(count):
    """Issue `count` certificates in-process with run_batch under cProfile."""
    import cProfile
    import io
    import pstats

    from django.contrib.auth import get_user_model
    from django.db import transaction

    from courses.models import CoursePage
    from lms.certificates import issuing
    from lms.certificates.models import IssueBatch
    from lms.learning.models import Enrollment

    _reset()
    course = CoursePage.objects.filter(slug="cohort-1").get()
    keep = list(Enrollment.objects.filter(course=course).order_by("person_id").values_list("pk", flat=True)[:count])
    Enrollment.objects.filter(course=course).exclude(pk__in=keep).update(completed_at=None)
    user = get_user_model().objects.get(username="bench-office")
    with transaction.atomic():
        batch = IssueBatch.objects.create(course=course, requested_by=user, total=count)
    issuing.issue(Enrollment.objects.get(pk=keep[0]).person, course, by=user)  # warm-up: fonts, renditions
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    issuing.run_batch(batch.pk)
    profiler.disable()
    seconds = time.perf_counter() - started
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)
    sys.stderr.write(out.getvalue())
    # WeasyPrint's own share inside the same run (rendering.write_pdf is WeasyPrint alone).
    weasyprint = sum(entry[3] for (filename, _line, function), entry in stats.stats.items()
                     if function == "write_pdf" and filename == "rendering.py")
    print(json.dumps({"seconds": seconds, "certificates": count - 1, "weasyprint": weasyprint}))


# --- driver -----------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--certificates", type=int, default=200)
    parser.add_argument("--batches", type=int, default=4, help="courses, one batch each")
    parser.add_argument("--workers", default="1,2", help="qcluster worker counts to run, e.g. 1,2")
    parser.add_argument("--floor-renders", type=int, default=20)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args()  # bench/run.py passes every bench the same arguments
    if args.step:
        _django()
        name, *params = args.step
        steps = {"setup": setup_here, "floor": floor_here, "cluster": cluster_here, "profile": profile_here}
        return steps[name](*map(int, params))

    env = _env(args.database_url)
    backend = "PostgreSQL" if args.database_url else "SQLite"
    workers = [int(w) for w in args.workers.split(",") if w.strip()]
    print(f"backend: {backend}; certificates: {args.certificates} in {args.batches} batches; "
          f"qcluster workers: {workers}; floor renders: {args.floor_renders}", flush=True)
    started = time.perf_counter()
    _fresh(env, args.database_url)
    setup = _step(env, "setup", str(args.certificates), str(args.batches))
    print(f"setup: {time.perf_counter() - started:.1f} s ({setup['persons']} persons with a completed enrolment)",
          flush=True)

    def measure_floor(when):
        floor = _step(env, "floor", str(args.floor_renders))
        print(f"floor {when} (WeasyPrint alone, same certificate HTML): mean {floor['mean'] * 1000:.0f} ms, "
              f"median {floor['median'] * 1000:.0f} ms (first render {floor['first_pdf'] * 1000:.0f} ms); "
              f"HTML (template, QR, images' renditions) {floor['html_mean'] * 1000:.1f} ms; "
              f"PDF {floor['bytes'] / 1024:.0f} KB", flush=True)
        return floor

    floors = [measure_floor("before")]

    runs = {}
    for count in workers:
        run = _step(env, "cluster", str(count))
        runs[count] = run
        ok = run["certificates"] == run["distinct"] == args.certificates and run["statuses"] == ["done"]
        print(f"qcluster {count} worker(s): {run['certificates']} certificates in {run['seconds']:.1f} s = "
              f"{run['certificates'] / run['seconds']:.2f} certificates/s, "
              f"{run['seconds'] / max(1, run['certificates']) * 1000:.0f} ms each; "
              f"batches {run['statuses']}{' ' + str(run['errors']) if run['errors'] else ''}"
              f"{'' if ok else '  CHECK: not exactly one valid certificate per person'}", flush=True)

    floors.append(measure_floor("after"))
    # The machine's load can change during a long run: divide by the mean of the floors around it.
    floor = {"mean": sum(f["mean"] for f in floors) / len(floors), "bytes": floors[0]["bytes"]}

    print("\nmeasure                                   value      floor    ratio   goal")
    if 1 in runs:
        per = runs[1]["seconds"] / max(1, runs[1]["certificates"])
        print(f"{'time per certificate, 1 worker':<40}{per * 1000:>7.0f} ms{floor['mean'] * 1000:>7.0f} ms"
              f"{per / floor['mean']:>8.2f}   ≤ 1.5")
    base = runs.get(min(runs)) if runs else None
    for count, run in sorted(runs.items()):
        rate = run["certificates"] / run["seconds"]
        print(f"{'certificates/s, ' + str(count) + ' worker(s)':<40}{rate:>10.2f}"
              f"{'':>10}{rate / (base['certificates'] / base['seconds']):>8.2f}   (vs {min(runs)} worker)")
    last = runs[max(runs)] if runs else None
    if last:
        print(f"{'PDF size per certificate (mean / max)':<40}{last['size_mean'] / 1024:>7.0f} KB"
              f"{floor['bytes'] / 1024:>7.0f} KB{'':>8}   ≤ 300 KB (max {last['size_max'] / 1024:.0f} KB)")
        _composition(MEDIA / last["sample"])

    if args.profile:
        profile = _step(env, "profile", str(args.profile + 1))
        print(f"\nin-process run_batch under cProfile: {profile['certificates']} certificates in "
              f"{profile['seconds']:.1f} s, of which WeasyPrint (rendering.write_pdf) {profile['weasyprint']:.1f} s: "
              f"ratio {profile['seconds'] / profile['weasyprint']:.2f} (same process, same moment; profile on stderr)")


def _composition(path):
    """What a certificate's PDF is made of: embedded fonts and images (compressed stream bytes)."""
    try:
        import pypdf
    except ImportError:  # pragma: no cover
        return
    import logging

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = pypdf.PdfReader(str(path))
    parts = {"fonts": 0, "images": 0, "other": 0}
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(number)
        except Exception:  # noqa: BLE001 - past the last object
            continue
        if not isinstance(obj, pypdf.generic.StreamObject):
            continue
        size = len(obj._data)
        if obj.get("/Subtype") in ("/OpenType", "/CIDFontType0C", "/Type1C") or "/Length1" in obj:
            parts["fonts"] += size
        elif obj.get("/Subtype") == "/Image":
            parts["images"] += size
        else:
            parts["other"] += size
    print(f"  one PDF ({path.name}, {path.stat().st_size / 1024:.0f} KB): embedded fonts "
          f"{parts['fonts'] / 1024:.0f} KB, images (background, seal and its mask) {parts['images'] / 1024:.0f} KB, "
          f"other streams {parts['other'] / 1024:.0f} KB")


if __name__ == "__main__":
    main()
