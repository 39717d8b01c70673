"""Roster import (lms.people.roster): parse XLSX/CSV safely, validate every row, plan, apply atomically."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from lms.people import roles, roster
from lms.people.models import CadreCategory, CadreLevel, Person, Post

pytestmark = pytest.mark.django_db

HEADERS = ["姓名", "手机号", "工号", "所属组织", "职务", "干部类别", "级别", "任职日期", "状态"]


def xlsx(rows, headers=HEADERS):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, headers=HEADERS, encoding="utf-8"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def good_rows():
    return [
        ["陈明", "13911110001", "E001", "东湖社区", "书记", "社区党组织书记", "无职级", "2024-03-01", "在职"],
        ["刘芳", "13911110002", "E002", "C-B", "副书记", "社区党组织书记", "", "2023/9/15", ""],
    ]


@pytest.fixture
def street_hr(org_tree, make_person):
    return make_person("周干事", org_tree["street_a"], groups=[roles.HR], username="street-a-hr")


def errors_of(result):
    return [(e.row, e.column) for e in result.errors]


def test_it_imports_an_xlsx_roster(hr, org_tree):
    result = roster.run_import(xlsx(good_rows()), "名单.xlsx", hr.user, dry_run=False)
    assert result.errors == [] and result.applied
    assert result.plan.counts == {"create": 2, "update": 0, "deactivate": 0, "unchanged": 0}
    chen = Person.objects.get(phone="13911110001")
    assert chen.name == "陈明" and chen.staff_number == "E001"
    assert chen.organization == org_tree["community_a"]
    assert chen.post == Post.SECRETARY and chen.cadre_category == CadreCategory.COMMUNITY_SECRETARY
    assert chen.level == CadreLevel.NONE and chen.appointed_on == datetime.date(2024, 3, 1) and chen.is_active
    liu = Person.objects.get(phone="13911110002")
    assert liu.organization == org_tree["community_b"]  # matched by code
    assert liu.appointed_on == datetime.date(2023, 9, 15)
    # A login account named after the phone, no usable password yet, in the learner role.
    assert chen.user.username == "13911110001"
    assert not chen.user.has_usable_password()
    assert chen.user.groups.filter(name=roles.LEARNER).exists()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_it_imports_a_csv_roster_in_each_encoding(hr, org_tree, encoding):
    result = roster.run_import(csv_bytes(good_rows(), encoding=encoding), "roster.csv", hr.user, dry_run=False)
    assert result.errors == []
    assert set(Person.objects.filter(phone__startswith="139111100").values_list("name", flat=True)) == {"陈明", "刘芳"}


def test_it_imports_excels_unicode_text_export(hr, org_tree):
    text = "\n".join("\t".join(row) for row in [HEADERS, *good_rows()])
    result = roster.run_import(text.encode("utf-16"), "roster.csv", hr.user, dry_run=False)
    assert result.errors == [] and result.plan.counts["create"] == 2


def test_it_reads_xlsx_numbers_and_dates_as_cells(hr, org_tree):
    rows = [["陈明", 13911110001, 1001, "东湖社区", "书记", "社区党组织书记", "正科", datetime.datetime(2022, 5, 4), "是"]]
    result = roster.run_import(xlsx(rows), "a.xlsx", hr.user, dry_run=False)
    assert result.errors == []
    person = Person.objects.get(phone="13911110001")
    assert person.staff_number == "1001" and person.appointed_on == datetime.date(2022, 5, 4)
    assert person.level == CadreLevel.SECTION


def test_it_applies_nothing_on_a_dry_run(hr, org_tree):
    before = Person.objects.count()
    result = roster.run_import(xlsx(good_rows()), "a.xlsx", hr.user, dry_run=True)
    assert not result.applied and result.plan.counts["create"] == 2
    assert Person.objects.count() == before


def test_it_matches_by_phone_and_updates_changed_fields(hr, secretary, org_tree):
    rows = [["张书记", secretary.phone, "S-9", "东湖社区", "书记", "社区党组织书记", "副科", "2021-01-01", "在职"]]
    result = roster.run_import(xlsx(rows), "a.xlsx", hr.user, dry_run=True)
    [change] = result.plan.changes
    assert change.action == "update" and change.person == secretary
    assert ("级别", "无职级", "副科级") in change.diff
    assert ("工号", "", "S-9") in change.diff
    roster.run_import(xlsx(rows), "a.xlsx", hr.user, dry_run=False)
    secretary.refresh_from_db()
    assert secretary.level == CadreLevel.DEPUTY_SECTION and secretary.staff_number == "S-9"
    assert Person.objects.filter(name="张书记").count() == 1


def test_it_matches_by_staff_number_and_changes_the_phone_and_login(hr, secretary, org_tree):
    secretary.staff_number = "S-1"
    secretary.save()
    rows = [["张书记", "13977770000", "S-1", "东湖社区", "", "", "", "", ""]]
    result = roster.run_import(xlsx(rows), "a.xlsx", hr.user, dry_run=False)
    assert result.plan.counts["update"] == 1
    secretary.refresh_from_db()
    assert secretary.phone == "13977770000"
    assert secretary.user.username == "13977770000"


def test_it_reports_unchanged_rows(hr, secretary, org_tree):
    rows = [[secretary.name, secretary.phone, "", "东湖社区", "书记", "社区党组织书记", "", "", "在职"]]
    result = roster.run_import(xlsx(rows), "a.xlsx", hr.user, dry_run=True)
    assert result.plan.counts == {"create": 0, "update": 0, "deactivate": 0, "unchanged": 1}


def test_it_deactivates_rows_marked_inactive(hr, secretary, other_secretary, org_tree):
    rows = [[secretary.name, secretary.phone, "", "东湖社区", "", "", "", "", "离职"]]
    result = roster.run_import(xlsx(rows), "a.xlsx", hr.user, dry_run=False)
    assert result.plan.counts["deactivate"] == 1
    secretary.refresh_from_db()
    other_secretary.refresh_from_db()
    assert not secretary.is_active
    assert other_secretary.is_active  # missing from the file: left alone by default


def test_it_deactivates_missing_persons_in_scope_only_when_asked(street_hr, secretary, other_secretary,
                                                                 street_admin, org_tree):
    rows = [["新人", "13911112222", "", "东湖社区", "", "", "", "", ""]]
    result = roster.run_import(xlsx(rows), "a.xlsx", street_hr.user, dry_run=False, deactivate_missing=True)
    assert result.plan.counts == {"create": 1, "update": 0, "deactivate": 2, "unchanged": 0}
    for person in (secretary, street_admin, street_hr, other_secretary):
        person.refresh_from_db()
    assert not secretary.is_active and not street_admin.is_active
    assert street_hr.is_active  # never the uploader
    assert other_secretary.is_active  # outside the uploader's scope


BAD_CASES = [
    (["", "13911110001", "", "东湖社区", "", "", "", "", ""], "姓名"),
    (["甲", "", "", "东湖社区", "", "", "", "", ""], "手机号"),
    (["甲", "1391111", "", "东湖社区", "", "", "", "", ""], "手机号"),
    (["甲", "23911110001", "", "东湖社区", "", "", "", "", ""], "手机号"),
    (["甲", "13911110001", "", "不存在的社区", "", "", "", "", ""], "所属组织"),
    (["甲", "13911110001", "", "", "", "", "", "", ""], "所属组织"),
    (["甲", "13911110001", "", "东湖社区", "主任", "", "", "", ""], "职务"),
    (["甲", "13911110001", "", "东湖社区", "", "书记类", "", "", ""], "干部类别"),
    (["甲", "13911110001", "", "东湖社区", "", "", "正处", "", ""], "级别"),
    (["甲", "13911110001", "", "东湖社区", "", "", "", "2024-13-01", ""], "任职日期"),
    (["甲", "13911110001", "", "东湖社区", "", "", "", "去年", ""], "任职日期"),
    (["甲", "13911110001", "", "东湖社区", "", "", "", "2999-01-01", ""], "任职日期"),
    (["甲", "13911110001", "", "东湖社区", "", "", "", "", "也许"], "状态"),
]


@pytest.mark.parametrize("bad_row, column", BAD_CASES)
def test_it_reports_each_kind_of_bad_row_with_its_number_and_applies_nothing(hr, org_tree, bad_row, column):
    rows = [good_rows()[1], bad_row]
    rows[1][1] = rows[1][1]
    before = Person.objects.count()
    result = roster.run_import(xlsx(rows), "a.xlsx", hr.user, dry_run=False)
    assert errors_of(result) == [(3, column)]
    assert result.errors[0].message  # a reason
    assert not result.applied and Person.objects.count() == before


def test_it_reports_every_bad_row_at_once(hr, org_tree):
    rows = [
        ["甲", "139", "", "东湖社区", "", "", "", "", ""],
        good_rows()[0],
        ["乙", "13911110009", "", "火星社区", "", "", "", "2999-1-1", ""],
    ]
    result = roster.run_import(csv_bytes(rows), "a.csv", hr.user, dry_run=False)
    assert errors_of(result) == [(2, "手机号"), (4, "所属组织"), (4, "任职日期")]
    assert not Person.objects.filter(phone="13911110001").exists()


def test_it_writes_the_reasons_in_chinese(hr, org_tree):
    rows = [["甲", "13911110001", "", "火星社区", "", "", "", "", ""]]
    result = roster.run_import(xlsx(rows), "a.xlsx", hr.user)
    assert "火星社区" in result.errors[0].message
    assert "未知" in result.errors[0].message or "不存在" in result.errors[0].message


def test_it_rejects_a_phone_duplicated_within_the_file(hr, org_tree):
    rows = [good_rows()[0], ["别人", "13911110001", "", "东湖社区", "", "", "", "", ""]]
    result = roster.run_import(xlsx(rows), "a.xlsx", hr.user, dry_run=False)
    assert errors_of(result) == [(3, "手机号")]
    assert "2" in result.errors[0].message
    assert not Person.objects.filter(phone="13911110001").exists()


def test_it_rejects_a_staff_number_duplicated_within_the_file(hr, org_tree):
    rows = [good_rows()[0], ["别人", "13911110005", "E001", "东湖社区", "", "", "", "", ""]]
    result = roster.run_import(xlsx(rows), "a.xlsx", hr.user)
    assert errors_of(result) == [(3, "工号")]


def test_it_rejects_phone_and_staff_number_of_two_different_persons(hr, secretary, other_secretary, org_tree):
    other_secretary.staff_number = "B-1"
    other_secretary.save()
    rows = [["张书记", secretary.phone, "B-1", "东湖社区", "", "", "", "", ""]]
    result = roster.run_import(xlsx(rows), "a.xlsx", hr.user)
    assert errors_of(result) == [(2, "工号")]


def test_it_rejects_a_new_phone_that_is_another_accounts_login(hr, secretary, org_tree):
    get_user_model().objects.create_user(username="13955550000")
    secretary.staff_number = "S-1"
    secretary.save()
    rows = [["张书记", "13955550000", "S-1", "东湖社区", "", "", "", "", ""]]
    result = roster.run_import(xlsx(rows), "a.xlsx", hr.user, dry_run=False)
    assert errors_of(result) == [(2, "手机号")]
    secretary.refresh_from_db()
    assert secretary.phone != "13955550000"


def test_it_applies_all_or_nothing(hr, secretary, org_tree, monkeypatch):
    """New persons are written first; when the update after them fails, they are rolled back too."""
    rows = good_rows() + [["改名了", secretary.phone, "", "东湖社区", "", "", "", "", ""]]

    def failing_bulk_update(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Person.objects, "bulk_update", failing_bulk_update)
    with pytest.raises(RuntimeError):
        roster.run_import(xlsx(rows), "a.xlsx", hr.user, dry_run=False)
    assert not Person.objects.filter(phone__in=["13911110001", "13911110002"]).exists()
    assert not get_user_model().objects.filter(username="13911110001").exists()
    secretary.refresh_from_db()
    assert secretary.name == "张书记"


def test_it_reports_a_conflict_found_only_when_writing(hr, org_tree, monkeypatch):
    """A number taken between validation and the write (a race) is a clear error, nothing written."""
    real_validate = roster.validate

    def validate_then_race(parsed, user=None):
        result = real_validate(parsed, user)
        get_user_model().objects.create_user(username="13911110002")
        return result

    monkeypatch.setattr(roster, "validate", validate_then_race)
    with pytest.raises(roster.RosterConflict):
        roster.run_import(xlsx(good_rows()), "a.xlsx", hr.user, dry_run=False)
    assert not Person.objects.filter(phone="13911110001").exists()


def test_it_refuses_a_plan_that_changed_since_the_preview(hr, org_tree):
    preview = roster.run_import(xlsx(good_rows()), "a.xlsx", hr.user)
    fingerprint = preview.plan.fingerprint()
    roster.run_import(xlsx(good_rows()[:1]), "a.xlsx", hr.user, dry_run=False)
    with pytest.raises(roster.RosterConflict):
        roster.run_import(xlsx(good_rows()), "a.xlsx", hr.user, dry_run=False, expected_fingerprint=fingerprint)
    assert not Person.objects.filter(phone="13911110002").exists()


# --- scope ------------------------------------------------------------------------------------


def test_it_refuses_street_hr_an_organization_of_another_street(street_hr, org_tree):
    rows = [["甲", "13911110001", "", "西山社区", "", "", "", "", ""],
            ["乙", "13911110002", "", "东湖社区", "", "", "", "", ""]]
    result = roster.run_import(xlsx(rows), "a.xlsx", street_hr.user, dry_run=False)
    assert errors_of(result) == [(2, "所属组织")]
    assert Person.objects.filter(phone__in=["13911110001", "13911110002"]).count() == 0


def test_it_refuses_street_hr_a_person_of_another_street(street_hr, other_secretary, org_tree):
    rows = [["李书记", other_secretary.phone, "", "东湖社区", "", "", "", "", ""]]
    result = roster.run_import(xlsx(rows), "a.xlsx", street_hr.user, dry_run=False)
    assert errors_of(result) == [(2, "手机号")]
    other_secretary.refresh_from_db()
    assert other_secretary.organization == org_tree["community_b"]


# --- bad files --------------------------------------------------------------------------------


@pytest.mark.parametrize("data, filename", [
    (b"", "a.xlsx"),
    (b"", "a.csv"),
    (b"PK\x03\x04 this is not a zip", "a.xlsx"),
    (b"not a spreadsheet at all", "a.xlsx"),
    (b"\x89PNG\r\n", "a.png"),
    (b"a,b", "roster.txt"),
    ("姓名,手机号\n张三,13900000000\n".encode(), "a.csv"),  # no organization column
    ("姓名,手机号,所属组织\n".encode(), "a.csv"),  # header only
    (b"\xff\xfe\x00\x01\x02\xff", "a.csv"),
])
def test_it_rejects_bad_files_with_a_message(hr, org_tree, data, filename):
    with pytest.raises(roster.RosterFileError) as excinfo:
        roster.run_import(data, filename, hr.user)
    assert str(excinfo.value)


def test_it_rejects_an_xlsx_without_required_columns(hr, org_tree):
    with pytest.raises(roster.RosterFileError, match="所属组织"):
        roster.run_import(xlsx([["甲", "13911110001"]], headers=["姓名", "手机号"]), "a.xlsx", hr.user)


def test_it_limits_the_number_of_rows(hr, org_tree, monkeypatch):
    monkeypatch.setattr(roster, "MAX_ROWS", 2)
    rows = good_rows() + [["丙", "13911110003", "", "东湖社区", "", "", "", "", ""]]
    with pytest.raises(roster.RosterFileError, match="2"):
        roster.run_import(csv_bytes(rows), "a.csv", hr.user)


def test_it_limits_the_file_size(hr, org_tree, monkeypatch):
    monkeypatch.setattr(roster, "MAX_FILE_BYTES", 100)
    with pytest.raises(roster.RosterFileError):
        roster.run_import(xlsx(good_rows()), "a.xlsx", hr.user)


def test_it_parses_xlsx_with_defusedxml():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True


def test_it_offers_a_template_that_imports_as_its_own_example(hr, org_tree):
    data = roster.template_workbook()
    parsed = roster.parse(data, "template.xlsx")
    assert set(parsed.headers) == set(roster.COLUMNS)
    result = roster.run_import(data, "template.xlsx", hr.user)
    assert result.errors == [] and result.plan.counts["create"] == 1


# --- the management command -------------------------------------------------------------------


def test_it_imports_from_the_command_line(hr, org_tree, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx(good_rows()))
    out = io.StringIO()
    call_command("import_roster", str(path), "--as-user", "hr", stdout=out)
    assert Person.objects.filter(phone__in=["13911110001", "13911110002"]).count() == 2
    assert "陈明" in out.getvalue()


def test_it_writes_nothing_on_a_command_line_dry_run(hr, org_tree, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(good_rows(), encoding="gbk"))
    out = io.StringIO()
    call_command("import_roster", str(path), "--dry-run", stdout=out)
    assert not Person.objects.filter(phone="13911110001").exists()
    assert "2" in out.getvalue()


def test_it_exits_non_zero_and_prints_row_errors_from_the_command_line(hr, org_tree, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx([good_rows()[0], ["乙", "123", "", "东湖社区", "", "", "", "", ""]]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_roster", str(path), stderr=err)
    assert "3" in err.getvalue() and "手机号" in err.getvalue()
    assert not Person.objects.filter(phone="13911110001").exists()


def test_it_exits_non_zero_for_a_bad_file_or_user_from_the_command_line(hr, org_tree, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"garbage")
    with pytest.raises(CommandError):
        call_command("import_roster", str(path))
    path.write_bytes(xlsx(good_rows()))
    with pytest.raises(CommandError):
        call_command("import_roster", str(path), "--as-user", "nobody")
    with pytest.raises(CommandError):
        call_command("import_roster", str(tmp_path / "missing.xlsx"))


def test_it_exits_with_status_1_when_run_as_a_script(hr, org_tree, tmp_path):
    from django.core.management import ManagementUtility

    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx([["乙", "123", "", "东湖社区", "", "", "", "", ""]]))
    with pytest.raises(SystemExit) as excinfo:
        ManagementUtility(["manage.py", "import_roster", str(path)]).execute()
    assert excinfo.value.code == 1


def test_it_deactivates_missing_persons_from_the_command_line_only_when_asked(hr, secretary, org_tree, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx(good_rows()))
    call_command("import_roster", str(path), "--as-user", "hr", stdout=io.StringIO())
    secretary.refresh_from_db()
    assert secretary.is_active
    out = io.StringIO()
    call_command("import_roster", str(path), "--as-user", "hr", "--deactivate-missing", stdout=out)
    secretary.refresh_from_db()
    hr.refresh_from_db()
    assert not secretary.is_active and hr.is_active
    assert "张书记" in out.getvalue()
