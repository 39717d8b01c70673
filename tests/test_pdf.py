"""lms.pdf: the one WeasyPrint FontConfiguration of the process and the HTML-to-PDF step every
printable document uses (certificates, sign-in sheets, rotation records, training archives)."""

import subprocess

from lms import pdf


def test_it_keeps_one_font_configuration_per_process():
    assert pdf.font_configuration() is pdf.font_configuration()


def test_it_sets_chinese_in_the_noto_cjk_font_and_hands_options_to_weasyprint(tmp_path):
    html = '<p style="font-family: \'Noto Serif CJK SC\'">个人培训档案</p>'
    plain = pdf.html_to_pdf(html, uncompressed_pdf=True)
    archival = pdf.html_to_pdf(html, uncompressed_pdf=True, pdf_variant="pdf/a-3b")
    path = tmp_path / "page.pdf"
    path.write_bytes(plain)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "个人培训档案" in text and "NotoSerifCJK" in fonts.replace("-", "")
    assert b"pdfaid:part" not in plain and b"pdfaid:part" in archival  # PDF/A identification (XMP metadata)
