"""lms.learning.plans: required vs. earned against the year's plan, worked by hand."""

import datetime
from decimal import Decimal

import pytest

from lms.learning import plans
from lms.learning.models import AnnualPlan, CreditEntry, CreditRule, Delivery, Enrollment, EnrollmentSource, PlanRequirement
from lms.people.models import CadreCategory, CadreLevel

pytestmark = pytest.mark.django_db

D = Decimal
DURING_2026 = datetime.date(2026, 6, 1)
AFTER_2026 = datetime.date(2027, 1, 5)


def earn(person, year, hours, delivery=Delivery.IN_PERSON, key=None):
    CreditEntry.objects.create(
        person=person, year=year, source_key=key or f"manual:{CreditEntry.objects.count()}", source_title="培训",
        delivery=delivery, hours=D(hours), rule=CreditRule.MANUAL,
        earned_at=datetime.datetime(year, 5, 1, tzinfo=datetime.UTC))


@pytest.fixture
def plan_2026():
    return AnnualPlan.objects.create(year=2026, title="2026年度干部教育培训计划")


def require(plan, category="", level="", **hours):
    return PlanRequirement.objects.create(plan=plan, cadre_category=category, level=level,
                                          **{k: D(v) for k, v in hours.items()})


def test_without_a_requirement_nothing_is_asked(secretary):
    earn(secretary, 2026, "6")
    standing = plans.standing(secretary, 2026, today=DURING_2026)
    assert standing.requirement is None and standing.status == plans.NO_REQUIREMENT and standing.earned == D("6")


def test_the_most_specific_requirement_applies(plan_2026, secretary):
    require(plan_2026, total_hours="40")
    require(plan_2026, category=CadreCategory.AGENCY_CADRE, total_hours="90")
    by_category = require(plan_2026, category=secretary.cadre_category, total_hours="56")
    assert plans.standing(secretary, 2026).requirement == by_category
    by_both = require(plan_2026, category=secretary.cadre_category, level=secretary.level or CadreLevel.NONE,
                      total_hours="60")
    secretary.level = by_both.level
    assert plans.standing(secretary, 2026).requirement == by_both


def test_total_online_and_days_must_all_be_met(plan_2026, secretary):
    require(plan_2026, category=secretary.cadre_category, total_hours="56", online_hours="10", in_person_days="5")
    earn(secretary, 2026, "48")               # 8 full-time days in person
    earn(secretary, 2026, "9", Delivery.ONLINE)
    standing = plans.standing(secretary, 2026, today=DURING_2026)
    assert (standing.earned, standing.online, standing.in_person_days) == (D("57"), D("9"), D("8.0"))
    assert standing.status == plans.IN_PROGRESS  # online 9 < 10
    assert plans.standing(secretary, 2026, today=AFTER_2026).status == plans.NOT_MET
    earn(secretary, 2026, "1", Delivery.ONLINE)
    assert plans.standing(secretary, 2026, today=DURING_2026).status == plans.MET


def test_in_person_days_follow_the_years_hours_per_day(plan_2026, secretary):
    plan_2026.in_person_hours_per_day = D("8")
    plan_2026.save()
    require(plan_2026, in_person_days="3")
    earn(secretary, 2026, "20")
    standing = plans.standing(secretary, 2026)
    assert standing.in_person_days == D("2.5") and not standing.met


def test_last_years_surplus_carries_up_to_the_limit(plan_2026, secretary):
    plan_2025 = AnnualPlan.objects.create(year=2025)
    require(plan_2025, total_hours="50")
    earn(secretary, 2025, "62")  # 12 over
    require(plan_2026, total_hours="56")
    earn(secretary, 2026, "50")
    assert plans.standing(secretary, 2026).carried_over == 0  # the 2026 plan takes no carry-over
    plan_2026.carry_over_limit = D("8")
    plan_2026.save()
    standing = plans.standing(secretary, 2026)
    assert (standing.carried_over, standing.counted, standing.met) == (D("8"), D("58"), True)
    plan_2026.carry_over_limit = D("20")
    plan_2026.save()
    assert plans.standing(secretary, 2026).carried_over == D("12")


def test_no_surplus_without_last_years_requirement_or_when_short(plan_2026, secretary):
    plan_2026.carry_over_limit = D("10")
    plan_2026.save()
    require(plan_2026, total_hours="56")
    earn(secretary, 2025, "80")
    assert plans.standing(secretary, 2026).carried_over == 0  # 2025 had no plan
    require(AnnualPlan.objects.create(year=2025), total_hours="90")
    assert plans.standing(secretary, 2026).carried_over == 0  # 80 < 90: no surplus, no debt either


def test_mandatory_programs_need_every_course_of_the_year(plan_2026, secretary, program, make_course):
    courses = [make_course(f"2026年第{n}季度头雁讲坛", slug=f"q{n}") for n in range(1, 5)]
    make_course("2025年头雁讲坛", slug="old", year=2025, starts_on=datetime.date(2025, 3, 1),
                ends_on=datetime.date(2025, 3, 1))
    requirement = require(plan_2026, total_hours="0")
    requirement.mandatory_programs.add(program)
    requirement.save()  # a parental relation is written with its owner
    for course in courses[:3]:
        Enrollment.enrol(secretary, course, EnrollmentSource.BULK)
        Enrollment.objects.filter(person=secretary, course=course).update(completed_at=datetime.datetime.now(datetime.UTC))
    standing = plans.standing(secretary, 2026, today=DURING_2026)
    assert [(m.title, m.done, m.total) for m in standing.mandatory] == [(program.title, 3, 4)]
    assert standing.status == plans.IN_PROGRESS
    Enrollment.enrol(secretary, courses[3], EnrollmentSource.BULK)
    Enrollment.objects.filter(person=secretary, course=courses[3]).update(completed_at=datetime.datetime.now(datetime.UTC))
    assert plans.standing(secretary, 2026).status == plans.MET


def test_many_people_in_a_fixed_number_of_queries(plan_2026, secretary, other_secretary, make_person, org_tree,
                                                  django_assert_max_num_queries):
    require(plan_2026, total_hours="10")
    people = [secretary, other_secretary] + [make_person(f"书记{n}", org_tree["community_a"]) for n in range(8)]
    for person in people:
        earn(person, 2026, "12")
    with django_assert_max_num_queries(8):
        result = plans.standings(people, 2026)
    assert all(standing.met for standing in result.values())
