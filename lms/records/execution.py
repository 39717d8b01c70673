"""How the year's planned batches (年度计划班次, 分类分批) are carried out: planned vs. actual.

For each PlannedBatch of the year's plan, within the viewer's scope (a street admin counts only
their street's people):

- target group: active persons matching the batch's target group (PlannedBatch.target_q);
- enrolled: persons with a current enrolment in any course linked to the batch;
- completed: enrolled persons who completed every linked course they are enrolled in;
- completion rate: completed / enrolled;
- 学时 delivered: the 学时 ledger entries earned in the linked courses.

Everything is counted in SQL: one query for all target-group sizes, one grouped query for all
the 学时, and one query per batch for enrolled and completed (a grouped subquery), so the number
of queries grows with the number of batches, never with the number of persons.

Status (decided here, shown with the rule on the screen):
- 未开始 (not started): today is before the planned start;
- 滞后 (behind): the period has started but no course is linked or nobody is enrolled yet, or
  the period is over and fewer than COMPLETION_BAR of those enrolled completed;
- 已完成 (done): the period is over and at least COMPLETION_BAR of those enrolled completed;
- 进行中 (in progress): otherwise (within the period, with enrolled trainees).
The planned number of trainees is a district-wide figure, so it is shown beside the actual
numbers (enrolled / planned) but does not decide the status: a street admin sees their street's
share, which is never the whole plan."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from lms.learning.models import AnnualPlan, CreditEntry, Enrollment

from .access import scoped_persons

COMPLETION_BAR = 90  # percent of those enrolled who completed, for a finished batch to count as done
NOT_STARTED, IN_PROGRESS, DONE, BEHIND = "not_started", "in_progress", "done", "behind"
STATUS_LABELS = {NOT_STARTED: pgettext_lazy("batch status", "Not started"),
                 IN_PROGRESS: pgettext_lazy("batch status", "In progress"),
                 DONE: pgettext_lazy("batch status", "Done"),
                 BEHIND: pgettext_lazy("batch status", "Behind")}
STATUS_COLOURS = {NOT_STARTED: "#9e9e9e", IN_PROGRESS: "#f9a825", DONE: "#2e7d32", BEHIND: "#c62828"}


@dataclass
class BatchExecution:
    batch: object  # PlannedBatch
    courses: list
    target: int = 0
    enrolled: int = 0
    completed: int = 0
    hours: Decimal = Decimal("0")
    status: str = NOT_STARTED

    @property
    def completion_rate(self):
        """Completed among those enrolled, in percent (None when nobody is enrolled)."""
        return round(100 * self.completed / self.enrolled) if self.enrolled else None

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def colour(self):
        return STATUS_COLOURS[self.status]


def status_of(batch, enrolled, completed, has_courses, today):
    if today < batch.starts_on:
        return NOT_STARTED
    if not has_courses or not enrolled:
        return BEHIND
    if today > batch.ends_on:
        return DONE if 100 * completed >= COMPLETION_BAR * enrolled else BEHIND
    return IN_PROGRESS


def _target_sizes(batches, persons):
    if not batches:
        return {}
    aggregates = {f"b{batch.pk}": Count("pk", filter=batch.target_q() or Q(pk__isnull=False)) for batch in batches}
    return persons.filter(is_active=True).aggregate(**aggregates)


def _hours_by_course(course_ids, persons):
    if not course_ids:
        return {}
    return dict(CreditEntry.objects.filter(course_id__in=course_ids, person__in=persons)
                .order_by().values_list("course_id").annotate(total=Sum("hours")).values_list("course_id", "total"))


def _enrolment_counts(course_ids, persons):
    """(enrolled, completed) persons over the courses (see the module docstring)."""
    if not course_ids:
        return 0, 0
    per_person = (Enrollment.objects.current().filter(course_id__in=course_ids, person__in=persons)
                  .order_by().values("person_id")
                  .annotate(n=Count("pk"), done=Count("pk", filter=Q(completed_at__isnull=False))))
    enrolled = per_person.count()
    completed = per_person.filter(done=F("n")).count() if enrolled else 0
    return enrolled, completed


def plan_execution(user, year, today=None):
    """(plan or None, [BatchExecution, ...]) for the year's plan within the user's scope."""
    return execution_among(scoped_persons(user), year, today)


def execution_among(persons, year, today=None):
    """(plan or None, [BatchExecution, ...]) for the year's plan, counting only `persons` (a
    Person queryset: a viewer's scope, or an export's street and categories)."""
    today = today or timezone.localdate()
    plan = AnnualPlan.objects.filter(year=year).first()
    if plan is None:
        return None, []
    batches = list(plan.batches.select_related("program").prefetch_related("courses"))
    sizes = _target_sizes(batches, persons)
    course_ids = {course.pk for batch in batches for course in batch.courses.all()}
    hours = _hours_by_course(course_ids, persons)
    rows = []
    for batch in batches:
        courses = sorted(batch.courses.all(), key=lambda c: (c.starts_on, c.path))
        ids = [course.pk for course in courses]
        enrolled, completed = _enrolment_counts(ids, persons)
        rows.append(BatchExecution(
            batch, courses, target=sizes.get(f"b{batch.pk}", 0), enrolled=enrolled, completed=completed,
            hours=sum((hours.get(pk) or Decimal("0") for pk in ids), Decimal("0")),
            status=status_of(batch, enrolled, completed, bool(ids), today)))
    return plan, rows


# --- chart -----------------------------------------------------------------------------------------

LABEL_WIDTH, BAR_WIDTH, FIGURES_WIDTH, ROW_HEIGHT, BAR_HEIGHT = 190, 380, 150, 26, 18


@dataclass
class BatchBar:
    """One batch as a bar: the track is the larger of the planned and enrolled numbers, the light
    part those enrolled, the dark part those who completed, coloured by the batch's status."""

    label: str
    y: int
    enrolled_width: float
    completed_width: float
    colour: str
    title: str
    figures: str

    @property
    def text_y(self):
        return self.y + BAR_HEIGHT - 5


@dataclass
class BatchChart:
    bars: list
    width: int = LABEL_WIDTH + BAR_WIDTH + FIGURES_WIDTH
    label_width: int = LABEL_WIDTH
    bar_width: int = BAR_WIDTH

    @property
    def height(self):
        return max(1, len(self.bars)) * ROW_HEIGHT

    @property
    def figures_x(self):
        return self.label_width + self.bar_width + 8

    @property
    def legend(self):
        return [(STATUS_LABELS[status], colour) for status, colour in STATUS_COLOURS.items()]


def whole_plan(user):
    """Whether the user sees the whole plan (a root of the organization tree, or a superuser):
    only then do the planned numbers of trainees compare with what they see."""
    from lms.people.scoping import scope_root

    if user.is_superuser:
        return True
    root = scope_root(user)
    return root is not None and root.depth == 1


def chart(rows, against_plan=True):
    """Bars of completed and enrolled against the planned number of trainees, or, for a viewer
    who sees only part of the plan (a street), against the target group in their scope."""
    bars = []
    for index, row in enumerate(rows):
        reference = row.batch.planned_trainees if against_plan else row.target
        scale = max(reference, row.enrolled)
        enrolled = BAR_WIDTH * row.enrolled / scale if scale else 0
        completed = BAR_WIDTH * row.completed / scale if scale else 0
        planned = reference or "—"
        bars.append(BatchBar(
            row.batch.name, index * ROW_HEIGHT, round(enrolled, 2), round(completed, 2), row.colour,
            f"{row.batch.name} · {row.status_label}: {row.completed} / {row.enrolled} / {planned}",
            f"{row.completed} / {row.enrolled} / {planned}"))
    return BatchChart(bars)
