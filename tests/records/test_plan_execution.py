"""The execution of the plan's batches (年度计划班次执行情况): planned vs. actual against a
hand-worked case, status rule, scoping, query count, the admin view and the XLSX sheet."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms.learning.models import Enrollment, EnrollmentSource, PlannedBatch
from lms.people.models import CadreCategory, OrgType
from lms.records import execution

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 30)
WHEN = datetime.datetime(2026, 3, 20, 16, tzinfo=datetime.UTC)


def enrol(person, course, completed=False, withdrawn=False):
    return Enrollment.objects.create(person=person, course=course, source=EnrollmentSource.BULK,
                                     completed_at=WHEN if completed else None, withdrawn_at=WHEN if withdrawn else None)


def make_batch(plan, name, starts_on, ends_on, courses=(), **fields):
    batch = PlannedBatch(plan=plan, name=name, starts_on=starts_on, ends_on=ends_on, **fields)
    batch.courses.set(list(courses))
    batch.save()
    return batch


@pytest.fixture
def case(plan_2026, earn, secretary, other_secretary, org_tree, make_person, make_course, program):
    """The hand-worked case (numbers for the district; street A's in brackets):

    forum (community secretaries, 10 planned, 2026-03-20, course c1):
      target: 张书记, 李书记, 王书记 (active community secretaries) = 3 [张, 王 = 2]; 陈书记 is inactive
      c1: 张 done, 李 done, 王 not done, 党员丙 done (outside the target, still a trainee)
      enrolled 4, completed 3, 75% -> over and below 90%: behind [3, 2, 67%]
      学时: 张 6 + 李 6 in c1 = 12 [6]; 张's 5 outside any course do not count
    class (2026-11-01 .. 2026-12-31, courses c2 and c3):
      c2: 张 done, 李 done; c3: 张 not done, 王 withdrawn (not counted)
      enrolled 张, 李 = 2; completed only 李 (张 has c3 open) = 1; 学时 张 3 in c2 -> in progress
    empty (2026-06-01 .. 06-30, no course): behind; future (2026-12-10 ..): not started"""
    community_a, community_b = org_tree["community_a"], org_tree["community_b"]
    secretary_category = CadreCategory.COMMUNITY_SECRETARY
    wang = make_person("王书记", community_a, cadre_category=secretary_category)
    make_person("陈书记", community_b, cadre_category=secretary_category, is_active=False)
    member = make_person("党员丙", community_a)
    c1 = make_course("2026年第一季度头雁讲坛", slug="c1")
    c2 = make_course("2026年书记班（上）", slug="c2")
    c3 = make_course("2026年书记班（下）", slug="c3")
    for person, done in ((secretary, True), (other_secretary, True), (wang, False), (member, True)):
        enrol(person, c1, completed=done)
    enrol(secretary, c2, completed=True)
    enrol(other_secretary, c2, completed=True)
    enrol(secretary, c3)
    enrol(wang, c3, completed=True, withdrawn=True)
    earn(secretary, 2026, "6", course=c1)
    earn(other_secretary, 2026, "6", course=c1)
    earn(secretary, 2026, "3", course=c2)
    earn(secretary, 2026, "5")
    target = {"org_types": [OrgType.COMMUNITY, OrgType.VILLAGE], "categories": [secretary_category]}
    batches = {
        "forum": make_batch(plan_2026, "第一期 头雁讲坛", datetime.date(2026, 3, 20), datetime.date(2026, 3, 20), [c1],
                            program=program, planned_trainees=10, planned_days=Decimal("1"),
                            planned_hours=Decimal("6"), organizer="区委组织部", sort_order=0, **target),
        "class": make_batch(plan_2026, "第一期 书记班", datetime.date(2026, 11, 1), datetime.date(2026, 12, 31),
                            [c2, c3], planned_trainees=2, organizer="南京师范大学", sort_order=1, **target),
        "empty": make_batch(plan_2026, "机关年轻干部班", datetime.date(2026, 6, 1), datetime.date(2026, 6, 30),
                            org_types=[OrgType.AGENCY], sort_order=2),
        "future": make_batch(plan_2026, "第四期 头雁讲坛", datetime.date(2026, 12, 10), datetime.date(2026, 12, 10),
                             sort_order=3, **target),
    }
    return batches


def figures(user, today=TODAY):
    _plan, rows = execution.plan_execution(user, 2026, today=today)
    return {row.batch.name: (row.target, row.enrolled, row.completed, row.completion_rate, row.hours, row.status)
            for row in rows}


def test_it_counts_planned_vs_actual_as_worked_by_hand(case, hr):
    assert figures(hr.user) == {
        "第一期 头雁讲坛": (3, 4, 3, 75, Decimal("12"), execution.BEHIND),
        "第一期 书记班": (3, 2, 1, 50, Decimal("3"), execution.IN_PROGRESS),
        "机关年轻干部班": (0, 0, 0, None, Decimal("0"), execution.BEHIND),  # 钱干事 works in the district office
        "第四期 头雁讲坛": (3, 0, 0, None, Decimal("0"), execution.NOT_STARTED),
    }


def test_a_street_admin_counts_only_their_street(case, street_admin):
    found = figures(street_admin.user)
    assert found["第一期 头雁讲坛"] == (2, 3, 2, 67, Decimal("6"), execution.BEHIND)
    assert found["第一期 书记班"][:3] == (2, 1, 0)


def test_the_status_rule(case):
    batch = case["forum"]
    day = datetime.date
    assert execution.status_of(batch, 0, 0, True, day(2026, 3, 19)) == execution.NOT_STARTED
    assert execution.status_of(batch, 0, 0, True, day(2026, 3, 20)) == execution.BEHIND  # started, nobody enrolled
    assert execution.status_of(batch, 5, 0, False, day(2026, 3, 20)) == execution.BEHIND  # no course linked
    assert execution.status_of(batch, 5, 1, True, day(2026, 3, 20)) == execution.IN_PROGRESS
    assert execution.status_of(batch, 10, 9, True, day(2026, 3, 21)) == execution.DONE  # 90% is enough
    assert execution.status_of(batch, 10, 8, True, day(2026, 3, 21)) == execution.BEHIND


def test_the_queries_do_not_grow_with_the_number_of_persons(case, hr, make_person, org_tree):
    with CaptureQueriesContext(connection) as before:
        execution.plan_execution(hr.user, 2026, today=TODAY)
    course = case["forum"].courses.get()
    for number in range(12):
        person = make_person(f"新书记{number}", org_tree["community_b"], cadre_category=CadreCategory.COMMUNITY_SECRETARY)
        enrol(person, course, completed=number % 2 == 0)
    with CaptureQueriesContext(connection) as after:
        _plan, rows = execution.plan_execution(hr.user, 2026, today=TODAY)
    assert rows[0].enrolled == 16 and rows[0].target == 15
    assert len(after.captured_queries) == len(before.captured_queries)


# --- the admin view ------------------------------------------------------------------------------

URL = reverse("records_plan_execution", args=[2026])


@pytest.fixture
def today(clock):
    clock.now = datetime.datetime(2026, 11, 30, 4, tzinfo=datetime.UTC)
    return clock


@pytest.mark.parametrize("who", ["hr", "training_office", "superuser"])
def test_records_staff_see_every_batch_with_a_chart(who, request, client_for, case, today):
    response = client_for(request.getfixturevalue(who)).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<svg class="records-chart" id="plan-chart"' in html
    assert html.count('data-bar="') == 4
    row = html[html.index('<tr data-batch="第一期 头雁讲坛"'):]
    row = row[:row.index("</tr>")]
    for figure, value in (("planned", "10"), ("target", "3"), ("enrolled", "4"), ("completed", "3"), ("rate", "75%"),
                          ("hours", "12")):
        assert f'data-figure="{figure}">{value}<' in row
    assert 'data-status="behind"' in row and "滞后" in row and "区委组织部" in row
    assert 'data-status="not_started"' in html and "未开始" in html and "进行中" in html
    assert ">3 / 4 / 10</text>" in html  # completed / enrolled / planned


def test_a_street_admin_sees_their_street_s_numbers(client_for, street_admin, case, today):
    html = client_for(street_admin).get(URL).content.decode()
    row = html[html.index('<tr data-batch="第一期 头雁讲坛"'):]
    row = row[:row.index("</tr>")]
    assert 'data-figure="target">2<' in row and 'data-figure="enrolled">3<' in row and 'data-figure="hours">6<' in row
    assert "本辖区对象人数" in html and "计划人数（全计划）" in html  # the bars compare with their street's group
    assert '<g data-bar="第一期 头雁讲坛">' in html and ">2 / 3 / 2</text>" in html


@pytest.mark.parametrize("who, status", [("trainer", 403), ("secretary", 302)])
def test_trainers_and_learners_are_refused(who, status, request, client_for, case):
    client = client_for(request.getfixturevalue(who))
    assert client.get(URL).status_code == status
    assert client.get(reverse("records_plan_execution_current")).status_code == status


def test_the_menu_entry_goes_to_the_latest_plan_and_a_year_without_batches_says_so(client_for, hr, plan_2026,
                                                                                     today):
    client = client_for(hr)
    response = client.get(reverse("records_plan_execution_current"))
    assert response.status_code == 302 and response["Location"] == URL
    assert "本计划尚未安排班次" in client.get(URL).content.decode()
    assert "2031年度尚无培训计划" in client.get(reverse("records_plan_execution", args=[2031])).content.decode()
    assert URL in client.get(reverse("records_compliance"), {"year": 2026}).content.decode()  # linked from compliance


# --- the export ----------------------------------------------------------------------------------

def export(*args):
    call_command("export_training_records", *args, stdout=io.StringIO())


def test_the_xlsx_export_has_the_batches_sheet(case, tmp_path, today):
    path = tmp_path / "records.xlsx"
    export("--year", "2026", "--format", "xlsx", "--output", str(path))
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[-1] == "年度计划班次"
    sheet = workbook["年度计划班次"]
    assert sheet.freeze_panes == "A2"
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows[0]
    assert header[:3] == ["项目", "班次", "培训对象"]
    forum = dict(zip(header, rows[1]))
    assert forum["班次"] == "第一期 头雁讲坛" and forum["项目"] == "头雁讲坛"
    assert forum["计划开始"] == datetime.datetime(2026, 3, 20) and forum["计划人数"] == 10
    assert (forum["对象人数"], forum["报名人数"], forum["完成人数"], forum["完成率（%）"], forum["已授学时"]) == (3, 4, 3, 75, 12)
    assert forum["状态"] == "滞后" and forum["实施课程"] == "2026年第一季度头雁讲坛" and forum["主办单位"] == "区委组织部"
    assert forum["培训对象"] == "社区、村 · 社区党组织书记"
    assert dict(zip(header, rows[2]))["实施课程"] == "2026年书记班（上）、2026年书记班（下）"
    assert [row[1] for row in rows[1:]] == ["第一期 头雁讲坛", "第一期 书记班", "机关年轻干部班", "第四期 头雁讲坛"]


def test_the_batches_sheet_counts_only_the_exported_street(case, tmp_path, today):
    path = tmp_path / "street.xlsx"
    export("--year", "2026", "--format", "xlsx", "--output", str(path), "--street", "S-A")
    sheet = openpyxl.load_workbook(path)["年度计划班次"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    forum = dict(zip(rows[0], rows[1]))
    assert (forum["对象人数"], forum["报名人数"], forum["完成人数"], forum["已授学时"]) == (2, 3, 2, 6)


def test_csv_has_no_batches_table(case, tmp_path):
    with pytest.raises(CommandError):
        export("--year", "2026", "--format", "csv", "--table", "batches", "--output", str(tmp_path / "b.csv"))
