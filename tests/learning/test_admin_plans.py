"""The annual training plan in the Wagtail admin: HR sets rules and requirements; others cannot."""

from decimal import Decimal

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from lms.learning.models import AnnualPlan, PlanRequirement
from lms.people.models import CadreCategory

pytestmark = pytest.mark.django_db

LIST = "wagtailsnippets_learning_annualplan:list"
ADD = "wagtailsnippets_learning_annualplan:add"


def edit_url(plan):
    return reverse("wagtailsnippets_learning_annualplan:edit", args=[plan.pk])


RULES = {
    "in_person_hours_per_day": "6", "online_long_minutes": "30", "online_long_hours": "1",
    "online_medium_minutes": "15", "online_medium_hours": "0.5", "online_short_hours": "0.25",
    "test_pass_hours": "0.5", "university_class_hours": "24", "carry_over_limit": "0",
}


def requirement(category, total="56", online="10", days="4", programs=()):
    return {"cadre_category": category, "level": "", "total_hours": total, "online_hours": online,
            "in_person_days": days, "mandatory_programs": [p.pk for p in programs]}


def plan_data(year="2026", requirements=(), **changes):
    """The posted form; the checkboxes of each requirement's programs post one key with many values."""
    requirements = [dict(r) for r in requirements]
    programs = [r.pop("mandatory_programs") for r in requirements]
    data = nested_form_data({"year": year, "title": f"{year}年度计划", **RULES, **changes,
                             "requirements": inline_formset(requirements), "batches": inline_formset([])})
    for index, pks in enumerate(programs):
        data[f"requirements-{index}-mandatory_programs"] = pks
    return data


def test_hr_makes_a_plan_with_requirements_and_mandatory_programs(client_for, hr, program):
    response = client_for(hr).post(reverse(ADD), plan_data(requirements=[
        requirement(CadreCategory.COMMUNITY_SECRETARY, programs=[program]),
        requirement(CadreCategory.AGENCY_CADRE, total="90", online="20", days="12"),
    ]))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    plan = AnnualPlan.objects.get(year=2026)
    rows = sorted(plan.requirements.values_list("cadre_category", "total_hours"))
    assert rows == [(CadreCategory.AGENCY_CADRE, Decimal("90")), (CadreCategory.COMMUNITY_SECRETARY, Decimal("56"))]
    assert list(plan.requirements.get(cadre_category=CadreCategory.COMMUNITY_SECRETARY)
                .mandatory_programs.values_list("pk", flat=True)) == [program.pk]


@pytest.mark.parametrize("bad, field", [
    ({"requirements": [requirement(CadreCategory.VILLAGE_SECRETARY), requirement(CadreCategory.VILLAGE_SECRETARY)]},
     "一个干部群体只能有一条要求"),
    ({"requirements": [requirement(CadreCategory.VILLAGE_SECRETARY, total="10", online="20")]}, "线上学时不能超过合计"),
    ({"online_medium_minutes": "40"}, "中等网课的起算时长须小于长网课"),
    ({"year": "abc"}, "year"),
])
def test_it_refuses_bad_plans_with_a_message(client_for, hr, bad, field):
    requirements = bad.pop("requirements", [])
    response = client_for(hr).post(reverse(ADD), plan_data(requirements=requirements, **bad))
    assert response.status_code == 200
    assert not AnnualPlan.objects.exists()
    content = response.content.decode()
    assert field in content or field in str(response.context["form"].errors)


def test_editing_a_plan_queues_re_applying_its_rules(client_for, hr, django_capture_on_commit_callbacks):
    from django_q.brokers import get_broker
    from django_q.signing import SignedPackage

    plan = AnnualPlan.objects.create(year=2026, title="2026年度计划")
    broker = get_broker()
    broker.purge_queue()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(hr).post(edit_url(plan), plan_data(in_person_hours_per_day="8"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.in_person_hours_per_day == Decimal("8")
    queued = [SignedPackage.loads(payload) for _id, payload in broker.dequeue()]
    assert [(task["func"], task["args"]) for task in queued] == [("lms.learning.credits.resync_year", (2026,))]


@pytest.mark.parametrize("persona", ["training_office"])
def test_the_training_office_reads_but_cannot_change_plans(client_for, request, persona):
    plan = AnnualPlan.objects.create(year=2026, title="2026年度计划")
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse(LIST)).status_code == 200
    client.post(edit_url(plan), plan_data(title="改过的"))
    plan.refresh_from_db()
    assert plan.title == "2026年度计划"


@pytest.mark.parametrize("persona", ["street_admin", "trainer", "secretary"])
def test_others_cannot_see_plans(client_for, request, persona):
    plan = AnnualPlan.objects.create(year=2026, title="2026年度计划")
    client = client_for(request.getfixturevalue(persona))
    response = client.get(reverse(LIST))
    assert response.status_code in (302, 403)
    assert "2026年度计划" not in response.content.decode()
    client.post(edit_url(plan), plan_data(title="改过的"))
    plan.refresh_from_db()
    assert plan.title == "2026年度计划" and not PlanRequirement.objects.exists()


def test_resync_year_applies_changed_rules_to_the_ledger(secretary, course):
    from lms.learning import activities, credits
    from lms.learning.models import ActivityKind, CreditEntry, Enrollment, EnrollmentSource

    Enrollment.enrol(secretary, course, EnrollmentSource.BULK)
    day = activities.sync(course, "session:resync", kind=ActivityKind.SESSION, title="全天", credit_days=Decimal("1"))
    activities.record_result(secretary, day.key, done=True)
    year = CreditEntry.objects.get(person=secretary).year
    AnnualPlan.objects.create(year=year, in_person_hours_per_day=Decimal("7"))
    assert credits.resync_year(year) == 1
    assert CreditEntry.objects.get(person=secretary).hours == Decimal("7")
