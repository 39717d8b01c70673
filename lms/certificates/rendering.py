"""Certificates as PDF/A-3b documents, rendered by WeasyPrint from
site/templates/certificates/certificate.html.

- Chinese text is set in a Noto CJK font of the system (Debian's fonts-noto-cjk), found through
  fontconfig, embedded and subset by WeasyPrint (with libharfbuzz-subset, ~0.2 s a page). Nothing is
  fetched at run time: images are read from media storage, the QR code is inline SVG (segno).
- One FontConfiguration (lms.pdf, shared with the other printable documents) and one image cache
  per process (the template's background and seal are decoded once per worker, not once per
  certificate).
- A font or image that is missing raises CertificateError with a message for staff: a certificate
  is never rendered with a fallback font or without its seal.

    from lms.certificates import rendering
    pdf_bytes = rendering.render_pdf(certificate)           # a saved or unsaved Certificate
    pdf_bytes = rendering.render_pdf(rendering.sample_certificate(template))   # the admin preview
    html = rendering.render_html(certificate); pdf_bytes = rendering.write_pdf(html)  # the two steps
"""

import base64
import datetime
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from lms.pdf import html_to_pdf

from .models import Certificate, CertificateError, Orientation, PageSize, Status, absolute_url
from .placeholders import render_body

TEMPLATE_NAME = "certificates/certificate.html"
PDF_VARIANT = "pdf/a-3b"
# Images are embedded at about 150 dpi of the page: enough for print, small PDFs.
# About 95 dpi for the background and 300 dpi for the seal: sharp in print, and a certificate
# with both stays under 300 KB (the subset fonts take about 220 KB of it).
BACKGROUND_RENDITION = {PageSize.A4: "max-1120x1120|format-jpeg|jpegquality-60",
                        PageSize.A5: "max-800x800|format-jpeg|jpegquality-60"}
SEAL_RENDITION = "max-500x500|format-png"

_image_cache = {}
_fonts_seen = {}


def check_font(family):
    """Raise CertificateError unless fontconfig knows the font family (checked once per process)."""
    if family not in _fonts_seen:
        fc_list = shutil.which("fc-list")
        if fc_list is None:
            _fonts_seen[family] = False
        else:
            result = subprocess.run([fc_list, f":family={family}", "family"], capture_output=True, text=True,
                                    timeout=30)
            _fonts_seen[family] = result.returncode == 0 and family in result.stdout
    if not _fonts_seen[family]:
        raise CertificateError(gettext(
            "The font “%(font)s” is not installed on the server (install the fonts-noto-cjk package).")
            % {"font": family})


def chinese_date(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return f"{value.year}年{value.month}月{value.day}日"


def hours_text(value):
    value = Decimal(value or 0)
    text = format(value.quantize(Decimal("0.01")), "f").rstrip("0").rstrip(".")
    return text or "0"


def _image_url(image, filter_spec, label):
    """A URL WeasyPrint reads the image from: the rendition's local file, or a data URI when
    media lives on remote storage. Missing files raise CertificateError."""
    try:
        rendition = image.get_rendition(filter_spec)
        name = rendition.file.name
        storage = rendition.file.storage
        if not storage.exists(name):
            raise FileNotFoundError(name)
        try:
            return Path(storage.path(name)).as_uri()
        except NotImplementedError:
            with storage.open(name, "rb") as handle:
                data = base64.b64encode(handle.read()).decode()
            mime = "image/png" if name.lower().endswith(".png") else "image/jpeg"
            return f"data:{mime};base64,{data}"
    except CertificateError:
        raise
    except Exception as error:  # noqa: BLE001 - Wagtail raises several kinds for a missing/unreadable file
        raise CertificateError(gettext(
            "The %(what)s of the certificate template cannot be read (image “%(image)s”: %(error)s). "
            "Upload it again in the template.") % {"what": label, "image": image.title,
                                                     "error": error.__class__.__name__}) from error


def qr_svg(url):
    import segno

    return segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True)


def values(certificate):
    """The placeholder values of a certificate, from its frozen snapshot."""
    return {
        "name": certificate.holder_name,
        "course": certificate.course_title,
        "start_date": chinese_date(certificate.starts_on),
        "end_date": chinese_date(certificate.ends_on),
        "hours": hours_text(certificate.credit_hours),
        "serial": certificate.serial,
        "issued_on": chinese_date(certificate.issued_on),
    }


def context(certificate, *, for_browser=False):
    template = certificate.template
    check_font(template.font)
    verify_url = absolute_url(f"/verify/{certificate.code}/")
    background = seal = None
    if template.background_id:
        background = _image_url(template.background, BACKGROUND_RENDITION[template.page_size], gettext("background"))
    if template.seal_id:
        seal = _image_url(template.seal, SEAL_RENDITION, gettext("seal"))
    landscape = template.orientation == Orientation.LANDSCAPE
    return {
        "certificate": certificate,
        "template": template,
        "body": render_body(template.body, values(certificate)),
        "issued_on": chinese_date(certificate.issued_on),
        "page_size": f"{template.page_size} {'landscape' if landscape else 'portrait'}",
        "landscape": landscape,
        "small": template.page_size == PageSize.A5,
        "background_url": background,
        "seal_url": seal,
        "qr_svg": qr_svg(verify_url),
        "verify_url": verify_url,
        "for_browser": for_browser,
    }


def render_html(certificate, *, for_browser=False):
    return render_to_string(TEMPLATE_NAME, context(certificate, for_browser=for_browser))


def write_pdf(html):
    """WeasyPrint alone: HTML to PDF/A-3b bytes with the process's font configuration and image
    cache (also the floor the certificate benchmark measures against)."""
    return html_to_pdf(html, base_url=str(Path(__file__).resolve().parent), pdf_variant=PDF_VARIANT,
                       cache=_image_cache)


def render_pdf(certificate):
    """The certificate as PDF/A-3b bytes. Raises CertificateError for a missing font or image."""
    pdf = write_pdf(render_html(certificate))
    if not pdf or not pdf.startswith(b"%PDF"):
        raise CertificateError(gettext("The certificate could not be rendered (%(title)s).") % {
            "title": f"{certificate.title} {certificate.serial}"})
    return pdf


def sample_certificate(template):
    """An unsaved certificate with sample data, for the admin's live preview."""
    today = timezone.localdate()
    return Certificate(
        template=template, version=1, serial=f"{template.serial_prefix or 'QX'}-{today.year}-000123",
        code="SAMPLE-preview-code-not-valid", status=Status.VALID, title=template.title,
        holder_name="张晓明", course_title=f"{today.year}年第一季度头雁讲坛",
        starts_on=datetime.date(today.year, 3, 20), ends_on=datetime.date(today.year, 3, 21),
        credit_hours=Decimal("12"), issuing_organization=template.issuing_organization,
        issued_on=today, issued_at=timezone.now(),
    )
