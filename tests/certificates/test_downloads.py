"""Who may download a certificate's PDF: its owner and certificate staff whose scope includes the
person; everyone else gets a 404 (anonymous visitors are sent to log in). Staff bundles (ZIP,
merged PDF) hold only the valid certificates in their scope."""

import io
import zipfile

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(secretary, make_certificate):
    return make_certificate(secretary)


def url(certificate):
    return reverse("certificate-download", args=[certificate.pk])


def test_it_serves_the_pdf_to_its_owner(client_for, secretary, certificate):
    response = client_for(secretary).get(url(certificate))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert certificate.serial in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]


def test_it_hides_the_pdf_from_another_learner(client_for, other_secretary, certificate):
    assert client_for(other_secretary).get(url(certificate)).status_code == 404


def test_it_hides_the_pdf_from_another_streets_staff(client_for, street_b_office, certificate):
    assert client_for(street_b_office).get(url(certificate)).status_code == 404
    admin_url = reverse("certificates_download", args=[certificate.pk])
    assert client_for(street_b_office).get(admin_url).status_code == 404


def test_it_sends_anonymous_visitors_to_log_in(client, certificate):
    response = client.get(url(certificate))
    assert response.status_code == 302 and "/login/" in response.url


def test_it_serves_staff_in_scope(client_for, training_office, street_admin, certificate):
    assert client_for(training_office).get(url(certificate)).status_code == 200
    assert client_for(street_admin).get(url(certificate)).status_code == 200
    admin_url = reverse("certificates_download", args=[certificate.pk])
    assert client_for(training_office).get(admin_url).status_code == 200


def test_it_refuses_the_media_url_to_everyone(client_for, secretary, certificate):
    """The stored file is served only by the certificate views (protected media refuses certificates/)."""
    response = client_for(secretary).get("/media/" + certificate.pdf.name)
    assert response.status_code in (403, 404)


def test_it_lists_the_learners_certificates(client_for, secretary, other_secretary, certificate, make_certificate):
    make_certificate(other_secretary)
    response = client_for(secretary).get(reverse("my-certificates"))
    body = response.content.decode()
    assert response.status_code == 200
    assert certificate.serial in body and "李书记" not in body
    assert reverse("my-certificates") in client_for(secretary).get(reverse("my-learning")).content.decode()


def test_it_bundles_a_courses_certificates_in_scope(client_for, training_office, street_b_office, secretary,
                                                    other_secretary, certificate, make_certificate, course):
    other = make_certificate(other_secretary)
    make_certificate(secretary, status="superseded", version=0)
    zip_url = reverse("certificates_course_zip", args=[course.pk])
    response = client_for(training_office).get(zip_url)
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert sorted(names) == sorted([f"{certificate.serial}-张书记.pdf", f"{other.serial}-李书记.pdf"])
    names = zipfile.ZipFile(io.BytesIO(client_for(street_b_office).get(zip_url).content)).namelist()
    assert names == [f"{other.serial}-李书记.pdf"]
    assert client_for(secretary).get(zip_url).status_code in (302, 403)
