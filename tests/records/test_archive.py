"""The personal training archive: the learner's own page and PDF, and staff pages in scope."""

import datetime
from decimal import Decimal
import subprocess

import pytest
from django.urls import reverse

from lms.attendance.models import AttendanceChannel, AttendanceRecord, AttendanceStatus, Session
from lms.learning.models import Delivery, Enrollment, EnrollmentSource
from lms.rotations.models import Direction, Rotation

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(secretary, course, earn, org_tree, plan_2026):
    Enrollment.enrol(secretary, course, EnrollmentSource.BULK)
    start = datetime.datetime(2026, 3, 20, 1, 0, tzinfo=datetime.UTC)
    session = Session.objects.create(course=course, title="集中授课第一天", starts_at=start,
                                     ends_at=start + datetime.timedelta(hours=6))
    AttendanceRecord.objects.record_status(secretary, session, status=AttendanceStatus.PRESENT,
                                           channel=AttendanceChannel.ROLL_CALL, at=start)
    earn(secretary, 2026, "2.5", Delivery.ONLINE, title="网络课程：基层治理")
    earn(secretary, 2025, "7", title="2025年集中培训")
    Rotation.objects.create(person=secretary, direction=Direction.SECONDMENT, host_organization=org_tree["agency"],
                            starts_on=datetime.date(2026, 3, 1), ends_on=datetime.date(2026, 8, 31))
    return session


def test_a_learner_sees_their_own_archive_by_year(client_for, secretary, history, course):
    client = client_for(secretary)
    html = client.get(reverse("my-archive"), {"year": 2026}).content.decode()
    assert "我的培训档案" in html
    assert course.title in html and "集中授课第一天" in html and "网络课程：基层治理" in html
    assert "区委组织部" in html  # the rotation's host
    assert "2025年集中培训" not in html
    archive = client.get(reverse("my-archive"), {"year": 2026}).context["archive"]
    assert archive.totals["online"] == 2.5 and archive.totals["total"] == archive.totals["in_person"] + Decimal("2.5")
    assert sum(hours for _title, hours in archive.credit_by_course) == archive.totals["total"]
    everything = client.get(reverse("my-archive"), {"year": "all"}).content.decode()
    assert "2025年集中培训" in everything and "网络课程：基层治理" in everything


def test_the_archive_needs_a_login(client):
    assert client.get(reverse("my-archive")).status_code == 302
    assert client.get(reverse("my-archive-pdf")).status_code == 302


def test_the_archive_pdf_is_chinese_text(client_for, secretary, history, tmp_path):
    response = client_for(secretary).get(reverse("my-archive-pdf"), {"year": 2026})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "archive.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "个人培训档案" in text and "张书记" in text and "集中授课第一天" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "Noto" in fonts


def test_staff_see_archives_in_their_scope_only(client_for, hr, street_admin, secretary, other_secretary, history):
    url = reverse("records_person_archive", args=[secretary.pk])
    assert client_for(hr).get(url, {"year": 2026}).status_code == 200
    assert "集中授课第一天" in client_for(street_admin).get(url, {"year": 2026}).content.decode()
    other = reverse("records_person_archive", args=[other_secretary.pk])
    assert client_for(street_admin).get(other).status_code == 404
    assert client_for(street_admin).get(reverse("records_person_archive_pdf", args=[other_secretary.pk])).status_code == 404
    pdf = client_for(hr).get(reverse("records_person_archive_pdf", args=[secretary.pk]), {"year": "all"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_trainers_and_learners_cannot_open_staff_archives(client_for, trainer, other_secretary, secretary):
    url = reverse("records_person_archive", args=[secretary.pk])
    assert client_for(trainer).get(url).status_code == 403
    assert client_for(other_secretary).get(url).status_code == 302  # no admin access: to the admin login


@pytest.fixture
def certificates(history, certify, secretary, course, make_course):
    """The secretary's certificates: a valid one of 2026 and one issued in 2025."""
    this_year = certify(secretary, course)
    last_year = certify(secretary, make_course("2025年社区(村)书记班（第二期）", year=2025,
                                               starts_on=datetime.date(2025, 9, 1), ends_on=datetime.date(2025, 11, 28)),
                        issued_on=datetime.date(2025, 12, 1))
    return this_year, last_year


def test_the_archive_lists_the_years_certificates_with_a_download_link(client_for, secretary, certificates):
    this_year, last_year = certificates
    client = client_for(secretary)
    archive = client.get(reverse("my-archive"), {"year": 2026}).context["archive"]
    assert [c.serial for c in archive.certificates] == [this_year.serial]
    html = client.get(reverse("my-archive"), {"year": 2026}).content.decode()
    section = html.split('id="archive-certificates"')[1].split("</section>")[0]
    assert this_year.serial in section and last_year.serial not in section
    assert this_year.course_title in section and "有效" in section and "2026-" in section
    link = reverse("certificate-download", args=[this_year.pk])
    assert link in section
    download = client.get(link)
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    everything = client.get(reverse("my-archive"), {"year": "all"}).context["archive"]
    assert [c.serial for c in everything.certificates] == [last_year.serial, this_year.serial]
    assert [c.serial for c in client.get(reverse("my-archive"), {"year": 2025}).context["archive"].certificates] == [
        last_year.serial]


def test_a_revoked_certificate_shows_as_revoked_and_a_reissued_one_once(client_for, secretary, certificates):
    this_year, _last_year = certificates
    this_year.revoke("姓名有误")
    newer = this_year.reissue()
    archive = client_for(secretary).get(reverse("my-archive"), {"year": 2026}).context["archive"]
    assert [(c.serial, c.status) for c in archive.certificates] == [(this_year.serial, "revoked"),
                                                                     (newer.serial, "valid")]


def test_the_archive_pdf_lists_the_certificates(client_for, secretary, certificates, tmp_path):
    this_year, last_year = certificates
    response = client_for(secretary).get(reverse("my-archive-pdf"), {"year": "all"})
    path = tmp_path / "archive.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert this_year.serial in text and last_year.serial in text and "下载" not in text


def test_staff_archive_links_certificates_only_for_certificate_staff(client_for, hr, training_office, secretary,
                                                                      certificates):
    this_year, _last_year = certificates
    url = reverse("records_person_archive", args=[secretary.pk])
    link = reverse("certificate-download", args=[this_year.pk])
    hr_page = client_for(hr).get(url, {"year": 2026}).content.decode()
    assert this_year.serial in hr_page and link not in hr_page  # HR may not download certificates
    office = client_for(training_office)
    assert link in office.get(url, {"year": 2026}).content.decode()
    assert office.get(link).status_code == 200
