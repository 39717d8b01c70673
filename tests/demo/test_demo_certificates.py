"""Demo certificates: the demo secretary has a certificate of the secretary class at once, the
training office sees the issued certificates in the admin, and loading again issues nothing."""

import io
import subprocess

import pytest
from django.core.management import call_command
from django.urls import reverse

from courses.models import CoursePage
from lms.certificates.models import Certificate, CertificateTemplate, SerialCounter, Status
from lms.demo import certificates as demo_certificates
from lms.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def load():
    call_command("load_demo_data", stdout=io.StringIO())


def snapshot():
    return {"certificates": sorted(Certificate.objects.values_list("person_id", "course_id", "serial", "status",
                                                                   "pdf", "code")),
            "templates": list(CertificateTemplate.objects.values_list("name", "background_id", "seal_id")),
            "serials": list(SerialCounter.objects.values_list("prefix", "year", "last"))}


def test_the_demo_secretary_has_a_certificate_at_once_and_loading_again_changes_nothing(client_for, tmp_path):
    load()
    secretary = Person.objects.get(user__username="demo-secretary")
    course = CoursePage.objects.get(slug=demo_certificates.COURSE_SLUG)
    certificate = Certificate.objects.get(person=secretary)
    assert certificate.course == course and certificate.status == Status.VALID
    assert certificate.pdf.storage.exists(certificate.pdf.name)
    with certificate.pdf.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF")
    path = tmp_path / "demo.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert secretary.name in text and certificate.serial in text and "结业证书" in text.replace(" ", "")
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True).stdout
    assert len(images.strip().splitlines()) >= 4  # header lines + the background, the seal (and its mask)
    # A few classmates too, not the whole class (only a handful of PDFs are rendered).
    issued = Certificate.objects.filter(course=course)
    assert 2 <= issued.count() <= 1 + demo_certificates.CLASSMATES

    # The learner finds it from 我的学习 and downloads it.
    client = client_for(secretary)
    assert reverse("my-certificates") in client.get("/me/").content.decode()
    mine = client.get(reverse("my-certificates")).content.decode()
    assert certificate.serial in mine
    assert client.get(reverse("certificate-download", args=[certificate.pk])).status_code == 200

    # The training office sees them in the admin.
    office = client_for(Person.objects.get(user__username="demo-office"))
    page = office.get(reverse("certificates_course", args=[course.pk])).content.decode()
    assert all(serial in page for serial in issued.values_list("serial", flat=True))

    before = snapshot()
    load()
    assert snapshot() == before
    assert Certificate.objects.filter(person=secretary).count() == 1
