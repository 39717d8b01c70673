"""The sign-in sheet: an A4 PDF in Chinese with the session's roster (in the viewer's scope) and a
column for signatures; for the training office only."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from lms.learning.models import Enrollment, EnrollmentSource
from lms.people import roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(course, enrolled, other_secretary):
    Enrollment.enrol(other_secretary, course, EnrollmentSource.BULK)
    return [enrolled, other_secretary]


def pdf_text(pdf, tmp_path):
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_it_prints_the_roster_with_a_signature_column(session, roster, training_office, client_for, tmp_path):
    response = client_for(training_office).get(reverse("sign-in-sheet", args=[session.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    assert "签到表" in text and "签名" in text
    assert roster[0].name in text and roster[1].name in text
    assert session.title in text
    fonts = subprocess.run(["pdffonts", str(tmp_path / "sheet.pdf")], capture_output=True, text=True).stdout
    assert "CJK" in fonts


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_it_lists_only_the_viewers_subtree(session, roster, org_tree, make_person, client_for, tmp_path):
    street_office = make_person("东湖培训专干", org_tree["street_a"], groups=[roles.TRAINING_OFFICE])
    text = pdf_text(client_for(street_office).get(reverse("sign-in-sheet", args=[session.pk])).content, tmp_path)
    assert roster[0].name in text and roster[1].name not in text


@pytest.mark.parametrize("who", ["secretary", "trainer", "hr", "street_admin"])
def test_it_is_for_the_training_office(session, client_for, request, who):
    assert client_for(request.getfixturevalue(who)).get(reverse("sign-in-sheet", args=[session.pk])).status_code == 403
