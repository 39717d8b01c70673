"""Issuing, re-issuing and revoking: the snapshot is frozen, versions supersede, the task and the
bulk batch are idempotent (delivered twice, or retried after a worker failed mid-batch: exactly one
current certificate per person and course), and completion issues automatically through the queue."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from lms.certificates import issuing, tasks
from lms.certificates.models import BatchStatus, Certificate, IssueBatch, SerialCounter, Status

pytestmark = pytest.mark.django_db


def current(person, course):
    return list(Certificate.objects.filter(person=person, course=course, status=Status.VALID))


def test_it_keeps_the_issued_certificate_when_the_name_changes_and_reissue_supersedes(
        secretary, course, cert_template, complete, training_office):
    complete(secretary)
    first, _ = issuing.issue(secretary, course, by=training_office.user)
    pdf_before = first.pdf.read()
    secretary.name = "张晓明"
    secretary.save()
    course.title = "改名后的课程"
    course.save()

    first.refresh_from_db()
    assert first.holder_name == "张书记"
    assert first.course_title == "2026年第一季度头雁讲坛"
    assert first.pdf.open("rb").read() == pdf_before

    second = first.reissue(by=training_office.user)
    first.refresh_from_db()
    assert (first.status, second.status) == (Status.SUPERSEDED, Status.VALID)
    assert second.version == 2 and second.supersedes == first
    assert second.holder_name == "张晓明"
    assert second.serial != first.serial and second.code != first.code
    assert current(secretary, course) == [second]
    with pytest.raises(ValidationError):
        first.reissue(by=training_office.user)
    assert first.history.count() == 2  # issued, superseded: attributable changes


def test_it_allows_one_valid_certificate_per_person_and_course(secretary, course, make_certificate):
    make_certificate(secretary)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_certificate(secretary, version=2)


def test_it_allocates_increasing_serials_per_prefix_and_year(db):
    assert SerialCounter.allocate("QX", 2026) == "QX-2026-000001"
    assert SerialCounter.allocate("QX", 2026) == "QX-2026-000002"
    assert SerialCounter.allocate("QX", 2027) == "QX-2027-000001"
    assert SerialCounter.allocate("PX", 2026) == "PX-2026-000001"


def test_it_issues_once_when_the_task_is_delivered_twice(secretary, course, cert_template, complete):
    complete(secretary)
    serial = tasks.issue_for(secretary.pk, course.pk)
    assert tasks.issue_for(secretary.pk, course.pk) == serial
    assert Certificate.objects.count() == 1


def test_it_issues_nothing_for_a_course_not_completed(secretary, course, cert_template):
    assert tasks.issue_for(secretary.pk, course.pk) is None
    assert not Certificate.objects.exists()


def test_it_revokes_with_a_reason_and_bulk_issue_does_not_undo_it(
        secretary, course, make_certificate, complete, training_office):
    complete(secretary)
    certificate = make_certificate(secretary)
    with pytest.raises(ValidationError):
        certificate.revoke("  ", by=training_office.user)
    certificate.revoke("学员信息有误", by=training_office.user)
    assert certificate.status == Status.REVOKED
    assert certificate.revoked_by == training_office.user and certificate.revoked_at
    assert certificate.history.first().history_user == training_office.user
    with pytest.raises(ValidationError):
        certificate.revoke("again", by=training_office.user)
    assert not issuing.pending_persons(course, training_office.user).exists()
    assert issuing.issue(secretary, course) == (certificate, False)


def test_it_issues_automatically_when_a_course_is_completed(
        secretary, course, cert_template, complete, task_worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        complete(secretary)
    assert "lms.certificates.tasks.issue_for" in task_worker()
    certificate = Certificate.objects.get(person=secretary, course=course)
    assert certificate.status == Status.VALID
    assert certificate.completed_at is not None
    assert certificate.credit_hours > 0


@pytest.fixture
def completed_three(org_tree, make_person, secretary, complete):
    """Three learners who completed the course: two in street A, one in street B."""
    from lms.people import roles

    second = make_person("王小红", org_tree["community_a"], groups=[roles.LEARNER])
    third = make_person("刘大伟", org_tree["community_b"], groups=[roles.LEARNER])
    for person in (secretary, second, third):
        complete(person)
    return [secretary, second, third]


def test_it_bulk_issues_within_the_requesters_scope(
        course, cert_template, completed_three, street_b_office, task_worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = issuing.start_batch(course, street_b_office.user)
    assert batch.total == 1
    task_worker()
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.failed) == (BatchStatus.DONE, 1, 0)
    assert list(Certificate.objects.values_list("person__name", flat=True)) == ["刘大伟"]


def test_it_retries_a_batch_that_failed_mid_way_without_duplicates(
        course, cert_template, completed_three, training_office, task_worker, django_capture_on_commit_callbacks,
        monkeypatch):
    real_issue = issuing.issue
    calls = []

    def dying_after_two(*args, **kwargs):
        # The worker's third certificate fails (as if the worker died): the first two are committed.
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("worker lost")
        return real_issue(*args, **kwargs)

    monkeypatch.setattr(issuing, "issue", dying_after_two)
    with django_capture_on_commit_callbacks(execute=True):
        batch = issuing.start_batch(course, training_office.user)
    task_worker()
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.failed) == (BatchStatus.FAILED, 2, 1)
    assert "RuntimeError" in batch.error
    monkeypatch.setattr(issuing, "issue", real_issue)

    # The same task delivered again (at-least-once) while the batch is failed changes nothing twice.
    issuing.run_batch(batch.pk)
    with django_capture_on_commit_callbacks(execute=True):
        issuing.retry_batch(batch)
    task_worker()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    assert batch.done == 3
    for person in completed_three:
        assert len(current(person, course)) == 1
    assert Certificate.objects.count() == 3
    # Run once more: nothing left to issue.
    assert issuing.run_batch(batch.pk) == "skipped"
    assert Certificate.objects.count() == 3


def test_it_shows_a_missing_image_on_the_batch_and_issues_after_the_fix(
        course, cert_template, completed_three, training_office, task_worker, django_capture_on_commit_callbacks,
        seal_image):
    from django.core.files.storage import default_storage

    content = default_storage.open(seal_image.file.name).read()
    default_storage.delete(seal_image.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        batch = issuing.start_batch(course, training_office.user)
    task_worker()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED and batch.failed == 3 and batch.done == 0
    assert "组织部公章" in batch.error
    assert not Certificate.objects.exists()

    from django.core.files.base import ContentFile

    default_storage.save(seal_image.file.name, ContentFile(content))
    with django_capture_on_commit_callbacks(execute=True):
        issuing.retry_batch(batch)
    task_worker()
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.failed) == (BatchStatus.DONE, 3, 0)
    assert IssueBatch.objects.count() == 1


def test_it_retries_a_batch_whose_worker_died(client_for, course, cert_template, completed_three, training_office,
                                              task_worker, django_capture_on_commit_callbacks):
    import datetime

    from django.urls import reverse
    from django.utils import timezone

    # What a killed worker leaves behind: the batch "running" since long ago, one certificate issued.
    batch = IssueBatch.objects.create(course=course, requested_by=training_office.user, status=BatchStatus.RUNNING,
                                      total=3, done=1, started_at=timezone.now() - datetime.timedelta(hours=1))
    issuing.issue(completed_three[0], course, by=training_office.user)
    client = client_for(training_office)
    assert "长时间没有进展" in client.get(reverse("certificates_batch", args=[batch.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("certificates_batch_retry", args=[batch.pk]))
    task_worker()
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total) == (BatchStatus.DONE, 3, 3)
    for person in completed_three:
        assert len(current(person, course)) == 1


def test_a_large_batch_runs_in_chunks_each_its_own_task(course, cert_template, completed_three, training_office,
                                                        task_worker, django_capture_on_commit_callbacks, settings,
                                                        seal_image):
    """Two persons a task: the first chunk issues two and queues the second, which issues the third
    and finishes. A chunk delivered again after the end changes nothing."""
    settings.CERTIFICATE_BATCH_CHUNK = 2
    with django_capture_on_commit_callbacks(execute=True):
        batch = issuing.start_batch(course, training_office.user)
    assert task_worker() == ["lms.certificates.tasks.run_batch"] * 2
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total, batch.attempts) == (BatchStatus.DONE, 3, 3, 1)
    assert issuing.run_batch(batch.pk, completed_three[1].pk) == "skipped"  # a late redelivery
    for person in completed_three:
        assert len(current(person, course)) == 1


def test_a_failure_in_an_early_chunk_fails_the_batch_when_the_last_chunk_ends(
        course, cert_template, completed_three, training_office, task_worker, django_capture_on_commit_callbacks,
        settings, monkeypatch):
    settings.CERTIFICATE_BATCH_CHUNK = 2
    real_issue = issuing.issue

    def issue_failing_for_the_first(person, *args, **kwargs):
        if person.pk == completed_three[0].pk:
            raise ValidationError("姓名缺失")
        return real_issue(person, *args, **kwargs)

    monkeypatch.setattr(issuing, "issue", issue_failing_for_the_first)
    with django_capture_on_commit_callbacks(execute=True):
        batch = issuing.start_batch(course, training_office.user)
    task_worker()
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.failed) == (BatchStatus.FAILED, 2, 1)
    assert "姓名缺失" in batch.error and completed_three[0].name in batch.error


def test_it_retries_a_queued_batch_whose_task_was_lost_but_not_one_still_on_its_way(
        client_for, course, cert_template, completed_three, training_office, task_worker,
        django_capture_on_commit_callbacks):
    """With the Redis broker a cluster killed while holding the task takes it along: the batch stays
    "queued" for good. Once the broker's retry window has passed it may be queued again; before
    that, "try again" does nothing (the task is still on its way)."""
    import datetime

    from django.urls import reverse
    from django.utils import timezone
    from django_q.brokers import get_broker

    client = client_for(training_office)
    with django_capture_on_commit_callbacks(execute=True):
        batch = issuing.start_batch(course, training_office.user)
    get_broker().purge_queue()  # the task is gone with the killed cluster
    page = client.get(reverse("certificates_batch", args=[batch.pk])).content.decode()
    assert "长时间没有进展" not in page
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(reverse("certificates_batch_retry", args=[batch.pk]))
    assert callbacks == []  # too early: nothing queued twice

    IssueBatch.objects.filter(pk=batch.pk).update(queued_at=timezone.now() - datetime.timedelta(hours=1))
    assert "长时间没有进展" in client.get(reverse("certificates_batch", args=[batch.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("certificates_batch_retry", args=[batch.pk]))
        client.post(reverse("certificates_batch_retry", args=[batch.pk]))  # a second click queues nothing more
    assert get_broker().queue_size() == 1
    task_worker()
    batch.refresh_from_db()
    assert (batch.status, batch.done) == (BatchStatus.DONE, 3)


def test_it_returns_the_winners_certificate_when_another_worker_commits_first(
        secretary, course, cert_template, complete, make_certificate):
    """Two deliveries race: this one passed the "none yet" check, but another worker commits its
    certificate before this one does (simulated when this worker takes its serial number: the first
    serial of the year creates the counter row, whose post_save commits a competitor). The partial
    unique constraint refuses a second valid certificate; the loser removes its stored PDF and
    returns the winner's."""
    import os

    from django.db.models.signals import post_save

    complete(secretary)
    competitor = {}

    def other_worker_commits_first(sender, instance, created, **kwargs):
        if created and not competitor:
            competitor["certificate"] = None
            competitor["certificate"] = make_certificate(secretary)

    post_save.connect(other_worker_commits_first, sender=SerialCounter)
    try:
        certificate, created = issuing.issue(secretary, course)
    finally:
        post_save.disconnect(other_worker_commits_first, sender=SerialCounter)
    assert competitor["certificate"] is not None
    assert not created
    assert certificate == competitor["certificate"]
    assert Certificate.objects.filter(person=secretary, course=course).count() == 1
    folder = os.path.dirname(certificate.pdf.path)
    assert os.listdir(folder) == [os.path.basename(certificate.pdf.path)]  # the loser's PDF is gone
