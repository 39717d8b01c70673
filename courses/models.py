"""The course catalogue as Wagtail pages: HomePage → ProgramPage → CoursePage → lesson pages.

Programs are the district's standing training programs (头雁讲坛, 示范课堂, ...); a CoursePage is one
run of a program (e.g. "2026年第四季度头雁讲坛") with its audience, dates and credit hours; lesson
pages hold what learners study. Learner records hang off these pages, so pages that have them are
never deleted (see wagtail_hooks.before_delete_page)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from lms.people.models import CadreCategory, Organization, OrgType

from .blocks import ContentStreamBlock
from .fields import ChoiceListField


class HomePage(Page):
    """The public catalogue: every program with its current courses."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.ProgramPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        programs = list(ProgramPage.objects.child_of(self).live().public().order_by("path"))
        courses = CoursePage.objects.live().order_by("-starts_on", "path")
        courses_by_program = {}
        for course in courses:
            courses_by_program.setdefault(course.path[: -Page.steplen], []).append(course)
        context["programs"] = [(program, courses_by_program.get(program.path, [])) for program in programs]
        return context


class ProgramKind(models.TextChoices):
    HEAD_GOOSE_FORUM = "forum", _("Head Goose Forum")
    DEMONSTRATION_CLASSROOM = "classroom", _("Demonstration Classroom")
    MICRO_VIDEOS = "micro_videos", _("Party education micro-videos")
    SECRETARY_CLASS = "secretary_class", _("Community (village) secretary class")
    TOPICAL = "topical", _("Topical class")


class Cadence(models.TextChoices):
    QUARTERLY = "quarterly", _("Quarterly")
    SEMIANNUAL = "semiannual", _("Twice a year")
    ALWAYS_OPEN = "always_open", _("Always open")
    PER_COHORT = "per_cohort", _("Per cohort")
    AD_HOC = "ad_hoc", _("By category and batch")


class ProgramPage(Page):
    """A standing training program; its children are the program's course runs."""

    kind = models.CharField(_("kind"), max_length=20, choices=ProgramKind.choices)
    cadence = models.CharField(_("cadence"), max_length=20, choices=Cadence.choices)
    audience_description = models.CharField(_("audience"), max_length=200, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("cadence")]),
        FieldPanel("audience_description"),
        FieldPanel("summary"),
        FieldPanel("intro"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("intro")]
    parent_page_types = ["courses.HomePage"]
    subpage_types = ["courses.CoursePage"]

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["courses"] = CoursePage.objects.child_of(self).live().order_by("-starts_on", "path")
        return context


class EnrolmentMode(models.TextChoices):
    ASSIGNED = "assigned", _("Enrolled by the training office")
    SELF = "self", _("Learners in the audience may enrol themselves")


class CoursePage(Page):
    """One run of a program (a class, 班次): who it is for, when it runs and what it is worth.

    The audience is a set of filters; an empty filter means "anyone". A person is in the audience
    when they match every non-empty filter."""

    year = models.PositiveIntegerField(_("year"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    credit_hours = models.DecimalField(
        _("credit hours"), max_digits=5, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("学时 awarded for completing the whole course."),
    )
    enrolment_mode = models.CharField(
        _("enrolment"), max_length=20, choices=EnrolmentMode.choices, default=EnrolmentMode.ASSIGNED
    )
    audience_org_types = ChoiceListField(
        _("organization types"), item_choices=OrgType.choices,
        help_text=_("Leave empty for every organization type."),
    )
    audience_categories = ChoiceListField(
        _("cadre categories"), item_choices=CadreCategory.choices,
        help_text=_("Leave empty for every cadre category."),
    )
    audience_streets = ParentalManyToManyField(
        Organization, blank=True, related_name="+", limit_choices_to={"org_type": OrgType.STREET},
        verbose_name=_("streets"), help_text=_("Leave empty for the whole district."),
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = StreamField(ContentStreamBlock(), blank=True, verbose_name=_("description"))

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("year"), FieldPanel("starts_on"), FieldPanel("ends_on")]),
                FieldRowPanel([FieldPanel("credit_hours"), FieldPanel("enrolment_mode")]),
            ],
            heading=_("Schedule and credit"),
        ),
        MultiFieldPanel(
            [FieldPanel("audience_org_types"), FieldPanel("audience_categories"), FieldPanel("audience_streets")],
            heading=_("Audience"),
        ),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary")]
    parent_page_types = ["courses.ProgramPage"]
    subpage_types = ["courses.ReadingLessonPage"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def clean(self):
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The course cannot end before it starts.")})
        if self.year and self.starts_on and self.starts_on.year != self.year:
            raise ValidationError({"year": _("The year must be the year the course starts in.")})

    @property
    def program(self):
        return self.get_parent().specific

    def audience_includes(self, person):
        """Whether the person matches every non-empty audience filter of this course."""
        organization = person.organization
        if self.audience_org_types and organization.org_type not in self.audience_org_types:
            return False
        if self.audience_categories and person.cadre_category not in self.audience_categories:
            return False
        streets = list(self.audience_streets.all())
        if streets and not any(organization.path.startswith(street.path) for street in streets):
            return False
        return True

    def lessons(self):
        return Page.objects.child_of(self).live().specific().order_by("path")

    def get_context(self, request, *args, **kwargs):
        from lms.learning.models import Enrollment

        context = super().get_context(request, *args, **kwargs)
        person = getattr(request.user, "person", None)
        enrollment = Enrollment.objects.current().filter(person=person, course=self).first() if person else None
        context["lessons"] = self.lessons()
        context["enrollment"] = enrollment
        context["can_self_enrol"] = bool(
            person and enrollment is None and self.enrolment_mode == EnrolmentMode.SELF and self.audience_includes(person)
        )
        return context


class LessonPage(Page):
    """Common ground of every lesson kind: where it sits and roughly how long it takes."""

    estimated_minutes = models.PositiveIntegerField(
        _("estimated minutes"), default=10, validators=[MinValueValidator(1)],
        help_text=_("Used by the credit-hour rules for online lessons."),
    )
    parent_page_types = ["courses.CoursePage"]
    subpage_types = []

    class Meta:
        abstract = True

    @property
    def course(self):
        return self.get_parent().specific


class ReadingLessonPage(LessonPage):
    """A lesson to read: text, images, documents and embedded video."""

    body = StreamField(ContentStreamBlock(), verbose_name=_("content"))

    content_panels = Page.content_panels + [FieldPanel("estimated_minutes"), FieldPanel("body")]
    search_fields = Page.search_fields

    class Meta:
        verbose_name = _("reading lesson")
        verbose_name_plural = _("reading lessons")
