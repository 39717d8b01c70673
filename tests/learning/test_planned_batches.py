"""Planned batches (年度计划班次, 分类分批) of the annual plan: validation with Chinese messages,
HR editing them in the plan's admin form, the audit trail (simple-history) and the demo plan."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from lms.learning.models import AnnualPlan, PlannedBatch
from lms.people.models import CadreCategory, OrgType

from .test_admin_plans import ADD, RULES, edit_url

pytestmark = pytest.mark.django_db


def batch(program, courses=(), **changes):
    fields = {"program": program.pk, "name": "第一期 新任社区书记专题班",
              "org_types": [OrgType.COMMUNITY, OrgType.VILLAGE],
              "categories": [CadreCategory.COMMUNITY_SECRETARY], "newly_appointed_only": "on",
              "starts_on": "2026-07-08", "ends_on": "2026-07-09", "planned_trainees": "25", "planned_days": "2",
              "planned_hours": "12", "organizer": "区委组织部", "notes": "换届后新任书记", "courses": [c.pk for c in courses]}
    fields.update(changes)
    if fields.get("newly_appointed_only") is False:
        del fields["newly_appointed_only"]
    return fields


def plan_data(year="2026", batches=(), ids=(), **changes):
    """The posted plan form: list values (checkboxes) post one key with many values; `ids` are
    the pks of the existing batches posted first."""
    batches = [dict(b) for b in batches]
    lists = [{key: b.pop(key) for key in ("org_types", "categories", "courses")} for b in batches]
    for index, b in enumerate(batches):
        b["ORDER"] = str(index + 1)
        if index < len(ids):
            b["id"] = str(ids[index])
    data = nested_form_data({"year": year, "title": f"{year}年度计划", **RULES, **changes,
                             "requirements": inline_formset([]),
                             "batches": inline_formset(batches, initial=len(ids))})
    for index, values in enumerate(lists):
        for key, value in values.items():
            data[f"batches-{index}-{key}"] = value
    return data


def messages(batch, year=2026):
    with translation.override("zh-hans"):
        try:
            batch.full_clean()
        except ValidationError as error:
            return {field: [str(m) for m in errors] for field, errors in error.message_dict.items()}
    return {}


def test_it_checks_the_period_and_numbers_with_chinese_messages(program):
    plan = AnnualPlan.objects.create(year=2026)
    good = PlannedBatch(plan=plan, program=program, name="第一期", starts_on=datetime.date(2026, 3, 1),
                        ends_on=datetime.date(2026, 3, 2))
    assert messages(good) == {}
    backwards = PlannedBatch(plan=plan, program=program, name="第一期", starts_on=datetime.date(2026, 3, 2),
                             ends_on=datetime.date(2026, 3, 1))
    assert messages(backwards) == {"ends_on": ["计划结束日期不能早于计划开始日期。"]}
    next_year = PlannedBatch(plan=plan, program=program, name="第一期", starts_on=datetime.date(2026, 12, 1),
                             ends_on=datetime.date(2027, 1, 10))
    assert messages(next_year) == {"ends_on": ["计划时间须在本计划年度（2026年）之内。"]}
    negative = PlannedBatch(plan=plan, program=program, name="第一期", starts_on=datetime.date(2026, 3, 1),
                            ends_on=datetime.date(2026, 3, 1), planned_trainees=-1, planned_hours=Decimal("-6"))
    found = messages(negative)
    assert found["planned_trainees"] == ["数值不能为负数。"] and found["planned_hours"] == ["数值不能为负数。"]
    unknown = PlannedBatch(plan=plan, program=program, name="第一期", starts_on=datetime.date(2026, 3, 1),
                           ends_on=datetime.date(2026, 3, 1), org_types=["moon"])
    assert "org_types" in messages(unknown)


def test_hr_adds_a_plan_with_a_batch_and_its_courses(client_for, hr, program, course, make_course):
    other = make_course("2026年第二季度头雁讲坛", starts_on=datetime.date(2026, 6, 19), ends_on=datetime.date(2026, 6, 19))
    response = client_for(hr).post(reverse(ADD), plan_data(batches=[batch(program, [course, other])]))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    saved = AnnualPlan.objects.get(year=2026).batches.get()
    assert (saved.name, saved.program, saved.org_types, saved.categories, saved.newly_appointed_only) == (
        "第一期 新任社区书记专题班", program, [OrgType.COMMUNITY, OrgType.VILLAGE],
        [CadreCategory.COMMUNITY_SECRETARY], True)
    assert (saved.starts_on, saved.ends_on, saved.planned_trainees, saved.planned_days, saved.planned_hours) == (
        datetime.date(2026, 7, 8), datetime.date(2026, 7, 9), 25, Decimal("2"), Decimal("12"))
    assert saved.organizer == "区委组织部" and saved.notes == "换届后新任书记"
    assert set(saved.courses.values_list("pk", flat=True)) == {course.pk, other.pk}


def test_hr_edits_a_batch_and_the_plan_keeps_an_audit_trail(client_for, hr, program, course, make_course):
    client = client_for(hr)
    client.post(reverse(ADD), plan_data(batches=[batch(program, [course])]))
    plan = AnnualPlan.objects.get(year=2026)
    first = plan.batches.get()
    other = make_course("2026年第二季度头雁讲坛", starts_on=datetime.date(2026, 6, 19), ends_on=datetime.date(2026, 6, 19))
    data = plan_data(batches=[batch(program, [other], name="第二期 新任社区书记专题班", planned_trainees="30",
                                    newly_appointed_only=False)], ids=[first.pk])
    response = client.post(edit_url(plan), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    changed = plan.batches.get()
    assert changed.pk == first.pk and changed.name == "第二期 新任社区书记专题班"
    assert changed.planned_trainees == 30 and not changed.newly_appointed_only
    assert list(changed.courses.all()) == [other]

    history = list(changed.history.order_by("history_date", "history_id"))
    assert history[0].history_type == "+" and history[0].name == "第一期 新任社区书记专题班"
    assert history[-1].name == "第二期 新任社区书记专题班" and history[-1].planned_trainees == 30
    assert {h.history_user_id for h in history} == {hr.user_id}  # who: the admin request's user
    assert [c.coursepage_id for c in history[-1].courses.all()] == [other.pk]  # the final set of courses
    assert any([c.coursepage_id for c in h.courses.all()] == [course.pk] for h in history)
    assert plan.history.filter(history_user=hr.user).exists()


def test_deleting_a_batch_in_the_form_is_recorded(client_for, hr, program):
    client = client_for(hr)
    client.post(reverse(ADD), plan_data(batches=[batch(program)]))
    plan = AnnualPlan.objects.get(year=2026)
    first = plan.batches.get()
    data = plan_data(batches=[batch(program)], ids=[first.pk])
    data["batches-0-DELETE"] = "1"
    assert client.post(edit_url(plan), data).status_code == 302
    assert not plan.batches.exists()
    assert PlannedBatch.history.filter(id=first.pk, history_type="-").exists()


@pytest.mark.parametrize("changes, message", [
    ({"ends_on": "2026-07-01"}, "计划结束日期不能早于计划开始日期"),
    ({"starts_on": "2025-12-20"}, "计划时间须在本计划年度（2026年）之内"),
    ({"planned_trainees": "-5"}, "数值不能为负数"),
    ({"planned_hours": "-1"}, "数值不能为负数"),
    ({"name": ""}, "必需字段"),
])
def test_it_refuses_bad_batches_and_saves_nothing(client_for, hr, program, changes, message):
    response = client_for(hr).post(reverse(ADD), plan_data(batches=[batch(program, **changes)]))
    assert response.status_code == 200
    assert not AnnualPlan.objects.exists() and not PlannedBatch.objects.exists()
    assert message in response.content.decode()


def test_it_refuses_a_course_of_another_year(client_for, hr, program, make_course):
    old = make_course("2025年第四季度头雁讲坛", year=2025, starts_on=datetime.date(2025, 12, 18),
                      ends_on=datetime.date(2025, 12, 18))
    response = client_for(hr).post(reverse(ADD), plan_data(batches=[batch(program, [old])]))
    assert response.status_code == 200 and not AnnualPlan.objects.exists()
    assert "以下课程不在2026年度开班：2025年第四季度头雁讲坛" in response.content.decode()


def test_changing_the_plan_year_checks_its_batches_again(client_for, hr, program):
    client = client_for(hr)
    client.post(reverse(ADD), plan_data(batches=[batch(program)]))
    plan = AnnualPlan.objects.get(year=2026)
    data = plan_data(year="2027", batches=[batch(program)], ids=[plan.batches.get().pk])
    response = client.post(edit_url(plan), data)
    assert response.status_code == 200 and "计划时间须在本计划年度（2027年）之内" in response.content.decode()
    plan.refresh_from_db()
    assert plan.year == 2026


@pytest.mark.parametrize("persona", ["secretary", "trainer", "street_admin", "training_office"])
def test_only_hr_can_add_or_change_batches(client_for, request, persona, program):
    plan = AnnualPlan.objects.create(year=2026, title="2026年度计划")
    client = client_for(request.getfixturevalue(persona))
    response = client.post(reverse(ADD), plan_data(year="2027", batches=[batch(program, starts_on="2027-07-08",
                                                                               ends_on="2027-07-09")]))
    assert response.status_code in (302, 403)
    response = client.post(edit_url(plan), plan_data(batches=[batch(program)]))
    assert response.status_code in (302, 403)
    assert not PlannedBatch.objects.exists() and AnnualPlan.objects.count() == 1


def test_the_admin_form_shows_the_batch_fields(client_for, hr, program, course):
    html = client_for(hr).get(reverse(ADD)).content.decode()
    for label in ("年度计划班次（分类分批）", "班次名称", "计划开始", "计划人数", "仅限新任职", "实施课程", "主办单位"):
        assert label in html
    assert course.title in html


def test_the_target_group_matches_newly_appointed_around_the_batch(org_tree, make_person):
    plan = AnnualPlan.objects.create(year=2026)
    new_batch = PlannedBatch(plan=plan, name="新任", org_types=[OrgType.COMMUNITY],
                             categories=[CadreCategory.COMMUNITY_SECRETARY], newly_appointed_only=True,
                             starts_on=datetime.date(2026, 7, 8), ends_on=datetime.date(2026, 7, 9))
    community = org_tree["community_a"]
    secretary = CadreCategory.COMMUNITY_SECRETARY
    inside = make_person("新书记", community, cadre_category=secretary, appointed_on=datetime.date(2025, 9, 1))
    make_person("老书记", community, cadre_category=secretary, appointed_on=datetime.date(2021, 1, 5))
    make_person("后任书记", community, cadre_category=secretary, appointed_on=datetime.date(2026, 8, 1))
    make_person("新党员", community, appointed_on=datetime.date(2025, 9, 1))  # a party member
    make_person("机关新人", org_tree["agency"], cadre_category=secretary, appointed_on=datetime.date(2025, 9, 1))
    from lms.people.models import Person

    assert list(Person.objects.filter(new_batch.target_q())) == [inside]
    with translation.override("zh-hans"):
        assert new_batch.target_description() == "社区 · 社区党组织书记 · 仅限新任职"


def test_the_demo_plan_has_its_batches_and_loading_again_adds_none():
    from lms.demo.loader import load_demo_data

    load_demo_data()
    plan = AnnualPlan.objects.get(year=datetime.date.today().year)
    names = list(plan.batches.values_list("name", flat=True))
    assert len(names) == 9 and sum("头雁讲坛" in n for n in names) == 4 and sum("示范课堂" in n for n in names) == 2
    forum = plan.batches.get(name__startswith="第一期 头雁讲坛")
    assert [c.slug for c in forum.courses.all()] == ["2026-q1"]
    assert plan.batches.get(name="新任社区(村)书记专题班").newly_appointed_only
    assert "南京师范大学" in plan.batches.get(name="第一期 社区(村)书记班").organizer
    assert plan.batches.get(name__contains="选派").org_types == [OrgType.AGENCY]
    load_demo_data()
    assert plan.batches.count() == 9


def test_requirements_keep_their_history_with_mandatory_programs(client_for, hr, program):
    from lms.learning.models import PlanRequirement

    requirement = {"cadre_category": CadreCategory.COMMUNITY_SECRETARY, "level": "", "total_hours": "56",
                   "online_hours": "10", "in_person_days": "4"}
    data = plan_data()
    data.update(nested_form_data({"requirements": inline_formset([requirement])}))
    data["requirements-0-mandatory_programs"] = [program.pk]
    assert client_for(hr).post(reverse(ADD), data).status_code == 302
    saved = PlanRequirement.objects.get()
    last = saved.history.order_by("history_date", "history_id").last()
    assert last.total_hours == Decimal("56") and last.history_user_id == hr.user_id
    assert [p.programpage_id for p in last.mandatory_programs.all()] == [program.pk]
