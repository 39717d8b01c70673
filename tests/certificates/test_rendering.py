"""The PDF of record: Chinese text with an embedded subset Noto CJK font, serial and code printed,
a QR code that decodes to the verification URL, PDF/A; and visible failures for a missing image
or font (never a broken PDF)."""

import shutil
import subprocess

import pytest
from django.core.files.storage import default_storage

from lms.certificates import issuing
from lms.certificates.models import Certificate, CertificateError

pytestmark = pytest.mark.django_db

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("zbarimg"),
                                   reason="poppler-utils and zbar-tools are part of the setup")


@needs_poppler
def test_it_renders_a_chinese_pdf_with_serial_fonts_and_a_qr_code(secretary, course, cert_template, complete,
                                                                   training_office, tmp_path):
    complete(secretary)
    certificate, created = issuing.issue(secretary, course, by=training_office.user)
    assert created
    path = tmp_path / "certificate.pdf"
    data = certificate.pdf.read()
    path.write_bytes(data)
    assert data.startswith(b"%PDF")
    assert len(data) < 300 * 1024  # with seal and background

    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "张书记" in text
    assert certificate.serial in text
    assert certificate.code in text
    assert "结 业 证 书" in text or "结业证书" in text
    assert "2026年第一季度头雁讲坛" in text

    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "Noto-Serif-CJK-SC" in line]
    assert cjk, fonts
    assert all(line.split()[-5:-2] == ["yes", "yes", "yes"] for line in cjk), fonts  # embedded, subset, unicode

    # PDF/A-3b identification in the XMP metadata.
    from pypdf import PdfReader

    xmp = PdfReader(path).trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid" in xmp and b"3" in xmp.split(b"pdfaid:part")[1][:8]

    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(path), str(tmp_path / "page")], check=True)
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / "page.png")], capture_output=True,
                             text=True).stdout.strip()
    assert decoded == f"https://touyan.example.cn/verify/{certificate.code}/"


def test_it_fails_visibly_when_the_seal_file_is_missing(secretary, course, cert_template, complete):
    complete(secretary)
    default_storage.delete(cert_template.seal.file.name)
    with pytest.raises(CertificateError, match="公章|seal"):
        issuing.issue(secretary, course)
    assert not Certificate.objects.exists()
    assert not default_storage.exists("certificates")  or not default_storage.listdir("certificates")[1]


def test_it_fails_visibly_when_the_font_is_not_installed(secretary, course, cert_template, complete):
    complete(secretary)
    type(cert_template).objects.filter(pk=cert_template.pk).update(font="Nonexistent Song CJK")
    with pytest.raises(CertificateError, match="Nonexistent Song CJK"):
        issuing.issue(secretary, course)
    assert not Certificate.objects.exists()


def test_it_fails_when_no_template_applies(secretary, course, complete):
    complete(secretary)
    with pytest.raises(CertificateError, match=course.title):
        issuing.issue(secretary, course)
