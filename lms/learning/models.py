"""Who is in which course, what they did there, and the 学时 they earned.

Unenrolling closes an enrolment instead of deleting it, so the history of who was in a course (and
everything they did there) is kept."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel

from courses.fields import ChoiceListField
from lms.people.models import NEWLY_APPOINTED_DAYS, CadreCategory, CadreLevel, OrgType

from .history import ClusterHistoricalRecords as HistoricalRecords


class EnrollmentSource(models.TextChoices):
    AUDIENCE = "audience", _("Audience rule")
    BULK = "bulk", _("Bulk by the training office")
    SELF = "self", _("Self-enrolment")
    IMPORT = "import", _("Import")


class EnrollmentQuerySet(models.QuerySet):
    def current(self):
        return self.filter(withdrawn_at__isnull=True)


class Enrollment(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="enrollments",
                               verbose_name=_("person"))
    course = models.ForeignKey("courses.CoursePage", on_delete=models.PROTECT, related_name="enrollments",
                               verbose_name=_("course"))
    source = models.CharField(_("source"), max_length=20, choices=EnrollmentSource.choices)
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("enrolled by"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # Set and cleared only by lms.learning.completion.recompute.
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            models.UniqueConstraint(fields=["person", "course"], condition=Q(withdrawn_at__isnull=True),
                                    name="one_current_enrollment_per_person_and_course"),
        ]
        indexes = [models.Index(fields=["course", "person"])]

    def __str__(self):
        return f"{self.person} · {self.course}"

    @classmethod
    def enrol(cls, person, course, source, by=None):
        """Enrol the person unless already enrolled; returns (enrollment, created)."""
        existing = cls.objects.current().filter(person=person, course=course).first()
        if existing:
            return existing, False
        if source == EnrollmentSource.SELF and not course.audience_includes(person):
            raise ValidationError(_("This course is not open to you."))
        try:
            with transaction.atomic():
                enrollment = cls.objects.create(person=person, course=course, source=source, enrolled_by=by)
        except IntegrityError:  # a concurrent request (double tap) enrolled them first
            return cls.objects.current().get(person=person, course=course), False
        from .completion import recompute

        recompute(person, course)  # a walk-in may have attended before being enrolled
        enrollment.refresh_from_db(fields=["completed_at"])
        return enrollment, True

    def withdraw(self):
        if self.withdrawn_at is None:
            self.withdrawn_at = timezone.now()
            self.save(update_fields=["withdrawn_at"])


class LessonProgress(models.Model):
    """What one person did in one lesson: when they started and completed it and, for a video,
    which seconds they actually played (a bitmap, one bit per second: see lms.learning.coverage).

    Written only through lms.learning.progress (reading lessons, other apps) and the video
    heartbeat (lms.learning.heartbeat). `playback_id` is the learner's one active playback of the
    video (latest wins): reports from any other playback are not credited."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="lesson_progress",
                               verbose_name=_("person"))
    lesson = models.ForeignKey("wagtailcore.Page", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("lesson"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # Video watching
    coverage = models.BinaryField(_("coverage"), default=b"", blank=True)
    seconds_covered = models.PositiveIntegerField(_("seconds watched"), default=0)
    duration = models.FloatField(_("duration (seconds)"), default=0)
    last_position = models.FloatField(_("last position (seconds)"), default=0)
    last_report_at = models.DateTimeField(_("last report at"), null=True, blank=True)
    playback_id = models.CharField(_("active playback"), max_length=64, blank=True)
    # Bumped by every heartbeat write: the compare-and-set that keeps concurrent reports honest.
    revision = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["person", "lesson"], name="one_progress_per_person_and_lesson"),
        ]

    def __str__(self):
        return f"{self.person} · {self.lesson_id}"

    @property
    def percent(self):
        from .coverage import percent

        return percent(self.seconds_covered, self.duration)

    @property
    def completed(self):
        return self.completed_at is not None


class ActivityKind(models.TextChoices):
    SESSION = "session", _("Session")
    ASSESSMENT = "assessment", _("Assessment")


class Delivery(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")


class CourseActivity(models.Model):
    """Something a course counts towards completion and credit that is not one of its lesson
    pages: a scheduled session (reported by attendance) or an assessment (reported by
    assessments). Those apps keep it in step with their own records through
    lms.learning.activities, so learning never reads their tables. `key` is theirs, e.g.
    "session:12"; an activity that is cancelled stays (with its results) but is not required."""

    course = models.ForeignKey("courses.CoursePage", on_delete=models.PROTECT, related_name="activities",
                               verbose_name=_("course"))
    key = models.CharField(_("key"), max_length=64, unique=True)
    kind = models.CharField(_("activity type"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=255)
    required = models.BooleanField(_("required"), default=True)
    happens_at = models.DateTimeField(_("takes place at"), null=True, blank=True)
    scheduled_minutes = models.PositiveIntegerField(_("scheduled minutes"), default=0)
    # Explicit credit declared on the session; zero means "by the year's rules".
    credit_hours = models.DecimalField(_("credit hours"), max_digits=5, decimal_places=2, default=Decimal("0"))
    credit_days = models.DecimalField(_("full-time days"), max_digits=4, decimal_places=1, default=Decimal("0"))

    class Meta:
        verbose_name = _("course activity")
        verbose_name_plural = _("course activities")
        ordering = ["happens_at", "pk"]

    def __str__(self):
        return self.title


class ActivityResult(models.Model):
    """What one person achieved in one course activity: attended (and how) or passed."""

    activity = models.ForeignKey(CourseActivity, on_delete=models.PROTECT, related_name="results",
                                 verbose_name=_("activity"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="activity_results",
                               verbose_name=_("person"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    delivery = models.CharField(_("delivery"), max_length=20, choices=Delivery.choices, default=Delivery.IN_PERSON)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("activity result")
        verbose_name_plural = _("activity results")
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="one_result_per_person_and_activity"),
        ]

    @property
    def done(self):
        return self.done_at is not None


def _hours_field(verbose_name, default, help_text=""):
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=2, default=Decimal(default),
                               validators=[MinValueValidator(Decimal("0"))], help_text=help_text)


class AnnualPlan(ClusterableModel):
    """The year's training plan as HR sets it: the rules that turn completed activities into 学时
    (defaults from published practice, DESIGN §4), how much of last year's surplus counts, and the
    requirements per cadre category (PlanRequirement). A year without a plan uses the default
    rules and requires nothing."""

    year = models.PositiveIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    in_person_hours_per_day = _hours_field(_("学时 per full-time in-person day"), "6")
    online_long_minutes = models.PositiveIntegerField(_("long online lesson from (minutes)"), default=30)
    online_long_hours = _hours_field(_("学时 for a long online lesson"), "1")
    online_medium_minutes = models.PositiveIntegerField(_("medium online lesson from (minutes)"), default=15)
    online_medium_hours = _hours_field(_("学时 for a medium online lesson"), "0.5")
    online_short_hours = _hours_field(_("学时 for a short online lesson"), "0.25")
    test_pass_hours = _hours_field(_("学时 for passing a test"), "0.5")
    university_class_hours = _hours_field(_("学时 for a university class"), "24")
    carry_over_limit = _hours_field(
        _("surplus carried over from last year (at most)"), "0",
        help_text=_("学时 earned last year above last year's requirement that count towards this year's total. "
                    "0: no carry-over."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annual training plan")
        verbose_name_plural = _("annual training plans")
        ordering = ["-year"]

    def __str__(self):
        return self.title or str(self.year)

    def clean(self):
        super().clean()
        if self.online_medium_minutes is not None and self.online_long_minutes is not None \
                and self.online_medium_minutes >= self.online_long_minutes:
            raise ValidationError({"online_medium_minutes": _(
                "A medium online lesson must start below the length of a long one.")})

    @classmethod
    def for_year(cls, year):
        """The plan of the year, or an unsaved plan with the default rules."""
        return cls.objects.filter(year=year).first() or cls(year=year)

    def online_lesson_rule(self, minutes):
        """(rule, hours) for an online lesson or live session of this many minutes."""
        if minutes >= self.online_long_minutes:
            return CreditRule.ONLINE_LONG, self.online_long_hours
        if minutes >= self.online_medium_minutes:
            return CreditRule.ONLINE_MEDIUM, self.online_medium_hours
        return CreditRule.ONLINE_SHORT, self.online_short_hours


class PlanRequirement(ClusterableModel):
    """What the year's plan asks of one group of cadres: a cadre category, optionally narrowed to a
    level (empty = all). A person is held to the most specific requirement that matches them
    (category and level, then category, then level, then everyone); see lms.learning.plans.
    One requirement per group and plan is checked by the admin form (AnnualPlanForm), with a
    message; a database constraint would only answer the formset's generic duplicate error."""

    plan = ParentalKey(AnnualPlan, on_delete=models.CASCADE, related_name="requirements", verbose_name=_("plan"))
    cadre_category = models.CharField(_("cadre category"), max_length=30, blank=True,
                                      choices=CadreCategory.choices, help_text=_("Leave empty for every category."))
    level = models.CharField(_("level"), max_length=20, blank=True, choices=CadreLevel.choices,
                             help_text=_("Leave empty for every level."))
    total_hours = _hours_field(_("total 学时"), "0")
    online_hours = _hours_field(_("of which online, at least"), "0")
    in_person_days = models.DecimalField(_("full-time in-person days, at least"), max_digits=4, decimal_places=1,
                                         default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    mandatory_programs = ParentalManyToManyField(
        "courses.ProgramPage", blank=True, related_name="+", verbose_name=_("mandatory programs"),
        help_text=_("Every course of these programs in the plan's year must be completed."))

    history = HistoricalRecords(m2m_fields=[mandatory_programs])

    class Meta:
        verbose_name = _("plan requirement")
        verbose_name_plural = _("plan requirements")

    def __str__(self):
        everyone = _("everyone")
        who = " · ".join(filter(None, [self.get_cadre_category_display(), self.get_level_display()]))
        return f"{self.plan} · {who or everyone}"

    def clean(self):
        super().clean()
        if self.online_hours is not None and self.total_hours is not None and self.online_hours > self.total_hours:
            raise ValidationError({"online_hours": _("The online part cannot exceed the total.")})

    def specificity(self):
        return (bool(self.cadre_category), bool(self.level))


class PlannedBatch(ClusterableModel):
    """One planned class of the year's plan (年度计划班次, 分类分批): which program runs it, for whom
    (organization types, cadre categories, newly appointed only), when, for how many trainees,
    how many days and 学时, who organizes it, and the courses (CoursePages) that realise it.

    The target group is a set of filters like a course's audience: an empty filter means "anyone".
    "Newly appointed" is Person.is_newly_appointed anchored at the batch instead of today: appointed
    at most NEWLY_APPOINTED_DAYS before the batch starts, and not after it ends, so the group of a
    past batch does not change as the calendar moves on. How a batch stands against its plan is
    counted by lms.records.execution (records read everyone; nothing here imports records)."""

    plan = ParentalKey(AnnualPlan, on_delete=models.CASCADE, related_name="batches", verbose_name=_("plan"))
    sort_order = models.IntegerField(null=True, blank=True, editable=False)
    program = models.ForeignKey("courses.ProgramPage", null=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("program"))
    name = models.CharField(_("batch name"), max_length=200,
                            help_text=_("For example: 第一期 新任社区书记专题班."))
    org_types = ChoiceListField(_("organization types"), item_choices=OrgType.choices,
                                help_text=_("Leave empty for every organization type."))
    categories = ChoiceListField(_("cadre categories"), item_choices=CadreCategory.choices,
                                 help_text=_("Leave empty for every cadre category."))
    newly_appointed_only = models.BooleanField(
        _("newly appointed only"), default=False,
        help_text=_("Only persons appointed within a year before the batch starts (or during it)."))
    starts_on = models.DateField(_("planned start"))
    ends_on = models.DateField(_("planned end"))
    planned_trainees = models.IntegerField(_("planned trainees"), default=0,
                                           validators=[MinValueValidator(0, _("The number cannot be negative."))])
    planned_days = models.DecimalField(_("planned days"), max_digits=5, decimal_places=1, default=Decimal("0"),
                                       validators=[MinValueValidator(Decimal("0"), _("The number cannot be negative."))])
    planned_hours = models.DecimalField(_("planned 学时"), max_digits=6, decimal_places=1, default=Decimal("0"),
                                        validators=[MinValueValidator(Decimal("0"), _("The number cannot be negative."))])
    organizer = models.CharField(_("organizer"), max_length=200, blank=True,
                                 help_text=_("For example: 区委组织部, or a partner university."))
    notes = models.TextField(_("notes"), blank=True)
    courses = ParentalManyToManyField(
        "courses.CoursePage", blank=True, related_name="+", verbose_name=_("courses run for this batch"),
        help_text=_("The courses (classes) that realise this batch."))

    history = HistoricalRecords(m2m_fields=[courses])
    sort_order_field = "sort_order"  # InlinePanel lets HR reorder the batches

    class Meta:
        verbose_name = _("planned batch")
        verbose_name_plural = _("planned batches")
        ordering = ["sort_order", "starts_on", "pk"]

    def __str__(self):
        return f"{self.plan} · {self.name}" if self.plan_id else self.name

    def clean(self):
        super().clean()
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The planned end cannot be before the planned start.")
        plan = self.plan if self.plan_id else None
        if plan is not None:
            errors.update(self.period_errors(plan.year))
        if errors:
            raise ValidationError(errors)

    def period_errors(self, year):
        """{field: message} when the planned period is not within the plan's year."""
        errors = {}
        for name in ("starts_on", "ends_on"):
            day = getattr(self, name)
            if day and year and day.year != int(year):
                errors[name] = _("The planned period must lie within the plan's year (%(year)s).") % {"year": year}
        return errors

    def newly_appointed_window(self):
        """(first, last) appointment date of a newly appointed person of this batch."""
        import datetime

        return self.starts_on - datetime.timedelta(days=NEWLY_APPOINTED_DAYS), self.ends_on

    def target_q(self, prefix=""):
        """A Q over Person (or over `prefix` + person fields) selecting the target group."""
        q = Q()
        if self.org_types:
            q &= Q(**{f"{prefix}organization__org_type__in": self.org_types})
        if self.categories:
            q &= Q(**{f"{prefix}cadre_category__in": self.categories})
        if self.newly_appointed_only:
            first, last = self.newly_appointed_window()
            q &= Q(**{f"{prefix}appointed_on__gte": first, f"{prefix}appointed_on__lte": last})
        return q

    def target_description(self):
        """The target group in words (for lists and the export)."""
        org_types, categories = dict(OrgType.choices), dict(CadreCategory.choices)
        parts = ["、".join(str(org_types.get(v, v)) for v in self.org_types),
                 "、".join(str(categories.get(v, v)) for v in self.categories)]
        if self.newly_appointed_only:
            parts.append(str(_("newly appointed only")))
        return " · ".join(filter(None, parts)) or str(_("everyone"))


class CreditRule(models.TextChoices):
    ONLINE_LONG = "online_long", _("Online lesson of at least the long length")
    ONLINE_MEDIUM = "online_medium", _("Online lesson of the medium length")
    ONLINE_SHORT = "online_short", _("Short online lesson")
    IN_PERSON_DAYS = "in_person_days", _("Full-time in-person days")
    IN_PERSON_HOURS = "in_person_hours", _("In-person session by its hours")
    SESSION_HOURS = "session_hours", _("Credit hours declared on the session")
    TEST_PASS = "test_pass", _("Passing a test")
    COURSE_HOURS = "course_hours", _("Credit hours declared on the course")
    UNIVERSITY_CLASS = "university_class", _("University class")
    MANUAL = "manual", _("Entered by HR")


class CreditEntryQuerySet(models.QuerySet):
    def totals(self):
        """{"total": Decimal, "online": Decimal, "in_person": Decimal} over these entries."""
        from django.db.models import Sum

        rows = dict(self.values_list("delivery").annotate(hours=Sum("hours")).values_list("delivery", "hours"))
        online = rows.get(Delivery.ONLINE) or Decimal("0")
        in_person = rows.get(Delivery.IN_PERSON) or Decimal("0")
        return {"total": online + in_person, "online": online, "in_person": in_person}


class CreditEntry(models.Model):
    """One line of a person's 学时 ledger: what earned it, when, how much and by which rule.

    Entries are derived: lms.learning.credits.sync keeps a person's entries for a course equal
    to what their completed lessons, activities and the course itself earn by the year's rules,
    so a correction (an attendance record changed to absent) removes the entry it had earned.
    `source_key` names the source ("lesson:12", "activity:3", "course:7") and is unique per
    person, so recording twice never credits twice."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="credit_entries",
                               verbose_name=_("person"))
    year = models.PositiveIntegerField(_("year"), db_index=True)
    course = models.ForeignKey("courses.CoursePage", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("course"))
    source_key = models.CharField(_("credited for"), max_length=64)
    source_title = models.CharField(_("source title"), max_length=255)
    delivery = models.CharField(_("delivery"), max_length=20, choices=Delivery.choices)
    hours = models.DecimalField(_("credit hours"), max_digits=6, decimal_places=2)
    rule = models.CharField(_("rule applied"), max_length=30, choices=CreditRule.choices)
    earned_at = models.DateTimeField(_("earned at"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CreditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("credit entry")
        verbose_name_plural = _("credit entries")
        ordering = ["-earned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["person", "source_key"], name="one_credit_entry_per_person_and_source"),
        ]
        indexes = [models.Index(fields=["person", "year"])]

    def __str__(self):
        return f"{self.person} · {self.source_title} · {self.hours}"
