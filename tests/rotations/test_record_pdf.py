"""The printable rotation record form: a Chinese A4 PDF for HR in scope and the person themselves."""

import datetime
import shutil
import subprocess

import pytest
from django.urls import reverse

from lms.people import roles
from lms.rotations.models import Direction, Evaluation, Rotation, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def street_hr(org_tree, make_person):
    return make_person("周干事", org_tree["street_a"], groups=[roles.HR], username="street-a-hr")


@pytest.fixture
def rotation_a(secretary, org_tree):
    record = Rotation(person=secretary, direction=Direction.SECONDMENT, host_organization=org_tree["agency"],
                      starts_on=datetime.date(2026, 3, 1), ends_on=datetime.date(2026, 8, 31), post_held="组织员",
                      mentor="王部长", goals="熟悉组织工作流程", status=Status.FINISHED,
                      midterm_evaluation=Evaluation.COMPETENT, final_evaluation=Evaluation.EXCELLENT,
                      final_comments="工作扎实，表现优秀。")
    record.save()
    return record


def pdf_url(rotation):
    return reverse("rotation-record-pdf", args=[rotation.pk])


def test_it_renders_a_chinese_pdf_for_hr(client_for, hr, rotation_a, tmp_path):
    response = client_for(hr).get(pdf_url(rotation_a))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        path = tmp_path / "record.pdf"
        path.write_bytes(response.content)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        for expected in ("张书记", "挂职锻炼", "区委组织部", "优秀", "王部长"):
            assert expected in text
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        assert "CJK" in fonts


def test_it_serves_the_record_to_the_person_themselves(client_for, secretary, rotation_a):
    response = client_for(secretary).get(pdf_url(rotation_a))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_it_serves_the_record_to_street_hr_in_scope_and_superusers(client_for, street_hr, superuser, rotation_a):
    assert client_for(street_hr).get(pdf_url(rotation_a)).status_code == 200
    assert client_for(superuser).get(pdf_url(rotation_a)).status_code == 200


def test_it_hides_the_record_from_other_learners_and_other_streets(client_for, other_secretary, org_tree,
                                                                   make_person, rotation_a):
    assert client_for(other_secretary).get(pdf_url(rotation_a)).status_code == 404
    other_hr = make_person("吴干事", org_tree["street_b"], groups=[roles.HR], username="street-b-hr")
    assert client_for(other_hr).get(pdf_url(rotation_a)).status_code == 404


@pytest.mark.parametrize("persona", ["street_admin", "training_office"])
def test_it_forbids_staff_who_see_the_person_but_do_not_keep_rotations(client_for, request, persona, rotation_a):
    assert client_for(request.getfixturevalue(persona)).get(pdf_url(rotation_a)).status_code == 403


def test_it_404s_the_trainer(client_for, trainer, rotation_a):
    assert client_for(trainer).get(pdf_url(rotation_a)).status_code == 404


def test_it_sends_anonymous_visitors_to_log_in(client_for, rotation_a):
    response = client_for(None).get(pdf_url(rotation_a))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_it_404s_an_unknown_record(client_for, hr, org_tree):
    assert client_for(hr).get(reverse("rotation-record-pdf", args=[999999])).status_code == 404
