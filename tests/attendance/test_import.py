"""Attendance import for a session: CSV (UTF-8, UTF-8 with BOM, GBK from Excel) or XLSX; every row
checked first with Chinese messages naming the row and column (wrong columns, unknown people,
names that do not match, duplicates, bad statuses, people not on the roster); a dry-run preview;
then one atomic apply through the import channel. Nothing is half-applied."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from lms.attendance import importing
from lms.attendance.models import AttendanceChannel, AttendanceRecord, AttendanceStatus
from lms.learning.models import Enrollment, EnrollmentSource
from lms.people import roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(course, enrolled, other_secretary):
    Enrollment.enrol(other_secretary, course, EnrollmentSource.BULK)
    return [enrolled, other_secretary]


def csv_bytes(rows, encoding="utf-8"):
    return "\r\n".join(",".join(r) for r in rows).encode(encoding)


def xlsx_bytes(rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run(data, filename, session, user, **kwargs):
    with translation.override("zh-hans"):
        return importing.run_import(data, filename, session, user, **kwargs)


def messages_of(result):
    with translation.override("zh-hans"):
        return [str(e) for e in result.errors]


@pytest.mark.parametrize("encoding, prefix", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gbk", b"")])
def test_it_reads_csv_in_utf8_bom_and_gbk(session, roster, training_office, encoding, prefix):
    data = prefix + csv_bytes([["姓名", "手机号", "考勤"], [roster[0].name, roster[0].phone, "出勤"],
                               [roster[1].name, roster[1].phone, "请假"]], encoding)
    result = run(data, "签到表.csv", session, training_office.user, dry_run=False)
    assert result.errors == [] and result.applied
    assert dict(AttendanceRecord.objects.values_list("person__name", "status")) == {
        roster[0].name: "present", roster[1].name: "excused"}
    assert set(AttendanceRecord.objects.values_list("channel", flat=True)) == {"import"}


def test_it_reads_xlsx_with_phone_numbers_as_numbers(session, roster, training_office):
    data = xlsx_bytes([["手机号码", "考勤状态"], [int(roster[0].phone), "迟到"]])
    result = run(data, "sheet.xlsx", session, training_office.user, dry_run=False)
    assert result.errors == []
    record = AttendanceRecord.objects.get()
    assert (record.status, record.recorded_by, record.first_seen_at) == ("late", training_office.user,
                                                                          session.starts_at)


def test_a_dry_run_writes_nothing_and_shows_the_changes(session, roster, training_office):
    AttendanceRecord.objects.record_status(roster[0], session, status=AttendanceStatus.ABSENT,
                                           channel=AttendanceChannel.SESSION_CLOSE)
    data = csv_bytes([["手机号", "考勤"], [roster[0].phone, "出勤"], [roster[1].phone, "缺勤"]])
    result = run(data, "a.csv", session, training_office.user)
    assert [(c.action, c.old_status, c.new_status) for c in result.changes] == [
        ("update", "absent", "present"), ("create", None, "absent")]
    assert AttendanceRecord.objects.get().status == "absent"


def test_it_reports_every_bad_row_and_imports_nothing(session, roster, training_office, org_tree, make_person):
    stranger = make_person("路人", org_tree["community_a"])
    data = csv_bytes([
        ["姓名", "手机号", "考勤"],
        [roster[0].name, roster[0].phone, "出勤"],          # 2: fine
        ["王五", roster[1].phone, "出勤"],                   # 3: name does not match
        ["", "13912345678", "出勤"],                         # 4: unknown
        ["", "12345", "出勤"],                               # 5: not a mobile number
        ["", roster[0].phone, "出勤"],                       # 6: duplicate of row 2
        ["", roster[1].phone, "睡觉"],                       # 7: duplicate of row 3, and a bad status
        ["", stranger.phone, "出勤"],                        # 8: not enrolled
        ["", "", ""],                                         # blank: skipped
        ["", roster[1].phone, ""],                           # 10: status missing (and duplicate of 3)
    ], "utf-8")
    result = run(data, "bad.csv", session, training_office.user, dry_run=False)
    assert not result.applied and not AttendanceRecord.objects.exists()
    text = messages_of(result)
    assert [e.row for e in result.errors] == [3, 4, 5, 6, 7, 7, 8, 10, 10]
    assert "第 3 行" in text[0] and "姓名" in text[0] and "与手机号不符" in text[0]
    assert "第 4 行" in text[1] and "您的管辖范围内没有使用该手机号的人员" in text[1]
    assert "不是 11 位手机号" in text[2]
    assert "已在第 2 行" in text[3]
    assert "已在第 3 行" in text[4] and "不是考勤状态" in text[5]
    assert "第 8 行" in text[6] and "路人 未报名本课程" in text[6]
    assert "缺少考勤状态" in text[8]


def test_it_refuses_files_it_cannot_read(session, roster, training_office):
    with translation.override("zh-hans"):
        with pytest.raises(importing.ImportFileError, match="缺少必填列"):
            importing.run_import(csv_bytes([["姓名", "单位"], ["张三", "东湖"]]), "a.csv", session,
                                 training_office.user)
        with pytest.raises(importing.ImportFileError):
            importing.run_import(b"\x00\x01garbage", "a.xlsx", session, training_office.user)
        with pytest.raises(importing.ImportFileError):
            importing.run_import(b"x", "a.pdf", session, training_office.user)
        with pytest.raises(importing.ImportFileError):
            importing.run_import(b"", "a.csv", session, training_office.user)


def test_it_only_finds_people_in_the_uploaders_scope(session, roster, org_tree, make_person):
    street_office = make_person("东湖培训专干", org_tree["street_a"], groups=[roles.TRAINING_OFFICE])
    result = run(csv_bytes([["手机号", "考勤"], [roster[1].phone, "出勤"]]), "a.csv", session, street_office.user)
    assert [e.row for e in result.errors] == [2]


def test_it_refuses_a_plan_that_changed_since_the_preview(session, roster, training_office):
    data = csv_bytes([["手机号", "考勤"], [roster[0].phone, "出勤"]])
    preview = run(data, "a.csv", session, training_office.user)
    AttendanceRecord.objects.record_status(roster[0], session, status=AttendanceStatus.LATE,
                                           channel=AttendanceChannel.QR)
    with pytest.raises(importing.ImportConflict):
        run(data, "a.csv", session, training_office.user, dry_run=False,
            expected_fingerprint=importing.fingerprint(preview.changes))
    assert AttendanceRecord.objects.get().status == "late"


# --- the admin screen -----------------------------------------------------------------------------


def url(session):
    return reverse("wagtailsnippets_attendance_session:import", args=[session.pk])


def test_upload_preview_confirm(session, roster, training_office, client_for):
    client = client_for(training_office)
    data = csv_bytes([["姓名", "手机号", "考勤"], [roster[0].name, roster[0].phone, "出勤"]], "gbk")
    with translation.override("zh-hans"):
        assert client.get(url(session)).status_code == 200
        preview = client.post(url(session), {"file": SimpleUploadedFile("签到表.csv", data)})
    html = preview.content.decode()
    assert preview.status_code == 200 and 'data-action="create"' in html
    assert not AttendanceRecord.objects.exists()
    token = preview.context["token"]
    done = client.post(url(session), {"token": token, "fingerprint": preview.context["fingerprint"]})
    assert done.status_code == 302
    assert AttendanceRecord.objects.get().status == "present"
    again = client.post(url(session), {"token": token, "fingerprint": preview.context["fingerprint"]})
    assert again.status_code == 302 and AttendanceRecord.objects.count() == 1  # the token is used up


def test_the_screen_shows_row_errors_in_chinese(session, roster, training_office, client_for):
    data = csv_bytes([["手机号", "考勤"], ["13912345678", "出勤"]])
    with translation.override("zh-hans"):
        response = client_for(training_office).post(url(session), {"file": SimpleUploadedFile("a.csv", data)})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-row="2"' in html and "第 2 行" in html
    assert "token" not in response.context or not response.context.get("token")


def test_another_user_cannot_confirm_my_preview(session, roster, training_office, org_tree, make_person, client_for):
    data = csv_bytes([["手机号", "考勤"], [roster[0].phone, "出勤"]])
    preview = client_for(training_office).post(url(session), {"file": SimpleUploadedFile("a.csv", data)})
    other = make_person("另一位培训科", org_tree["district"], groups=[roles.TRAINING_OFFICE])
    client_for(other).post(url(session), {"token": preview.context["token"],
                                          "fingerprint": preview.context["fingerprint"]})
    assert not AttendanceRecord.objects.exists()


@pytest.mark.parametrize("who", ["secretary", "trainer", "hr", "street_admin"])
def test_import_is_for_the_training_office(session, client_for, request, who):
    response = client_for(request.getfixturevalue(who)).get(url(session))
    assert response.status_code in (302, 403)
