"""Certificate fixtures: images made with Pillow (a seal with a transparent background and a
patterned background), a template using them, and a learner who completed a course through the
real completion engine (one reading lesson)."""

import io

import pytest
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw

from lms.certificates.models import CertificateTemplate
from lms.learning import progress
from lms.learning.models import Enrollment, EnrollmentSource
from lms.people import roles


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BASE_URL = "https://touyan.example.cn"
    return settings.MEDIA_ROOT


def _png(image, name):
    data = io.BytesIO()
    image.save(data, "PNG")
    return ImageFile(data, name=name)


@pytest.fixture
def seal_image(db):
    from wagtail.images import get_image_model

    seal = PILImage.new("RGBA", (400, 400), (0, 0, 0, 0))
    draw = ImageDraw.Draw(seal)
    draw.ellipse((10, 10, 390, 390), outline=(200, 0, 0, 255), width=18)
    draw.regular_polygon((200, 200, 70), 5, rotation=90, fill=(200, 0, 0, 255))
    return get_image_model().objects.create(title="组织部公章", file=_png(seal, "seal.png"))


@pytest.fixture
def background_image(db):
    from wagtail.images import get_image_model

    background = PILImage.new("RGB", (1200, 850), (253, 248, 232))
    draw = ImageDraw.Draw(background)
    for inset in (20, 34):
        draw.rectangle((inset, inset, 1200 - inset, 850 - inset), outline=(184, 134, 11), width=6)
    for x in range(60, 1140, 40):
        draw.line((x, 60, x + 20, 80), fill=(240, 225, 190), width=2)
    return get_image_model().objects.create(title="证书底纹", file=_png(background, "background.png"))


@pytest.fixture
def cert_template(db, seal_image, background_image):
    return CertificateTemplate.objects.create(
        name="区委组织部结业证书", seal=seal_image, background=background_image, signatory_name="李明",
        signatory_title="部长", is_district_default=True)


@pytest.fixture
def complete(make_lesson, course):
    """Complete `course` for a person through the real engine (enrol, finish its one lesson)."""
    lesson_holder = {}

    def run(person):
        if "lesson" not in lesson_holder:
            lesson_holder["lesson"] = make_lesson("第一课：基层治理", slug="cert-lesson-1")
        Enrollment.enrol(person, course, EnrollmentSource.BULK)
        progress.record(person, lesson_holder["lesson"], completed=True)
        return Enrollment.objects.current().get(person=person, course=course)

    return run


@pytest.fixture
def street_b_office(org_tree, make_person):
    """Training-office staff whose scope is street B only."""
    return make_person("吴干事", org_tree["street_b"], groups=[roles.TRAINING_OFFICE], username="office-b")


@pytest.fixture
def make_certificate(db, course, cert_template):
    """Factory: a certificate row as issuing would leave it, with a small stored PDF instead of a
    rendered one (for view and access tests that do not look inside the document)."""
    import datetime
    from decimal import Decimal

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from lms.certificates.models import Certificate, SerialCounter

    def make(person, *, course=course, status="valid", version=1, supersedes=None, **fields):
        certificate = Certificate(
            person=person, course=course, template=cert_template, version=version, supersedes=supersedes,
            serial=SerialCounter.allocate("QX", 2026), status=status, title="结业证书", holder_name=person.name,
            course_title=course.title, starts_on=course.starts_on, ends_on=course.ends_on,
            credit_hours=Decimal("6"), issuing_organization="中共示范区委组织部",
            issued_on=datetime.date(2026, 3, 21), issued_at=timezone.now(), **fields)
        certificate.pdf.save(certificate.filename(), ContentFile(b"%PDF-1.7 test " + person.name.encode()), save=False)
        certificate.save()
        return certificate

    return make
