"""The yearly training-record export: files read back (openpyxl, csv), the command's errors, the
background task with its status page, retry and download."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from lms.learning.models import Delivery
from lms.people.models import CadreCategory, Organization, Person
from lms.records import export, tasks
from lms.records.models import ExportJob, ExportStatus
from lms.rotations.models import Direction, Rotation

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(plan_2026, require, earn, secretary, other_secretary, org_tree, course):
    require(plan_2026, category=CadreCategory.COMMUNITY_SECRETARY, total_hours="10", online_hours="2")
    earn(secretary, 2026, "6", title="集中授课", course=course)
    earn(secretary, 2026, "4.5", Delivery.ONLINE, title="网络课程")
    earn(other_secretary, 2026, "3", title="专题讲座")
    earn(secretary, 2025, "9", title="去年的培训")
    Rotation.objects.create(person=secretary, direction=Direction.SECONDMENT, host_organization=org_tree["agency"],
                            starts_on=datetime.date(2026, 3, 1), ends_on=datetime.date(2026, 8, 31),
                            post_held="科员")


@pytest.fixture
def certified(records, certify, secretary, other_secretary, course, make_course):
    """Real certificates: the secretary holds one valid 2026 certificate (re-issued once: its first
    version is superseded), one revoked and one from 2025; the other secretary one valid."""
    certify(secretary, course, reissue=True)
    certify(secretary, make_course("2026年第二季度头雁讲坛"), revoke=True)
    certify(secretary, make_course("2025年第四季度头雁讲坛", year=2025, starts_on=datetime.date(2025, 12, 5),
                                   ends_on=datetime.date(2025, 12, 5)), issued_on=datetime.date(2025, 12, 20))
    certify(other_secretary, course)


def run(*args):
    out = io.StringIO()
    call_command("export_training_records", *args, stdout=out)
    return out.getvalue()


def read_xlsx(path):
    workbook = openpyxl.load_workbook(path)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook}, workbook


def test_it_writes_three_sheets_with_chinese_headers_and_real_dates(certified, tmp_path, secretary):
    path = tmp_path / "records.xlsx"
    assert "rows written" in run("--year", "2026", "--format", "xlsx", "--output", str(path))
    sheets, workbook = read_xlsx(path)
    assert list(sheets) == ["人员汇总", "学时明细", "挂职选派", "年度计划班次"]  # the batches: test_plan_execution
    summary = sheets["人员汇总"]
    assert summary[0][:4] == ["姓名", "手机号码", "工号", "所在组织"]
    row = next(r for r in summary if r[0] == "张书记")
    header = summary[0]
    value = dict(zip(header, row))
    assert value["手机号码"] == secretary.phone[:3] + "****" + secretary.phone[-4:]
    assert value["街道"] == "东湖街道" and value["所在组织"] == "东湖社区"
    assert (value["应修学时"], value["已获学时"], value["线上学时"], value["线下学时"]) == (10, 10.5, 4.5, 6)
    assert value["达标情况"] == "达标" and value["挂职/选派记录"] == 1
    assert value["证书"] == 1  # the valid 2026 one: not its superseded version, the revoked one or 2025's
    other = dict(zip(header, next(r for r in summary if r[0] == "李书记")))
    assert other["已获学时"] == 3 and other["挂职/选派记录"] == 0 and other["证书"] == 1
    assert len(summary) == 1 + Person.objects.count()

    detail = sheets["学时明细"]
    assert len(detail) == 4  # header + the three 2026 entries (not last year's)
    earned_at = [r for r in detail if r[4] == "集中授课"][0][9]
    assert isinstance(earned_at, datetime.datetime)
    rotations = sheets["挂职选派"]
    assert rotations[1][0] == "张书记" and rotations[1][7] == datetime.datetime(2026, 3, 1)
    for sheet in workbook:
        assert sheet.freeze_panes == "A2"
    assert [workbook[title].column_dimensions["A"].width for title in ("人员汇总", "学时明细", "挂职选派")] == [10] * 3


def test_csv_is_utf8_with_a_bom_one_table_per_file(certified, tmp_path):
    path = tmp_path / "records.csv"
    run("--year", "2026", "--format", "csv", "--output", str(path))
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == "姓名" and {"张书记", "李书记"} <= {r[0] for r in rows[1:]}
    certificates = {r[0]: r[rows[0].index("证书")] for r in rows[1:]}
    assert certificates["张书记"] == "1" and certificates["李书记"] == "1"
    run("--year", "2025", "--format", "csv", "--output", str(path))
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    assert {r[0]: r[rows[0].index("证书")] for r in rows[1:]}["张书记"] == "1"  # the one issued in 2025
    run("--year", "2026", "--format", "csv", "--table", "activities", "--output", str(path))
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    assert len(rows) == 4 and rows[1][-1].startswith("2026-05-01")


def test_filters_by_street_and_category(records, tmp_path, make_person, org_tree):
    make_person("党员甲", org_tree["community_a"])
    path = tmp_path / "a.csv"
    run("--year", "2026", "--format", "csv", "--output", str(path), "--street", "S-A",
        "--category", "社区党组织书记")
    names = [r[0] for r in csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")))][1:]
    assert names == ["张书记"]
    run("--year", "2026", "--format", "csv", "--output", str(path), "--category", "party_member,community_secretary")
    names = {r[0] for r in csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")))}
    assert {"张书记", "李书记", "党员甲"} <= names


@pytest.mark.parametrize("args, message", [
    (["--street", "NOPE"], "未找到编码为“NOPE”的街道"),
    (["--street", "AG"], "未找到编码为“AG”的街道"),  # an agency is not a street
    (["--category", "书记"], "未知的干部类别“书记”"),
    (["--year", "1900"], "年份须在 2000 到 2100 之间"),
])
def test_unknown_filters_stop_the_command_with_a_chinese_message(records, tmp_path, args, message):
    path = tmp_path / "x.xlsx"
    base = ["--year", "2026", "--output", str(path)]
    with pytest.raises(CommandError, match=message):
        run(*(base + args) if "--year" not in args else ["--output", str(path), *args])
    assert not path.exists()


def test_the_command_exits_non_zero_on_bad_filters(records, tmp_path):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "manage.py", "export_training_records", "--year", "2026", "--output",
                             str(tmp_path / "x.csv"), "--street", "NOPE"], capture_output=True, text=True,
                            env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "lms.settings.test",
                                 "SQLITE_PATH": str(tmp_path / "empty.sqlite3")})
    assert result.returncode != 0


def test_sheets_split_at_the_row_limit(records, tmp_path, earn, secretary):
    for n in range(5):
        earn(secretary, 2026, "1", title=f"第{n}课")
    request = export.ExportRequest.build(2026, Person.objects.all(), Organization.objects.all())
    path = tmp_path / "split.xlsx"
    export.write_xlsx(request, path, max_rows=4)  # header + 3 rows a sheet
    sheets, _workbook = read_xlsx(path)
    detail = [title for title in sheets if title.startswith("学时明细")]
    assert detail == ["学时明细", "学时明细 (2)", "学时明细 (3)"]
    assert sum(len(sheets[t]) - 1 for t in detail) == 8
    assert all(sheets[t][0][0] == "姓名" for t in detail)


# --- the admin: background task, status, retry, download -------------------------------------------

def test_hr_exports_from_the_admin_and_downloads_the_file(records, client_for, hr, settings, tmp_path,
                                                         django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = str(tmp_path)
    client = client_for(hr)
    assert client.get(reverse("records_export")).status_code == 200
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("records_export"), {"year": 2026, "file_format": "xlsx", "table": "summary"})
    job = ExportJob.objects.get()
    assert response.url == reverse("records_export_status", args=[job.pk])
    status = client.get(response.url).content.decode()
    assert 'data-state="queued"' in status and 'http-equiv="refresh"' in status

    assert tasks.run_export(job.pk) == "done"  # what the qcluster worker runs
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.rows_written == job.rows_total == 2 + 3 + 1 + 1
    assert "records/exports/" in job.file.name
    assert tasks.run_export(job.pk) == "skipped"  # delivered twice: nothing more
    page = client.get(reverse("records_export_status", args=[job.pk])).content.decode()
    assert 'data-state="done"' in page and 'http-equiv="refresh"' not in page
    download = client.get(reverse("records_export_download", args=[job.pk]))
    assert download.status_code == 200 and "training-records-2026.xlsx" in download["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert workbook.sheetnames[0] == "人员汇总"


def test_a_street_admin_exports_only_their_street(records, client_for, street_admin, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client = client_for(street_admin)
    assert client.post(reverse("records_export"), {"year": 2026, "file_format": "csv", "table": "summary",
                                                   "street": "S-B"}).status_code == 400  # not a choice for her
    client.post(reverse("records_export"), {"year": 2026, "file_format": "csv", "table": "summary"})
    job = ExportJob.objects.get()
    tasks.run_export(job.pk)
    job.refresh_from_db()
    names = [r[0] for r in csv.reader(io.StringIO(job.file.open("rb").read().decode("utf-8-sig")))]
    assert "张书记" in names and "李书记" not in names


def test_a_failed_export_is_shown_and_can_be_retried(records, client_for, hr, settings, tmp_path, monkeypatch,
                                                    django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = str(tmp_path)
    client = client_for(hr)
    client.post(reverse("records_export"), {"year": 2026, "file_format": "xlsx"})
    job = ExportJob.objects.get()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(export, "write_xlsx", broken)
    assert tasks.run_export(job.pk) == "failed"
    page = client.get(reverse("records_export_status", args=[job.pk])).content.decode()
    assert 'data-state="failed"' in page and "OSError" in page and "重试" in page
    assert client.get(reverse("records_export_download", args=[job.pk])).status_code == 404

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("records_export_retry", args=[job.pk]))
    assert len(callbacks) == 1  # queued again
    job.refresh_from_db()
    assert job.status == ExportStatus.QUEUED and job.error == ""
    assert tasks.run_export(job.pk) == "done"
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.attempts == 2


def test_an_export_whose_task_was_lost_can_be_retried_once_it_is_overdue(records, client_for, hr, settings, tmp_path,
                                                                         django_capture_on_commit_callbacks):
    """A cluster killed while holding the task (Redis broker) leaves the job "running" or "queued" for
    good: once the broker's retry window has passed, the status page offers to try again."""
    import datetime

    from django.utils import timezone

    settings.MEDIA_ROOT = str(tmp_path)
    client = client_for(hr)
    client.post(reverse("records_export"), {"year": 2026, "file_format": "xlsx"})
    job = ExportJob.objects.get()
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, started_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("records_export_retry", args=[job.pk]))
    assert callbacks == []  # still running: not queued twice
    assert "重试" not in client.get(reverse("records_export_status", args=[job.pk])).content.decode()

    ExportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - datetime.timedelta(hours=1))
    assert "重试" in client.get(reverse("records_export_status", args=[job.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("records_export_retry", args=[job.pk]))
        client.post(reverse("records_export_retry", args=[job.pk]))
    assert len(callbacks) == 1
    assert tasks.run_export(job.pk) == "done"


def test_other_peoples_exports_are_not_found(records, client_for, hr, training_office, trainer, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client_for(hr).post(reverse("records_export"), {"year": 2026, "file_format": "xlsx"})
    job = ExportJob.objects.get()
    tasks.run_export(job.pk)
    office = client_for(training_office)
    assert office.get(reverse("records_export_status", args=[job.pk])).status_code == 404
    assert office.get(reverse("records_export_download", args=[job.pk])).status_code == 404
    assert client_for(trainer).get(reverse("records_export_download", args=[job.pk])).status_code == 403


def test_certificates_are_counted_in_the_export_query_itself(records, certify, course, tmp_path, make_person,
                                                             org_tree):
    """One correlated subquery, no query per person: issuing more certificates to more people does
    not change the number of queries the summary takes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    path = tmp_path / "s.csv"

    def queries():
        with CaptureQueriesContext(connection) as captured:
            run("--year", "2026", "--format", "csv", "--output", str(path))
        return len(captured)

    learners = [make_person(f"学员{i}", org_tree["community_a"]) for i in range(3)]
    certify(learners[0], course)
    before = queries()
    for learner in learners[1:]:
        certify(learner, course)
    assert queries() == before
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    counts = {r[0]: r[rows[0].index("证书")] for r in rows[1:]}
    assert [counts[f"学员{i}"] for i in range(3)] == ["1", "1", "1"]
