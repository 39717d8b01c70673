"""HTML to PDF with WeasyPrint, shared by every printable document: certificates
(lms.certificates.rendering), the rotation record form (lms.rotations.pdf), the sign-in sheet
(lms.attendance.pdf) and the personal training archive (lms.records.archive).

- One FontConfiguration per process, as WeasyPrint recommends: the Noto CJK fonts (Debian's
  fonts-noto-cjk, found through fontconfig) load once, not once per document.
- The A4 forms share their page and font rules: site/templates/pdf/a4_form.html, which they extend.

    from lms.pdf import html_to_pdf
    pdf_bytes = html_to_pdf(render_to_string("rotations/record.html", context))
"""

import logging

# WeasyPrint logs every rendering step at INFO; the request log already says a PDF was served.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

_font_config = None


def font_configuration():
    """The process's one WeasyPrint FontConfiguration."""
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


def html_to_pdf(html, *, base_url=None, **options):
    """PDF bytes of an HTML string, with the process's font configuration. `base_url` resolves
    relative URLs in the HTML; `options` go to WeasyPrint's write_pdf (pdf_variant, cache, ...)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf(font_config=font_configuration(), **options)
