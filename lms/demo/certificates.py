"""Demo certificates: the secretary class's certificate template, with an organization seal and a
patterned background drawn by Pillow in the Noto CJK font (no downloads), and certificates issued
to the demo secretary and a few classmates who completed 2026年社区(村)书记班（第一期）, so that a new
user logging in as demo-secretary has a certificate at once and the training office sees issued
certificates in the admin.

Completion is the real engine's: the attendance of the chosen learners is reported to learning
here (what the attendance feed task does moments later anyway; it is idempotent), then the
certificates are issued through lms.certificates.issuing (render once, store, commit). Only a
handful of PDFs are rendered. Idempotent: the images and the template are found by name, and
issuing returns the existing certificate.

The image makers are also used by bench/certificates.py."""

import io
import math
from pathlib import Path

from django.contrib.auth import get_user_model

from . import district

TEMPLATE_NAME = "社区(村)书记班结业证书"
SEAL_TITLE = "示范区委组织部公章（演示）"
BACKGROUND_TITLE = "证书底纹（演示）"
SEAL_TEXT = "中共示范区委组织部"
PROGRAM_SLUG = "secretary-class"
COURSE_SLUG = "2026-cohort-1"
CLASSMATES = 5  # besides the demo secretary

CJK_FONTS = [
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]
SC_INDEX = 2  # the simplified-Chinese face in Noto's CJK collections (JP, KR, SC, TC, HK)


def _font(size):
    from PIL import ImageFont

    for path in CJK_FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size, index=SC_INDEX)
    raise RuntimeError("Noto CJK fonts are missing: install fonts-noto-cjk (make setup does).")


def seal_png(text=SEAL_TEXT, size=500):
    """A red round seal (公章) on a transparent background: a double ring, the organization's name
    around the top, a five-pointed star in the middle. PNG bytes."""
    from PIL import Image, ImageDraw

    red = (200, 22, 29, 255)
    # Transparent pixels are red too (alpha 0): the colour plane is then one flat colour and the
    # seal costs little more than its alpha mask in the PDF.
    image = Image.new("RGBA", (size, size), (200, 22, 29, 0))
    draw = ImageDraw.Draw(image)
    c = size / 2
    ring = size * 0.035
    draw.ellipse([ring / 2, ring / 2, size - ring / 2, size - ring / 2], outline=red, width=int(ring))
    inner = size * 0.085
    draw.ellipse([inner, inner, size - inner, size - inner], outline=red, width=max(2, int(ring / 4)))
    # The star.
    outer_r, inner_r = size * 0.17, size * 0.068
    points = []
    for i in range(10):
        r = outer_r if i % 2 == 0 else inner_r
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((c + r * math.cos(angle), c + r * math.sin(angle)))
    draw.polygon(points, fill=red)
    # The name around the top, each character rotated to face the centre.
    font = _font(int(size * 0.105))
    radius = size * 0.34
    span = math.radians(230)
    start = -math.pi / 2 - span / 2
    for i, char in enumerate(text):
        angle = start + span * (i + 0.5) / len(text)
        glyph = Image.new("RGBA", (int(size * 0.16), int(size * 0.16)), (200, 22, 29, 0))
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), char, font=font, fill=red, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.BICUBIC)
        x = c + radius * math.cos(angle) - glyph.width / 2
        y = c + radius * math.sin(angle) - glyph.height / 2
        image.alpha_composite(glyph, (int(x), int(y)))
    # A line of text under the star, as real seals have.
    ImageDraw.Draw(image).text((c, c + size * 0.25), "培训专用章", font=_font(int(size * 0.07)), fill=red, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def background_jpeg(width=1754, height=1240):
    """A light certificate background for A4 landscape at 150 dpi: warm paper with soft wave bands
    (blurred, so JPEG keeps them small) and a gold and red frame. JPEG bytes."""
    from PIL import Image, ImageDraw, ImageFilter

    image = Image.new("RGB", (width, height), (253, 249, 238))
    draw = ImageDraw.Draw(image)
    for row in range(0, height + 160, 160):
        draw.line([(x, row + 30 * math.sin(x / 90 + row)) for x in range(0, width + 20, 20)],
                  fill=(245, 236, 214), width=14)
    image = image.filter(ImageFilter.GaussianBlur(8))
    draw = ImageDraw.Draw(image)
    # Thick lines on 8-pixel boundaries: thin sharp lines would double the JPEG's size.
    for inset, line_width, colour in ((40, 16, (184, 134, 11)), (64, 8, (178, 34, 34))):
        draw.rectangle([inset, inset, width - inset - 1, height - inset - 1], outline=colour, width=line_width)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def ensure_image(title, data, filename):
    """A Wagtail image with this title (created once)."""
    from django.core.files.images import ImageFile
    from wagtail.images import get_image_model

    Image = get_image_model()
    image = Image.objects.filter(title=title).order_by("pk").first()
    if image is None:
        image = Image.objects.create(title=title, file=ImageFile(io.BytesIO(data), name=filename))
    return image


def ensure_template(program=None):
    """The secretary class's certificate template with its seal and background (created once)."""
    from lms.certificates.models import CertificateTemplate, TitleKind

    template = CertificateTemplate.objects.filter(name=TEMPLATE_NAME).first()
    if template is None:
        template = CertificateTemplate.objects.create(
            name=TEMPLATE_NAME, title=TitleKind.COMPLETION,
            background=ensure_image(BACKGROUND_TITLE, background_jpeg(), "certificate-background.jpg"),
            seal=ensure_image(SEAL_TITLE, seal_png(), "certificate-seal.png"),
            signatory_name="王建国", signatory_title="区委常委、组织部部长",
            issuing_organization="中共示范区委组织部", serial_prefix="QX")
        if program is not None:
            template.programs.add(program)
    return template


def _completed(person, course):
    """Report the person's attendance of the course to learning (the feed task's work, idempotent)
    and say whether the enrolment is completed."""
    from lms.attendance.learning_feed import report
    from lms.attendance.models import AttendanceRecord
    from lms.learning.models import Enrollment

    for record_id in AttendanceRecord.objects.filter(person=person, session__course=course).values_list("pk", flat=True):
        report(record_id)
    return Enrollment.objects.current().filter(person=person, course=course, completed_at__isnull=False).exists()


def ensure_certificates():
    """The template, and certificates for the demo secretary and a few classmates who completed
    the secretary class. Returns the number of certificates issued now."""
    from courses.models import CoursePage, ProgramPage
    from lms.attendance.models import AttendanceRecord
    from lms.certificates import issuing
    from lms.certificates.models import Certificate
    from lms.people.models import Person

    program = ProgramPage.objects.filter(slug=PROGRAM_SLUG).first()
    course = CoursePage.objects.child_of(program).filter(slug=COURSE_SLUG).first() if program else None
    if course is None:
        return 0
    ensure_template(program)
    office = get_user_model().objects.filter(username="demo-office").first()
    demo = Person.objects.filter(user__username=district.DEMO_SECRETARY_USERNAME).first()
    attended = AttendanceRecord.objects.filter(session__course=course).values("person_id")
    classmates = Person.objects.filter(pk__in=attended).exclude(pk=getattr(demo, "pk", None)).order_by("pk")
    candidates = ([demo] if demo else []) + list(classmates)
    issued = held = 0
    for person in candidates:
        if held > CLASSMATES:
            break
        if Certificate.objects.current().filter(person=person, course=course).exists():
            held += 1
            continue
        if _completed(person, course):
            _certificate, created = issuing.issue(person, course, by=office)
            issued += created
            held += 1
    return issued
