"""Where people stand against the year's plan (年度培训计划): required vs. earned 学时.

    from lms.learning import plans
    plans.standings(persons, year)   # {person pk: Standing}, in a fixed number of queries
    plans.standing(person, year)

A person is held to the most specific requirement of the year's plan that matches them (their
cadre category and level, then category, then level, then everyone). Earned 学时 come from the
ledger (CreditEntry). Last year's surplus over last year's requirement counts this year, up to
this year's plan's `carry_over_limit`; carried hours never carry again. Full-time in-person days
are the in-person 学时 divided by the year's 学时 a day. A mandatory program asks every live
course of that program in the year to be completed."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from .models import AnnualPlan, CreditEntry, Delivery, Enrollment

ZERO = Decimal("0")
MET, NOT_MET, IN_PROGRESS, NO_REQUIREMENT = "met", "not_met", "in_progress", "no_requirement"
STATUS_LABELS = {MET: pgettext_lazy("plan status", "Met"), NOT_MET: pgettext_lazy("plan status", "Not met"),
                 IN_PROGRESS: pgettext_lazy("plan status", "In progress"),
                 NO_REQUIREMENT: pgettext_lazy("plan status", "No requirement")}


@dataclass
class MandatoryProgram:
    title: str
    done: int
    total: int

    @property
    def met(self):
        return self.done >= self.total


@dataclass
class Standing:
    year: int
    requirement: object  # PlanRequirement or None
    online: Decimal = ZERO
    in_person: Decimal = ZERO
    carried_over: Decimal = ZERO
    in_person_days: Decimal = ZERO
    mandatory: list = field(default_factory=list)
    year_over: bool = False

    @property
    def earned(self):
        return self.online + self.in_person

    @property
    def counted(self):
        """Earned this year plus the surplus carried over from last year."""
        return self.earned + self.carried_over

    @property
    def met(self):
        r = self.requirement
        return bool(r) and (self.counted >= r.total_hours and self.online >= r.online_hours
                            and self.in_person_days >= r.in_person_days
                            and all(program.met for program in self.mandatory))

    @property
    def status(self):
        if self.requirement is None:
            return NO_REQUIREMENT
        if self.met:
            return MET
        return NOT_MET if self.year_over else IN_PROGRESS

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def percent(self):
        if not self.requirement or not self.requirement.total_hours:
            return 100 if self.met else 0
        return min(100, int(100 * self.counted / self.requirement.total_hours))


def _plan(year):
    return AnnualPlan.objects.filter(year=year).prefetch_related("requirements__mandatory_programs").first()


def requirement_for(plan, person):
    """The most specific requirement of `plan` matching the person, or None."""
    if plan is None:
        return None
    matching = [r for r in plan.requirements.all()
                if r.cadre_category in ("", person.cadre_category) and r.level in ("", person.level)]
    return max(matching, key=lambda r: r.specificity(), default=None)


def _hours_by_person(person_ids, year):
    """{person pk: {delivery: hours}} of the year."""
    hours = {}
    rows = (CreditEntry.objects.filter(person_id__in=person_ids, year=year)
            .values_list("person_id", "delivery").annotate(total=Sum("hours")))
    for person_id, delivery, total in rows:
        hours.setdefault(person_id, {})[delivery] = total
    return hours


def _mandatory_courses(plan):
    """{program pk: [course pk, ...]} of the live courses of every mandatory program in the plan's year."""
    from courses.models import CoursePage

    programs = {p.pk: p for r in plan.requirements.all() for p in r.mandatory_programs.all()} if plan else {}
    return {pk: list(CoursePage.objects.child_of(program).live().filter(year=plan.year).values_list("pk", flat=True))
            for pk, program in programs.items()}


def standings(persons, year, today=None):
    """{person pk: Standing} for every person in `persons` (a list or queryset of Person)."""
    persons = list(persons)
    today = today or timezone.localdate()
    plan, last_plan = _plan(year), _plan(year - 1)
    ids = [person.pk for person in persons]
    this_year = _hours_by_person(ids, year)
    last_year = _hours_by_person(ids, year - 1) if plan and plan.carry_over_limit else {}
    courses = _mandatory_courses(plan)
    all_courses = [pk for pks in courses.values() for pk in pks]
    completed = set(Enrollment.objects.filter(person_id__in=ids, course_id__in=all_courses, completed_at__isnull=False)
                    .values_list("person_id", "course_id")) if all_courses else set()
    per_day = (plan or AnnualPlan(year=year)).in_person_hours_per_day

    result = {}
    for person in persons:
        requirement = requirement_for(plan, person)
        hours = this_year.get(person.pk, {})
        standing = Standing(year, requirement, online=hours.get(Delivery.ONLINE, ZERO),
                            in_person=hours.get(Delivery.IN_PERSON, ZERO), year_over=today.year > year)
        standing.in_person_days = (standing.in_person / per_day).quantize(Decimal("0.1")) if per_day else ZERO
        last_requirement = requirement_for(last_plan, person)
        if plan and plan.carry_over_limit and last_requirement:
            surplus = sum(last_year.get(person.pk, {}).values(), ZERO) - last_requirement.total_hours
            standing.carried_over = min(max(surplus, ZERO), plan.carry_over_limit)
        if requirement:
            standing.mandatory = [
                MandatoryProgram(program.title, sum((person.pk, pk) in completed for pk in courses[program.pk]),
                                 len(courses[program.pk]))
                for program in requirement.mandatory_programs.all()
            ]
        result[person.pk] = standing
    return result


def standing(person, year, today=None):
    return standings([person], year, today)[person.pk]
