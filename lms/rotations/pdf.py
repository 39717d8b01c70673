"""The printable rotation record form (挂职/选派记录表) as an A4 PDF, rendered by WeasyPrint with the
Noto CJK fonts. One FontConfiguration per process, as WeasyPrint recommends (fonts load once)."""

import logging

from django.template.loader import render_to_string
from django.utils import timezone

# WeasyPrint logs every rendering step at INFO; the request log already says a PDF was served.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

_font_config = None


def font_configuration():
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


def render_record(rotation):
    from weasyprint import HTML

    html = render_to_string("rotations/record.html", {
        "rotation": rotation, "person": rotation.person, "printed_on": timezone.localdate()})
    return HTML(string=html).write_pdf(font_config=font_configuration())
