"""Attendance reports per session, course and organization (the viewer's streets), with CSV and
XLSX export: every figure counts only the persons in the viewer's subtree."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from lms.attendance.models import AttendanceChannel, AttendanceRecord, AttendanceStatus
from lms.learning.models import Enrollment, EnrollmentSource

from .conftest import at

pytestmark = pytest.mark.django_db
URL = "attendance_reports"


@pytest.fixture
def attendance(session, make_session, course, enrolled, other_secretary, org_tree, make_person):
    """Session 1: 张书记 (street A) present in the hall, 李书记 (street B) online; a third learner in
    street A late. Session 2: 张书记 excused, 李书记 absent."""
    third = make_person("王书记", org_tree["community_a"])
    for p in (other_secretary, third):
        Enrollment.enrol(p, course, EnrollmentSource.BULK)
    second = make_session(title="第二场", starts_at=at(120))
    mark = AttendanceRecord.objects.record_status
    mark(enrolled, session, status=AttendanceStatus.PRESENT, channel=AttendanceChannel.QR)
    mark(other_secretary, session, status=AttendanceStatus.PRESENT, channel=AttendanceChannel.LIVE_ONLINE)
    mark(third, session, status=AttendanceStatus.LATE, channel=AttendanceChannel.QR)
    mark(enrolled, second, status=AttendanceStatus.EXCUSED, channel=AttendanceChannel.LEAVE)
    mark(other_secretary, second, status=AttendanceStatus.ABSENT, channel=AttendanceChannel.SESSION_CLOSE)
    return session, second


def rows_of(response):
    return {r.label: r for r in response.context["rows"]}


def test_by_session(attendance, training_office, client_for):
    response = client_for(training_office).get(reverse(URL), {"group": "session"})
    assert response.status_code == 200
    rows = rows_of(response)
    first = rows["头雁讲坛·社区治理"]
    assert (first.total, first.present, first.late, first.online, first.in_person, first.rate) == (3, 2, 1, 1, 2, 100)
    second = rows["第二场"]
    assert (second.total, second.excused, second.absent, second.rate) == (2, 1, 1, 0)
    total = response.context["total"]
    assert (total.total, total.attended) == (5, 3) and total.rate == 60


def test_by_organization_groups_the_streets(attendance, training_office, client_for):
    rows = rows_of(client_for(training_office).get(reverse(URL), {"group": "organization"}))
    assert set(rows) == {"东湖街道", "西山街道"}
    assert (rows["东湖街道"].total, rows["东湖街道"].attended) == (3, 2)
    assert (rows["西山街道"].total, rows["西山街道"].online, rows["西山街道"].absent) == (2, 1, 1)


def test_by_course(attendance, training_office, client_for, course):
    rows = rows_of(client_for(training_office).get(reverse(URL), {"group": "course", "course": course.pk}))
    assert list(rows) == [course.title] and rows[course.title].total == 5


def test_a_street_admin_sees_only_their_street(attendance, street_admin, client_for):
    response = client_for(street_admin).get(reverse(URL), {"group": "session"})
    assert response.status_code == 200
    assert response.context["total"].total == 3  # 张书记 twice, 王书记 once
    rows = rows_of(client_for(street_admin).get(reverse(URL), {"group": "organization"}))
    assert set(rows) == {"东湖社区"}


def test_csv_export_has_a_bom_and_chinese_headers(attendance, training_office, client_for):
    response = client_for(training_office).get(reverse(URL), {"group": "organization", "format": "csv"},
                                               HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0][0] == "名称" and table[0][-1] == "出勤率（%）"
    assert [r[0] for r in table[1:]] == ["东湖街道", "西山街道", "合计"]


def test_xlsx_export(attendance, street_admin, client_for):
    response = client_for(street_admin).get(reverse(URL), {"group": "session", "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[-1][2] == 3  # totals row: only street A's records


@pytest.mark.parametrize("who", ["secretary", "trainer"])
def test_reports_are_for_staff_only(attendance, client_for, request, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse(URL)).status_code in (302, 403)
    assert client.get(reverse(URL), {"format": "csv"}).status_code in (302, 403)
