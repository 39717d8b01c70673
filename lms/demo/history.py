"""Training history the demo district had before Touyan, and outside its courses, so that the
compliance dashboards show a believable mix:

- last year's plan (the same requirements, no mandatory programs; two-new secretaries had none
  yet) with each learner's 学时 of last year as HR entered them (补录, rule MANUAL, no course):
  most met it, some fell short, a few have nothing, and a surplus carries over into this year;
- this year's training outside the demo courses for party members and agency cadres (the
  cadre online academy, the municipal party school), so some of them have already met this
  year's plan while the secretaries still wait for the remaining forums;
- a few rotations in both directions (挂职锻炼/跟班学习 up to agency departments, 选派 down).

Entries without a course are never touched by the 学时 engine's sync. Everything is seeded by
the person's phone and keyed by a fixed source key, so loading again adds nothing. One bulk
insert: fast."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from lms.learning.models import AnnualPlan, CreditEntry, CreditRule, Delivery, PlanRequirement
from lms.people.models import CadreCategory, Organization, OrgType, Person
from lms.rotations.models import Direction, Evaluation, Rotation, Status

from . import district
from .sessions import PLAN_REQUIREMENTS

KEY = "demo-history"


def ensure_last_year_plan(year):
    plan, created = AnnualPlan.objects.get_or_create(
        year=year, defaults={"title": f"{year}年度干部教育培训计划"})
    if created:
        for category, total, online, days, _mandatory in PLAN_REQUIREMENTS:
            if category != CadreCategory.TWO_NEW_SECRETARY:
                PlanRequirement.objects.create(plan=plan, cadre_category=category, total_hours=total,
                                               online_hours=online, in_person_days=days)
    return plan


def _entry(person, year, key, title, delivery, hours, when):
    return CreditEntry(person=person, year=year, source_key=f"{KEY}:{year}:{key}", source_title=title,
                       delivery=delivery, hours=Decimal(hours).quantize(Decimal("0.5")), rule=CreditRule.MANUAL,
                       earned_at=when)


def _at(year, month, day):
    return timezone.make_aware(datetime.datetime(year, month, day, 17, 0))


def history_entries(person, requirement, this_year, today):
    """The entries of one person: last year's (補录) and, for some, this year's outside training."""
    rng = random.Random(f"history-{person.phone}")
    last = this_year - 1
    rows = []
    if requirement is not None:
        total, online, days = requirement
        roll = rng.random()
        share = (1 + rng.random() * .4) if roll < .68 else (.45 + rng.random() * .45) if roll < .92 else 0
        if share:
            online_hours = max(Decimal(online), Decimal(round(total * share * .3)))
            in_person = Decimal(round(total * share)) - online_hours
            if share >= 1:
                in_person = max(in_person, Decimal(days * 6))
            rows.append(_entry(person, last, "online", f"{last}年度网络学习（补录）", Delivery.ONLINE, online_hours,
                               _at(last, 12, 20)))
            if in_person > 0:
                rows.append(_entry(person, last, "in-person", f"{last}年度集中培训（补录）", Delivery.IN_PERSON,
                                   in_person, _at(last, 11, 15)))
    month = min(today.month, 10) if today.year == this_year else 10
    if person.cadre_category == CadreCategory.PARTY_MEMBER and rng.random() < .5:
        rows.append(_entry(person, this_year, "academy", "中国干部网络学院专题学习", Delivery.ONLINE,
                           8 + rng.randint(0, 10), _at(this_year, month, 10)))
        rows.append(_entry(person, this_year, "branch", "党支部集中学习", Delivery.IN_PERSON,
                           12 + rng.randint(0, 14), _at(this_year, month, 12)))
    if person.cadre_category == CadreCategory.AGENCY_CADRE and rng.random() < .6:
        rows.append(_entry(person, this_year, "party-school", "市委党校调训（12天）", Delivery.IN_PERSON, 72,
                           _at(this_year, max(1, month - 3), 28)))
        rows.append(_entry(person, this_year, "academy", "中国干部网络学院专题学习", Delivery.ONLINE,
                           16 + rng.randint(0, 12), _at(this_year, month, 10)))
    return rows


def fill_recorded_history(this_year, today=None):
    """Returns the number of entries created."""
    today = today or timezone.localdate()
    ensure_last_year_plan(this_year - 1)
    requirements = {category: (total, online, days) for category, total, online, days, _m in PLAN_REQUIREMENTS
                    if category != CadreCategory.TWO_NEW_SECRETARY}
    persons = (Person.objects.filter(phone__startswith=district.PHONE_PREFIX, is_active=True,
                                     user__is_superuser=False).order_by("pk"))
    done = set(CreditEntry.objects.filter(source_key__startswith=f"{KEY}:").values_list("person_id", "source_key"))
    rows = [row for person in persons
            for row in history_entries(person, requirements.get(person.cadre_category), this_year, today)
            if (person.pk, row.source_key) not in done]
    CreditEntry.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    ensure_rotations(this_year)
    return len(rows)


# (person phone, direction, host organization code, post held, start, months, status, midterm, final)
def rotation_specs(year):
    secretaries = district.PHONE_BLOCK_SECRETARIES
    agency = district.PHONE_BLOCK_AGENCY
    return [
        (district.demo_phone(secretaries, 3), Direction.SECONDMENT, "QX-AG-MZJ", "基层政权建设科副科长",
         datetime.date(year, 3, 1), 6, Status.FINISHED, Evaluation.EXCELLENT, Evaluation.EXCELLENT),
        (district.demo_phone(secretaries, 20), Direction.SHADOWING, "QX-AG-ZZB", "组织科跟班学习",
         datetime.date(year, 5, 6), 3, Status.FINISHED, Evaluation.COMPETENT, Evaluation.COMPETENT),
        (district.demo_phone(secretaries, 41), Direction.SECONDMENT, "QX-AG-SGB", "社会工作科副科长",
         datetime.date(year, 9, 1), 6, Status.IN_PROGRESS, Evaluation.COMPETENT, ""),
        (district.demo_phone(agency, 3), Direction.DISPATCH, "QX-BGZ-04", "村党总支第一书记",
         datetime.date(year - 1, 9, 1), 24, Status.IN_PROGRESS, Evaluation.EXCELLENT, ""),
        (district.demo_phone(agency, 6), Direction.DISPATCH, "QX-LT-08", "村党委副书记",
         datetime.date(year, 3, 1), 12, Status.IN_PROGRESS, "", ""),
        (district.demo_phone(agency, 9), Direction.DISPATCH, "QX-YH-05", "社区党委副书记",
         datetime.date(year - 1, 3, 1), 12, Status.FINISHED, Evaluation.COMPETENT, Evaluation.EXCELLENT),
    ]


def _months_later(day, months):
    month = day.month - 1 + months
    return datetime.date(day.year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)


def ensure_rotations(year):
    organizations = {o.code: o for o in Organization.objects.filter(code__in=[s[2] for s in rotation_specs(year)])}
    persons = {p.phone: p for p in Person.objects.filter(phone__in=[s[0] for s in rotation_specs(year)])}
    for phone, direction, host, post, starts, months, status, midterm, final in rotation_specs(year):
        person, host_org = persons.get(phone), organizations.get(host)
        if person is None or host_org is None or Rotation.objects.filter(person=person, starts_on=starts).exists():
            continue
        if host_org.org_type not in (OrgType.AGENCY, OrgType.COMMUNITY, OrgType.VILLAGE):
            continue
        Rotation.objects.create(
            person=person, direction=direction, home_organization=person.organization, host_organization=host_org,
            post_held=post, starts_on=starts, ends_on=_months_later(starts, months), mentor="组织部 王老师",
            goals="熟悉机关工作流程，提升统筹协调和服务群众能力。", status=status, midterm_evaluation=midterm,
            midterm_comments="工作积极主动，进步明显。" if midterm else "", final_evaluation=final,
            final_comments="圆满完成挂职任务。" if final else "")
