"""Compliance counts (lms.records.compliance) and the SQL standings (plans.annotate_standings)
against hand-worked cases; the SQL status must equal plans.standings for every person."""

import datetime
from decimal import Decimal

import pytest

from lms.learning import plans
from lms.learning.models import AnnualPlan, Delivery, Enrollment, EnrollmentSource
from lms.people.models import CadreCategory, CadreLevel, OrgType, Person
from lms.records import compliance

pytestmark = pytest.mark.django_db

D = Decimal
DURING = datetime.date(2026, 6, 1)
AFTER = datetime.date(2027, 1, 5)


def sql_figures(year, today):
    return {p.pk: p for p in plans.annotate_standings(Person.objects.all(), year, today=today)}


def assert_sql_matches_python(year, today):
    python = plans.standings(Person.objects.all(), year, today=today)
    sql = sql_figures(year, today)
    for pk, standing in python.items():
        row = sql[pk]
        assert row.plan_status == standing.status, row.name
        assert (row.plan_online, row.plan_in_person, row.plan_carried) == (
            standing.online, standing.in_person, standing.carried_over), row.name
        assert row.plan_requirement == (standing.requirement.pk if standing.requirement else None)
        done = sum(m.done for m in standing.mandatory)
        assert (row.plan_mandatory_done, row.plan_mandatory_total) == (done, sum(m.total for m in standing.mandatory))


@pytest.fixture
def people(org_tree, make_person, secretary, other_secretary):
    """Street A: the secretary, a party member, a deputy-section secretary; street B: the other
    secretary; the agency: an agency cadre."""
    member = make_person("党员甲", org_tree["community_a"])
    deputy = make_person("王副书记", org_tree["community_a"], cadre_category=CadreCategory.COMMUNITY_SECRETARY,
                         level=CadreLevel.DEPUTY_SECTION)
    cadre = make_person("机关干部乙", org_tree["agency"], cadre_category=CadreCategory.AGENCY_CADRE)
    return {"secretary": secretary, "member": member, "deputy": deputy, "other": other_secretary, "cadre": cadre}


def test_the_sql_standing_equals_the_python_one_in_hand_worked_cases(people, plan_2026, require, earn, program,
                                                                     make_course):
    # 2025: secretaries needed 50; the secretary earned 62 (12 over); the other secretary 40 (short).
    plan_2025 = AnnualPlan.objects.create(year=2025)
    require(plan_2025, category=CadreCategory.COMMUNITY_SECRETARY, total_hours="50")
    earn(people["secretary"], 2025, "62")
    earn(people["other"], 2025, "40")
    plan_2026.carry_over_limit = D("8")
    plan_2026.save()
    by_category = require(plan_2026, category=CadreCategory.COMMUNITY_SECRETARY, total_hours="56",
                          online_hours="10", in_person_days="4")
    require(plan_2026, category=CadreCategory.COMMUNITY_SECRETARY, level=CadreLevel.DEPUTY_SECTION,
            total_hours="20")
    require(plan_2026, category=CadreCategory.PARTY_MEMBER, total_hours="12", online_hours="12")
    courses = [make_course(f"2026年第{n}季度头雁讲坛", slug=f"q{n}") for n in (1, 2)]
    by_category.mandatory_programs.add(program)
    by_category.save()

    # secretary: 38 in person (6.3 days) + 10 online = 48, + 8 carried = 56; both forums done -> met
    earn(people["secretary"], 2026, "38")
    earn(people["secretary"], 2026, "10", Delivery.ONLINE)
    for course in courses:
        Enrollment.enrol(people["secretary"], course, EnrollmentSource.BULK)
    Enrollment.objects.filter(person=people["secretary"]).update(completed_at=datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC))
    # other secretary: hours enough but one forum only -> in progress, then not met after the year
    earn(people["other"], 2026, "50")
    earn(people["other"], 2026, "10", Delivery.ONLINE)
    Enrollment.enrol(people["other"], courses[0], EnrollmentSource.BULK)
    Enrollment.objects.filter(person=people["other"]).update(completed_at=datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC))
    # deputy: the (category, level) requirement of 20 applies, no mandatory programs
    earn(people["deputy"], 2026, "20")
    # party member: 12 online needed, 11.75 earned
    earn(people["member"], 2026, "11.75", Delivery.ONLINE)
    # agency cadre: no requirement for the category

    standings = plans.standings(Person.objects.all(), 2026, today=DURING)
    expected = {"secretary": plans.MET, "other": plans.IN_PROGRESS, "deputy": plans.MET,
                "member": plans.IN_PROGRESS, "cadre": plans.NO_REQUIREMENT}
    assert {key: standings[p.pk].status for key, p in people.items()} == expected
    assert standings[people["secretary"].pk].carried_over == D("8")
    assert_sql_matches_python(2026, DURING)
    assert_sql_matches_python(2026, AFTER)
    assert sql_figures(2026, AFTER)[people["other"].pk].plan_status == plans.NOT_MET


def test_full_time_days_round_half_up_in_both(people, plan_2026, require, earn):
    require(plan_2026, category=CadreCategory.COMMUNITY_SECRETARY, in_person_days="4")
    earn(people["secretary"], 2026, "23.7")   # 3.95 days -> 4.0: met
    earn(people["other"], 2026, "23.6")       # 3.93 days -> 3.9: not met
    standings = plans.standings(Person.objects.all(), 2026, today=DURING)
    assert standings[people["secretary"].pk].in_person_days == D("4.0")
    assert standings[people["secretary"].pk].status == plans.MET
    assert standings[people["other"].pk].status == plans.IN_PROGRESS
    assert_sql_matches_python(2026, DURING)


def test_the_dashboard_counts_by_street_and_by_organization_type(people, plan_2026, require, earn, hr, street_admin):
    require(plan_2026, category=CadreCategory.COMMUNITY_SECRETARY, total_hours="10")
    require(plan_2026, category=CadreCategory.PARTY_MEMBER, total_hours="5")
    earn(people["secretary"], 2026, "10")
    earn(people["member"], 2026, "5")
    earn(people["other"], 2026, "4")
    inactive = Person.objects.create(user=Person.create_account("13912345678"), name="已离任", phone="13912345678",
                                     organization=people["secretary"].organization, is_active=False)
    assert inactive.pk

    board = compliance.dashboard(hr.user, 2026, today=AFTER)
    rows = {c.label: c.by_status for c in board.by_group}
    # street A: secretary met, member met, deputy (community secretary, 0 earned) not met; street B: other not met
    assert rows["东湖街道"] == {plans.MET: 2, plans.NOT_MET: 1, plans.IN_PROGRESS: 0, plans.NO_REQUIREMENT: 1}
    # ↑ the street admin herself (agency cadre category) belongs to street A and has no requirement
    assert rows["西山街道"] == {plans.MET: 0, plans.NOT_MET: 1, plans.IN_PROGRESS: 0, plans.NO_REQUIREMENT: 0}
    assert rows["区委组织部"][plans.NO_REQUIREMENT] == 1  # the agency cadre
    assert board.total.total == 7  # five people, HR, the street admin; the inactive person is left out
    types = {c.key: c.by_status for c in board.by_org_type}
    assert types[OrgType.COMMUNITY] == {plans.MET: 2, plans.NOT_MET: 2, plans.IN_PROGRESS: 0, plans.NO_REQUIREMENT: 0}
    assert board.by_group[0].org_type == OrgType.STREET and [c.label for c in board.by_group[:2]] == ["东湖街道", "西山街道"]
    assert rows["东湖街道"] and compliance.Counts("x", "x", by_status=rows["东湖街道"]).met_rate == 67

    during = compliance.dashboard(hr.user, 2026, today=DURING)
    assert during.total.by_status[plans.NOT_MET] == 0 and during.total.by_status[plans.IN_PROGRESS] == 2

    mine = compliance.dashboard(street_admin.user, 2026, today=AFTER)
    assert [c.label for c in mine.by_group] == ["东湖街道"]
    assert mine.total.total == 4

    members = compliance.dashboard(hr.user, 2026, category=CadreCategory.PARTY_MEMBER, today=AFTER)
    assert members.total.by_status[plans.MET] == 1 and members.total.total == 1


def test_without_a_plan_nobody_has_a_requirement(people, hr):
    board = compliance.dashboard(hr.user, 2031)
    assert board.total.by_status[plans.NO_REQUIREMENT] == board.total.total == 6
