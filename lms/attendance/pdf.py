"""The printable sign-in sheet (签到表) of a session: an A4 PDF roster with columns for signatures,
rendered by WeasyPrint with the Noto CJK fonts (lms.pdf)."""

from django.template.loader import render_to_string
from django.utils import timezone

from lms.pdf import html_to_pdf

from . import board


def render_sign_in_sheet(session, user):
    return html_to_pdf(render_to_string("attendance/sign_in_sheet.html", {
        "session": session, "rows": board.rows(session, user), "printed_on": timezone.localdate()}))
