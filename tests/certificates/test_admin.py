"""The training office's certificate screens: scoped lists, bulk issue with a progress page,
re-issue, revoke with a reason, a merged PDF; other streets' staff get 404s, learners no access."""

import io

import pytest
from django.urls import reverse

from lms.certificates.models import BatchStatus, Certificate, IssueBatch, Status

pytestmark = pytest.mark.django_db


def test_it_lists_courses_and_learners_in_scope(client_for, training_office, street_b_office, secretary,
                                                other_secretary, complete, course, make_certificate):
    complete(secretary)
    complete(other_secretary)
    certificate = make_certificate(secretary)
    response = client_for(training_office).get(reverse("certificates_courses"))
    assert response.status_code == 200 and course.title in response.content.decode()
    body = client_for(training_office).get(reverse("certificates_course", args=[course.pk])).content.decode()
    assert "张书记" in body and "李书记" in body and certificate.serial in body
    body = client_for(street_b_office).get(reverse("certificates_course", args=[course.pk])).content.decode()
    assert "李书记" in body and "张书记" not in body and certificate.serial not in body


def test_it_keeps_learners_and_trainers_out(client_for, secretary, trainer, course):
    for who in (secretary, trainer):
        for url in (reverse("certificates_courses"), reverse("certificates_course", args=[course.pk])):
            assert client_for(who).get(url).status_code in (302, 403)


def test_it_bulk_issues_from_the_course_screen_with_a_progress_page(
        client_for, training_office, secretary, other_secretary, complete, course, cert_template, task_worker,
        django_capture_on_commit_callbacks):
    complete(secretary)
    complete(other_secretary)
    client = client_for(training_office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("certificates_issue_all", args=[course.pk]))
    batch = IssueBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("certificates_batch", args=[batch.pk])
    page = client.get(response.url).content.decode()
    assert 'http-equiv="refresh"' in page and 'data-state="queued"' in page
    task_worker()
    page = client.get(response.url).content.decode()
    assert 'data-state="done"' in page and 'http-equiv="refresh"' not in page
    status = client.get(reverse("certificates_batch_status", args=[batch.pk])).json()
    assert status == {"status": BatchStatus.DONE, "total": 2, "done": 2, "failed": 0, "percent": 100, "error": "",
                      "finished": True}
    assert Certificate.objects.filter(status=Status.VALID).count() == 2

    # Merged PDF: one page per valid certificate.
    from pypdf import PdfReader

    response = client.get(reverse("certificates_course_merged", args=[course.pk]))
    assert response.status_code == 200
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 2


def test_it_hides_another_requesters_batch(client_for, training_office, street_b_office, course, cert_template):
    batch = IssueBatch.objects.create(course=course, requested_by=training_office.user)
    assert client_for(street_b_office).get(reverse("certificates_batch", args=[batch.pk])).status_code == 404


def test_it_revokes_with_a_reason_and_reissues(client_for, training_office, street_b_office, secretary, course,
                                               make_certificate, cert_template, complete):
    complete(secretary)
    certificate = make_certificate(secretary)
    client = client_for(training_office)
    revoke_url = reverse("certificates_revoke", args=[certificate.pk])
    assert client_for(street_b_office).post(revoke_url, {"reason": "x"}).status_code == 404
    assert client_for(street_b_office).post(
        reverse("certificates_reissue", args=[certificate.pk])).status_code == 404
    assert client.post(revoke_url, {"reason": ""}).status_code == 400
    response = client.post(revoke_url, {"reason": "身份信息错误"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == Status.REVOKED and certificate.revoke_reason == "身份信息错误"

    response = client.post(reverse("certificates_reissue", args=[certificate.pk]))
    assert response.status_code == 302
    new = Certificate.objects.get(status=Status.VALID)
    assert new.version == 2 and new.supersedes == certificate


def test_it_lets_street_admins_view_but_not_issue(client_for, street_admin, secretary, course, make_certificate):
    certificate = make_certificate(secretary)
    client = client_for(street_admin)
    assert client.get(reverse("certificates_course", args=[course.pk])).status_code == 200
    assert client.post(reverse("certificates_issue_all", args=[course.pk])).status_code == 403
    assert client.post(reverse("certificates_revoke", args=[certificate.pk]), {"reason": "x"}).status_code == 403
