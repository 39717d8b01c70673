"""Where people stand against the year's plan (年度培训计划): required vs. earned 学时.

    from lms.learning import plans
    plans.standings(persons, year)   # {person pk: Standing}, a fixed number of queries per chunk
    plans.standing(person, year)
    plans.annotate_standings(Person.objects..., year)   # the same rules as SQL, for whole districts

A person is held to the most specific requirement of the year's plan that matches them (their
cadre category and level, then category, then level, then everyone). Earned 学时 come from the
ledger (CreditEntry). Last year's surplus over last year's requirement counts this year, up to
this year's plan's `carry_over_limit`; carried hours never carry again. Full-time in-person days
are the in-person 学时 divided by the year's 学时 a day, rounded half up to a tenth. A mandatory
program asks every live course of that program in the year to be completed.

`standings` builds Standing objects (with the titles of mandatory programs) and reads the ledger
in chunks of CHUNK persons, so a queryset of a whole province runs in constant memory per chunk.
`annotate_standings` puts the same figures and the status on each row of a Person queryset as
SQL expressions (correlated aggregate subqueries and CASEs built from the plan's requirements),
so dashboards can count and filter 100,000 persons in the database; tests keep both in step."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, CharField, Count, DecimalField, ExpressionWrapper, F, IntegerField, OuterRef, Q
from django.db.models import QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from .models import AnnualPlan, CreditEntry, Delivery, Enrollment

ZERO = Decimal("0")
TENTH = Decimal("0.1")
CHUNK = 2000
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


def in_person_days(in_person, per_day):
    return (in_person / per_day).quantize(TENTH, rounding=ROUND_HALF_UP) if per_day else ZERO


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


def _chunks(persons):
    """Lists of at most CHUNK persons; a queryset is streamed, not loaded whole."""
    if isinstance(persons, QuerySet):
        rows = persons.iterator(chunk_size=CHUNK)
    else:
        rows = iter(persons)
    chunk = []
    for person in rows:
        chunk.append(person)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def standings(persons, year, today=None):
    """{person pk: Standing} for every person in `persons` (a list or queryset of Person)."""
    today = today or timezone.localdate()
    plan, last_plan = _plan(year), _plan(year - 1)
    courses = _mandatory_courses(plan)
    all_courses = [pk for pks in courses.values() for pk in pks]
    per_day = (plan or AnnualPlan(year=year)).in_person_hours_per_day
    carry = bool(plan and plan.carry_over_limit and last_plan)

    result = {}
    for chunk in _chunks(persons):
        ids = [person.pk for person in chunk]
        this_year = _hours_by_person(ids, year)
        last_year = _hours_by_person(ids, year - 1) if carry else {}
        completed = set(Enrollment.objects.filter(
            person_id__in=ids, course_id__in=all_courses, completed_at__isnull=False,
        ).values_list("person_id", "course_id")) if all_courses else set()
        for person in chunk:
            requirement = requirement_for(plan, person)
            hours = this_year.get(person.pk, {})
            standing = Standing(year, requirement, online=hours.get(Delivery.ONLINE, ZERO),
                                in_person=hours.get(Delivery.IN_PERSON, ZERO), year_over=today.year > year)
            standing.in_person_days = in_person_days(standing.in_person, per_day)
            last_requirement = requirement_for(last_plan, person) if carry else None
            if last_requirement:
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


# --- the same rules in SQL -----------------------------------------------------------------------

HOURS = DecimalField(max_digits=10, decimal_places=2)


def _hours_expression(year, delivery=None):
    entries = CreditEntry.objects.filter(person=OuterRef("pk"), year=year)
    if delivery:
        entries = entries.filter(delivery=delivery)
    total = entries.order_by().values("person").annotate(total=Sum("hours")).values("total")[:1]
    return Coalesce(Subquery(total, output_field=HOURS), Value(ZERO, output_field=HOURS), output_field=HOURS)


def _matches(requirement, prefix=""):
    q = Q(pk__isnull=False)
    if requirement.cadre_category:
        q &= Q(**{f"{prefix}cadre_category": requirement.cadre_category})
    if requirement.level:
        q &= Q(**{f"{prefix}level": requirement.level})
    return q


def _most_specific_first(plan):
    """The plan's requirements in the order requirement_for prefers them (stable for ties)."""
    return sorted(plan.requirements.all(), key=lambda r: r.specificity(), reverse=True) if plan else []


def _by_requirement(requirements, value, default):
    """A CASE giving value(r) for the most specific requirement r matching the row, else `default`."""
    whens = [When(_matches(r), then=value(r)) for r in requirements]
    return Case(*whens, default=default, output_field=default.output_field) if whens else default


def annotate_standings(persons, year, today=None):
    """`persons` (a Person queryset) annotated with the year's standing, as SQL:

    plan_online, plan_in_person, plan_carried, plan_counted (学时), plan_requirement (pk or None),
    plan_required_total, plan_required_online, plan_required_days, plan_mandatory_done and
    plan_mandatory_total (courses of the mandatory programs), and plan_status (MET, NOT_MET,
    IN_PROGRESS, NO_REQUIREMENT), equal to what `standings` computes."""
    today = today or timezone.localdate()
    plan, last_plan = _plan(year), _plan(year - 1)
    per_day = (plan or AnnualPlan(year=year)).in_person_hours_per_day
    requirements, last_requirements = _most_specific_first(plan), _most_specific_first(last_plan)
    courses = _mandatory_courses(plan)

    def hours(value):
        return Value(Decimal(value), output_field=HOURS)

    qs = persons.annotate(plan_online=_hours_expression(year, Delivery.ONLINE),
                          plan_in_person=_hours_expression(year, Delivery.IN_PERSON))
    if plan and plan.carry_over_limit and last_requirements:
        qs = qs.annotate(plan_last_year=_hours_expression(year - 1))
        limit = hours(plan.carry_over_limit)
        qs = qs.annotate(plan_carried=_by_requirement(
            last_requirements,
            lambda r: Least(Greatest(ExpressionWrapper(F("plan_last_year") - hours(r.total_hours), output_field=HOURS),
                                     hours(ZERO), output_field=HOURS), limit, output_field=HOURS),
            hours(ZERO)))
    else:
        qs = qs.annotate(plan_carried=hours(ZERO))
    qs = qs.annotate(
        plan_counted=ExpressionWrapper(F("plan_online") + F("plan_in_person") + F("plan_carried"), output_field=HOURS),
        plan_requirement=_by_requirement(requirements, lambda r: Value(r.pk), Value(None, output_field=IntegerField())),
        plan_required_total=_by_requirement(requirements, lambda r: hours(r.total_hours), hours(ZERO)),
        plan_required_online=_by_requirement(requirements, lambda r: hours(r.online_hours), hours(ZERO)),
        plan_required_days=_by_requirement(requirements, lambda r: hours(r.in_person_days), hours(ZERO)),
    )
    for program_pk, course_pks in courses.items():
        done = (Enrollment.objects.filter(person=OuterRef("pk"), course_id__in=course_pks or [0],
                                          completed_at__isnull=False)
                .order_by().values("person").annotate(n=Count("course", distinct=True)).values("n")[:1])
        qs = qs.annotate(**{f"plan_program_{program_pk}": Coalesce(Subquery(done, output_field=IntegerField()), 0)})

    def programs_of(r):
        return [p.pk for p in r.mandatory_programs.all()]

    def sum_of(names):
        expression = Value(0, output_field=IntegerField())
        for name in names:
            expression = expression + F(name)
        return ExpressionWrapper(expression, output_field=IntegerField())

    qs = qs.annotate(
        plan_mandatory_done=_by_requirement(requirements, lambda r: sum_of(
            [f"plan_program_{pk}" for pk in programs_of(r)]), Value(0, output_field=IntegerField())),
        plan_mandatory_total=_by_requirement(requirements, lambda r: Value(
            sum(len(courses[pk]) for pk in programs_of(r)), output_field=IntegerField()),
            Value(0, output_field=IntegerField())),
    )

    def met(r):
        q = Q(plan_counted__gte=r.total_hours, plan_online__gte=r.online_hours)
        if r.in_person_days > 0:
            if not per_day:
                return None
            # days rounded half up to a tenth >= required  <=>  hours >= (required - 0.05) * per day
            q &= Q(plan_in_person__gte=(r.in_person_days - Decimal("0.05")) * per_day)
        for pk in programs_of(r):
            if courses[pk]:
                q &= Q(**{f"plan_program_{pk}__gte": len(courses[pk])})
        return q

    year_over = today.year > year
    whens = [When(plan_requirement__isnull=True, then=Value(NO_REQUIREMENT))]
    for r in requirements:
        condition = met(r)
        if condition is not None:
            whens.append(When(Q(plan_requirement=r.pk) & condition, then=Value(MET)))
    return qs.annotate(plan_status=Case(*whens, default=Value(NOT_MET if year_over else IN_PROGRESS),
                                        output_field=CharField()))
