"""The course catalogue as Wagtail pages: HomePage → ProgramPage → CoursePage → lesson pages.

Programs are the district's standing training programs (头雁讲坛, 示范课堂, ...); a CoursePage is one
run of a program (e.g. "2026年第四季度头雁讲坛") with its audience, dates and credit hours; lesson
pages hold what learners study. Learner records hang off these pages, so pages that have them are
never deleted (see wagtail_hooks.before_delete_page)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtailmedia.edit_handlers import MediaChooserPanel

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
    AUDIENCE = "audience", _("Everyone in the audience is enrolled automatically")


class CreditBasis(models.TextChoices):
    """How a course earns 学时 (the amounts come from the year's rules, lms.learning.AnnualPlan)."""

    PARTS = "parts", _("Each lesson, session and test, by the year's rules")
    COURSE = "course", _("The course's credit hours, once the course is completed")
    UNIVERSITY = "university", _("A university class: the year's university-class hours, once completed")


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
        help_text=_("学时 awarded for completing the whole course, when the course earns its credit as a whole."),
    )
    credit_basis = models.CharField(_("credit basis"), max_length=20, choices=CreditBasis.choices,
                                    default=CreditBasis.PARTS)
    completion_requires_lessons = models.BooleanField(
        _("completion requires every lesson"), default=True,
        help_text=_("Every published lesson must be completed (videos watched to the threshold)."))
    completion_session_percent = models.PositiveSmallIntegerField(
        _("sessions to attend (%)"), default=100, validators=[MaxValueValidator(100)],
        help_text=_("Share of the course's sessions a learner must attend (leave is not attendance). "
                    "0 when sessions do not count towards completion."))
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
    video_completion_percent = models.PositiveSmallIntegerField(
        _("video completion threshold (%)"), default=90, validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("A video lesson is completed when at least this share of its seconds has been watched."),
    )
    video_max_playback_rate = models.DecimalField(
        _("maximum playback speed"), max_digits=3, decimal_places=2, default=Decimal("1.25"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("4"))],
        help_text=_("Learners cannot play videos faster than this; watching faster is not credited."),
    )
    video_presence_check = models.BooleanField(
        _("ask “still watching?”"), default=False,
        help_text=_("At random moments the video pauses until the learner confirms they are still watching."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("year"), FieldPanel("starts_on"), FieldPanel("ends_on")]),
                FieldRowPanel([FieldPanel("credit_basis"), FieldPanel("credit_hours")]),
                FieldPanel("enrolment_mode"),
            ],
            heading=_("Schedule and credit"),
        ),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("completion_requires_lessons"), FieldPanel("completion_session_percent")])],
            heading=_("Completion"),
        ),
        MultiFieldPanel(
            [FieldPanel("audience_org_types"), FieldPanel("audience_categories"), FieldPanel("audience_streets")],
            heading=_("Audience"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("video_completion_percent"), FieldPanel("video_max_playback_rate")]),
                FieldPanel("video_presence_check"),
            ],
            heading=_("Video watching"),
        ),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary")]
    parent_page_types = ["courses.ProgramPage"]
    subpage_types = ["courses.ReadingLessonPage", "courses.VideoLessonPage", "assessments.QuizPage"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def clean(self):
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The course cannot end before it starts.")})
        if self.year and self.starts_on and self.starts_on.year != self.year:
            raise ValidationError({"year": _("The year must be the year the course starts in.")})
        if self.credit_basis == CreditBasis.COURSE and not self.credit_hours:
            raise ValidationError({"credit_hours": _("Give the credit hours the course earns when completed.")})

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
        """The lessons with the viewer's status in each, and their standing in the course."""
        from lms.learning import completion, progress
        from lms.learning.models import CreditEntry, Enrollment

        context = super().get_context(request, *args, **kwargs)
        person = getattr(request.user, "person", None)
        enrollment = Enrollment.objects.current().filter(person=person, course=self).first() if person else None
        lessons = list(self.lessons())
        statuses = progress.lesson_statuses(person, lessons) if enrollment else {}
        context["lessons"] = lessons
        context["lesson_rows"] = [(lesson, statuses.get(lesson.pk)) for lesson in lessons]
        context["enrollment"] = enrollment
        if enrollment:
            context["course_status"] = completion.course_status(person, self)
            context["course_hours"] = CreditEntry.objects.filter(person=person, course=self).totals()["total"]
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

    @property
    def credit_minutes(self):
        """The length the credit-hour rules for online lessons go by."""
        return self.estimated_minutes

    def learner_context(self, request):
        """The viewer's current enrolment in this lesson's course and their progress in the lesson
        (None, None for anyone not enrolled)."""
        from lms.learning.models import Enrollment, LessonProgress

        person = getattr(request.user, "person", None)
        course = self.course
        enrollment = Enrollment.objects.current().filter(person=person, course=course).first() if person else None
        lesson_progress = LessonProgress.objects.filter(person=person, lesson=self).first() if enrollment else None
        return course, enrollment, lesson_progress


class ReadingLessonPage(LessonPage):
    """A lesson to read: text, images, documents and embedded video. Completed when the learner
    has scrolled to its end or marks it done."""

    body = StreamField(ContentStreamBlock(), verbose_name=_("content"))

    content_panels = Page.content_panels + [FieldPanel("estimated_minutes"), FieldPanel("body")]
    search_fields = Page.search_fields

    class Meta:
        verbose_name = _("reading lesson")
        verbose_name_plural = _("reading lessons")

    def get_context(self, request, *args, **kwargs):
        from lms.learning import progress

        context = super().get_context(request, *args, **kwargs)
        course, enrollment, lesson_progress = self.learner_context(request)
        if enrollment and lesson_progress is None:
            lesson_progress = progress.start(enrollment.person, self)  # opened = started
        context.update(course=course, enrollment=enrollment, progress=lesson_progress)
        return context


class VideoLessonPage(LessonPage):
    """A lesson that is a video, watched in our player: the server counts the unique seconds
    actually played (see lms.learning.coverage) and completes the lesson at the course's
    threshold. The file is a wagtailmedia item served by the access-checked /media/ view."""

    video = models.ForeignKey(
        "wagtailmedia.Media", null=True, blank=False, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("video"), limit_choices_to={"type": "video"},
    )
    poster = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("poster image"),
    )
    subtitles = models.ForeignKey(
        "wagtaildocs.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("subtitles (WebVTT)"), help_text=_("Optional: a .vtt subtitle file."),
    )
    subtitles_language = models.CharField(_("subtitle language"), max_length=20, default="zh-Hans", blank=True)
    description = RichTextField(_("description"), blank=True)

    content_panels = Page.content_panels + [
        MediaChooserPanel("video", media_type="video"),
        FieldPanel("poster"),
        FieldRowPanel([FieldPanel("subtitles"), FieldPanel("subtitles_language")]),
        FieldPanel("estimated_minutes"),
        FieldPanel("description"),
    ]
    search_fields = Page.search_fields + [index.SearchField("description")]

    class Meta:
        verbose_name = _("video lesson")
        verbose_name_plural = _("video lessons")

    @property
    def duration(self):
        """The video's duration in seconds (read from the file when it was uploaded), or 0."""
        return float(self.video.duration or 0) if self.video else 0.0

    @property
    def credit_minutes(self):
        """A video counts by its real length."""
        return self.duration / 60 if self.duration else self.estimated_minutes

    @property
    def duration_clock(self):
        """The duration as a clock reading, e.g. "1:05" or "1:02:03"."""
        minutes, seconds = divmod(round(self.duration), 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"

    def clean(self):
        super().clean()
        errors = {}
        if self.video is not None:
            if self.video.type != "video":
                errors["video"] = _("Choose a video, not an audio file.")
            elif not self.video.duration or self.video.duration <= 0:
                errors["video"] = _("The duration of this video could not be read; upload a playable video file.")
        if self.subtitles is not None and not self.subtitles.file.name.lower().endswith(".vtt"):
            errors["subtitles"] = _("Subtitles must be a WebVTT (.vtt) file.")
        if errors:
            raise ValidationError(errors)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        course, enrollment, lesson_progress = self.learner_context(request)
        context.update(course=course, enrollment=enrollment, progress=lesson_progress)
        if self.video is not None:
            context["player"] = {
                "heartbeatUrl": reverse("lesson-heartbeat", args=[self.pk]) if enrollment else "",
                "duration": self.duration,
                "maxRate": float(course.video_max_playback_rate),
                "threshold": course.video_completion_percent,
                "presenceCheck": course.video_presence_check,
                # played seconds between "still watching?" prompts: random in [min, max]
                "presenceMinSeconds": getattr(settings, "VIDEO_PRESENCE_CHECK_SECONDS", (120, 420))[0],
                "presenceMaxSeconds": getattr(settings, "VIDEO_PRESENCE_CHECK_SECONDS", (120, 420))[1],
                "resumeAt": lesson_progress.last_position if lesson_progress else 0,
                "percent": lesson_progress.percent if lesson_progress else 0,
                "completed": bool(lesson_progress and lesson_progress.completed_at),
                "beatSeconds": 15,
            }
        return context
