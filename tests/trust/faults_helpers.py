"""Django-side steps of tests/trust/test_worker_faults.py, run as a script in a subprocess against the
test's own throw-away database (a SQLite file, or a PostgreSQL database) and media directory,
exactly as the task cluster under test sees them:

    python tests/trust/faults_helpers.py setup LEARNERS   # data, then queue a batch and an export
    python tests/trust/faults_helpers.py status BATCH JOB # where they stand, and what is stored
    python tests/trust/faults_helpers.py retry BATCH      # the office's "retry" of a stale batch

Each prints one JSON line. Not a test module (no test_ prefix): the test imports nothing from it."""

import datetime
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def setup(learners):
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django_q.brokers import get_broker
    from wagtail.rich_text import RichText

    from courses.models import CoursePage, HomePage, ProgramPage, ReadingLessonPage
    from lms.certificates import issuing
    from lms.certificates.models import CertificateTemplate
    from lms.learning import progress
    from lms.learning.models import Enrollment, EnrollmentSource
    from lms.people import roles
    from lms.people.models import Organization, OrgType, Person
    from lms.records.models import ExportJob
    from lms.records.tasks import queue_export

    def person(name, phone, org, group=None):
        user = Person.create_account(phone, "faults-pass-1234")
        if group:
            user.groups.add(Group.objects.get(name=group))
        return Person.objects.create(user=user, name=name, phone=phone, organization=org)

    district = Organization.add_root(name="故障区", org_type=OrgType.DISTRICT, code="FAULTS")
    office = person("培训科干事", "13700000001", district, roles.TRAINING_OFFICE)
    hr = person("干部科干事", "13700000002", district, roles.HR)
    program = HomePage.objects.get().add_child(instance=ProgramPage(
        title="头雁讲坛", slug="faults-forum", kind="forum", cadence="quarterly"))
    course = CoursePage(title="故障演练课程", slug="faults-course", year=2026, credit_hours="6",
                        starts_on=datetime.date(2026, 3, 20), ends_on=datetime.date(2026, 3, 20))
    program.add_child(instance=course)
    course.save_revision().publish()
    lesson = ReadingLessonPage(title="第一课", slug="faults-lesson", estimated_minutes=20,
                               body=[("paragraph", RichText("<p>学习内容</p>"))])
    course.add_child(instance=lesson)
    lesson.save_revision().publish()
    course = CoursePage.objects.get(pk=course.pk)
    for i in range(learners):
        learner = person(f"学员{i:02d}", f"139{i:08d}", district, roles.LEARNER)
        Enrollment.enrol(learner, course, EnrollmentSource.BULK)
        progress.record(learner, lesson, completed=True)
    # Completing queued automatic issue_for tasks (no template yet, so they would do nothing):
    # drop them, so the batch alone issues the certificates.
    get_broker().purge_queue()
    CertificateTemplate.objects.create(name="结业证书", signatory_name="李明", signatory_title="部长",
                                       is_district_default=True)
    batch = issuing.start_batch(course, office.user)  # queued on commit (its own atomic block)
    with transaction.atomic():
        job = ExportJob.objects.create(requested_by=hr.user, year=2026, file_format="xlsx")
        queue_export(job)
    return {"batch": batch.pk, "job": job.pk, "course": course.pk, "total": batch.total,
            "completed": Enrollment.objects.filter(course=course, completed_at__isnull=False).count()}


def status(batch_pk, job_pk):
    from django.conf import settings
    from django.db.models import Count, Q
    from openpyxl import load_workbook

    from lms.certificates.models import Certificate, IssueBatch
    from lms.learning.models import Enrollment
    from lms.records.models import ExportJob

    batch = IssueBatch.objects.get(pk=batch_pk)
    job = ExportJob.objects.get(pk=job_pk)
    certificates = Certificate.objects.filter(course=batch.course)
    completed = Enrollment.objects.filter(course=batch.course, completed_at__isnull=False).values("person_id")
    per_person = completed.annotate(valid=Count("person__certificates", filter=Q(
        person__certificates__course=batch.course, person__certificates__status="valid")))
    stored = sorted(str(p.relative_to(settings.MEDIA_ROOT)) for p in Path(settings.MEDIA_ROOT).rglob("*.pdf"))
    referenced = set(certificates.values_list("pdf", flat=True))
    pdfs_ok = all(Path(settings.MEDIA_ROOT, name).read_bytes()[:5] == b"%PDF-" for name in referenced)
    sheets = None
    if job.file:
        with job.file.open("rb") as data:
            workbook = load_workbook(data, read_only=True)
            sheets = {sheet.title: sum(1 for _row in sheet.iter_rows(values_only=True))
                      for sheet in workbook.worksheets}
    return {
        "batch": {"status": batch.status, "done": batch.done, "total": batch.total, "failed": batch.failed,
                  "attempts": batch.attempts, "error": batch.error},
        "job": {"status": job.status, "attempts": job.attempts, "rows": job.rows_written, "error": job.error,
                "file": job.file.name or None, "sheets": sheets},
        "certificates": certificates.count(),
        "valid_per_person": sorted({row["valid"] for row in per_person}),
        "people": per_person.count(),
        "pdfs_readable": pdfs_ok,
        "orphan_pdfs": [name for name in stored if name not in referenced],
        "exports_stored": sorted(str(p.relative_to(settings.MEDIA_ROOT))
                                 for p in Path(settings.MEDIA_ROOT).rglob("*.xlsx")),
    }


def retry(batch_pk):
    from lms.certificates import issuing
    from lms.certificates.models import IssueBatch

    batch = IssueBatch.objects.get(pk=batch_pk)
    return {"retryable": batch.can_retry, "status": issuing.retry_batch(batch).status}


def retry_export(job_pk):
    from lms.records.models import ExportJob
    from lms.records.tasks import retry_export

    job = ExportJob.objects.get(pk=job_pk)
    return {"retryable": retry_export(job), "status": job.status}


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")
    import django

    django.setup()
    command, *args = sys.argv[1:]
    result = {"setup": setup, "status": status, "retry": retry, "retry_export": retry_export}[command](*map(int, args))
    print(json.dumps(result, ensure_ascii=False))
