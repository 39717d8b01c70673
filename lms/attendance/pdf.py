"""The printable sign-in sheet (签到表) of a session: an A4 PDF roster with columns for signatures,
rendered by WeasyPrint with the Noto CJK fonts through the process's one FontConfiguration (shared
with the rotation record form: lms.rotations.pdf)."""

from django.template.loader import render_to_string
from django.utils import timezone

from lms.rotations.pdf import font_configuration

from . import board


def render_sign_in_sheet(session, user):
    from weasyprint import HTML

    html = render_to_string("attendance/sign_in_sheet.html", {
        "session": session, "rows": board.rows(session, user), "printed_on": timezone.localdate()})
    return HTML(string=html).write_pdf(font_config=font_configuration())
