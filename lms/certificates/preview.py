"""The template's live preview in the admin: a sample certificate rendered to PDF by the real
renderer, shown as a PNG of its page (pdftoppm) or as the PDF. A template that cannot be rendered
(a missing image or font) shows the error instead."""

import base64
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.http import HttpResponse
from django.template.response import TemplateResponse

from .models import CertificateError
from .rendering import render_pdf, sample_certificate

PREVIEW_DPI = 90


def page_png(pdf):
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "preview.pdf", Path(folder) / "page"
        source.write_bytes(pdf)
        result = subprocess.run([pdftoppm, "-png", "-r", str(PREVIEW_DPI), "-singlefile", str(source), str(target)],
                                capture_output=True, timeout=60, check=False)
        png = target.with_suffix(".png")
        return png.read_bytes() if result.returncode == 0 and png.exists() else None


def serve_preview(template, request, mode_name):
    try:
        pdf = render_pdf(sample_certificate(template))
    except CertificateError as error:
        return TemplateResponse(request, "certificates/admin/preview.html", {"error": str(error)})
    if mode_name == "pdf":
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="preview.pdf"'
        return response
    png = page_png(pdf)
    return TemplateResponse(request, "certificates/admin/preview.html", {
        "png": base64.b64encode(png).decode() if png else None, "size_kb": len(pdf) // 1024})
