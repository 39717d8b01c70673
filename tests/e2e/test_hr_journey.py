"""HR (干部科) in the Wagtail admin: imports the cadre roster from an XLSX file (a dry-run preview,
then apply), adds a requirement to the year's annual training plan, and starts the yearly training
records export, which runs as a django-q2 task; the status page shows the progress until the file
is ready, and HR downloads it."""

import io
import re

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import log_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

HEADERS = ["姓名", "手机号", "工号", "所属组织", "职务", "干部类别", "级别", "任职日期", "状态"]
ROSTER = [
    ["陈明", "13911110001", "E001", "东湖社区", "书记", "社区党组织书记", "", "2024-03-01", "在职"],
    ["林芳", "13911110002", "E002", "西山社区", "书记", "社区党组织书记", "", "2025-09-01", "在职"],
]


def _roster_xlsx():
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADERS)
    for row in ROSTER:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def plan(live_server, home_page, org_tree):
    """This year's plan, still without requirements."""
    from lms.learning.models import AnnualPlan

    year = timezone.localdate().year
    return AnnualPlan.objects.create(year=year, title=f"{year}年度干部教育培训计划")


def test_it_lets_hr_import_the_roster_set_the_plan_and_export_the_year(
        live_server, plan, hr, password, task_worker, desktop_page, shot, tmp_path):
    from lms.learning.models import PlanRequirement
    from lms.people.models import Person
    from lms.records.models import ExportJob

    page, base_url = desktop_page, live_server.url
    log_in(page, base_url, hr.user.username, password, admin=True)
    shot(page, "01-dashboard")

    # Roster import: upload, check the preview (nothing is applied yet), apply.
    page.goto(f"{base_url}/admin/people/roster-import/")
    page.set_input_files("input[name=file]", files=[{
        "name": "干部名单.xlsx", "buffer": _roster_xlsx(),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    shot(page, "02-roster-upload")
    # The buttons' icons keep to the text's size, so their labels show.
    assert page.evaluate("Math.max(...[...document.querySelectorAll('main .button svg')].map("
                         "s => s.getBoundingClientRect().width))") <= 20
    page.get_by_role("button", name="检查文件").click()
    apply = page.get_by_role("button", name="确认导入")
    expect(apply).to_be_visible()
    for name, phone, *_rest in ROSTER:
        expect(page.locator("main")).to_contain_text(name)
        expect(page.locator("main")).to_contain_text(phone)
    assert not Person.objects.filter(phone__in=[row[1] for row in ROSTER]).exists()  # a dry run
    shot(page, "03-roster-preview")
    apply.click()
    page.wait_for_url(re.compile(r"/admin/snippets/people/person/"))
    expect(page.locator(".messages")).to_contain_text("2")
    shot(page, "04-roster-applied")
    imported = Person.objects.filter(phone__in=[row[1] for row in ROSTER])
    assert sorted(imported.values_list("name", flat=True)) == ["林芳", "陈明"]

    # The year's plan: add a requirement for community secretaries.
    page.goto(f"{base_url}/admin/snippets/learning/annualplan/")
    page.get_by_role("link", name=str(plan.year), exact=True).click()
    expect(page.locator("#id_year")).to_have_value(str(plan.year))
    page.locator("#id_requirements-ADD").click()
    page.select_option("#id_requirements-0-cadre_category", "community_secretary")
    page.fill("#id_requirements-0-total_hours", "56")
    page.fill("#id_requirements-0-online_hours", "10")
    page.fill("#id_requirements-0-in_person_days", "3")
    shot(page, "05-plan-requirement")
    page.locator("footer button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/snippets/learning/annualplan/$"))
    expect(page.locator(".messages")).to_contain_text(plan.title)
    shot(page, "06-plan-saved")
    requirement = PlanRequirement.objects.get(plan=plan)
    assert (requirement.cadre_category, requirement.total_hours, requirement.online_hours) == (
        "community_secretary", 56, 10)

    # The yearly export runs in the background; the status page follows it until the file is ready.
    page.goto(f"{base_url}/admin/records/exports/")
    page.select_option("#id_year", str(plan.year))
    page.select_option("#id_file_format", "xlsx")
    shot(page, "07-export-form")
    page.get_by_role("button", name="开始导出").click()
    page.wait_for_url(re.compile(r"/admin/records/exports/\d+/$"))
    expect(page.locator("#export-status")).to_have_attribute("data-state", "queued")
    shot(page, "08-export-queued")
    assert "lms.records.tasks.run_export" in task_worker()
    expect(page.locator("#export-status")).to_have_attribute("data-state", "done", timeout=10_000)
    shot(page, "09-export-done")
    job = ExportJob.objects.get(requested_by=hr.user)
    with page.expect_download() as download_info:
        page.locator("#export-status a.button").click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    assert path.suffix == ".xlsx" and job.status == "done"
    workbook = openpyxl.load_workbook(path, read_only=True)
    cells = {str(value) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
             for value in row if value is not None}
    assert {"陈明", "林芳"} <= cells, sorted(cells)[:40]
