"""The printable rotation record form (挂职/选派记录表) as an A4 PDF, rendered by WeasyPrint with the
Noto CJK fonts (lms.pdf)."""

from django.template.loader import render_to_string
from django.utils import timezone

from lms.pdf import html_to_pdf


def render_record(rotation):
    return html_to_pdf(render_to_string("rotations/record.html", {
        "rotation": rotation, "person": rotation.person, "printed_on": timezone.localdate()}))
