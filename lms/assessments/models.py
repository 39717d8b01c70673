"""Assessments: the question bank, quizzes (a Wagtail page in a course), attempts and their grading,
and offline exams whose scores the training office records.

How it hangs together:
- A `Question` lives in the bank (a snippet) with its options or accepted answers and knows how to
  grade a response to itself (`Question.grade`).
- A `QuizPage` is a child of a CoursePage: it draws fixed questions and/or N random questions per
  category with a seed, so an attempt's draw can be reproduced (`QuizPage.draw`), and sets the
  rules: time limit, open/close dates, allowed attempts, grading method, pass mark.
- An `Attempt` is one answer sheet (答卷): the drawn questions in their shuffled order are stored on
  its `Answer` rows when it starts, so editing the quiz later never changes a sheet already handed
  out; the deadline is stored on it, so the time limit is the server's, whatever the browser does.
- Results go to learning (completion and 学时) through lms.learning.activities only: see
  learning_feed.py. Learning never reads these tables.
- Every change of a score after the fact (essay grading, regrading after a question fix, offline
  scores) is logged in `ScoreChange` (who, when, old → new), and attempts, answers and offline
  scores keep a full history of their rows (django-simple-history, shown by lms.audit); learner
  autosaves are left out of that history (they change responses, not scores)."""

import datetime
import random
import secrets
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history
from wagtail.models import Orderable, Page

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
MAX_TEXT_ANSWER = 200
MAX_ESSAY_ANSWER = 5000


def quantize(value):
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def attribute_history(instance, *, user=None, reason=None):
    """Say who (`user`; without one simple-history takes the request's user) and why (`reason`, a
    ScoreChangeReason value, stored as its English label and translated when lms.audit shows it)
    the next save of `instance` changed it."""
    if user is not None:
        instance._history_user = user
    if reason:
        with translation.override(None):
            instance._change_reason = str(ScoreChangeReason(reason).label)
    return instance


def save_without_history(instance, **kwargs):
    """A save that writes no history row: learner autosaves, which change no score."""
    instance.skip_history_when_saving = True
    try:
        instance.save(**kwargs)
    finally:
        del instance.skip_history_when_saving


# --- the question bank ----------------------------------------------------------------------------


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")
    FILL_IN = "fill_in", _("Fill in the blank")
    ESSAY = "essay", _("Short essay")


CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


class Difficulty(models.IntegerChoices):
    EASY = 1, _("Easy")
    MEDIUM = 2, _("Medium")
    HARD = 3, _("Hard")


class MultipleChoiceScoring(models.TextChoices):
    """How a multiple-choice answer that is not exactly right scores (stated on the quiz page).
    Choosing any wrong option always scores zero."""

    EXACT = "exact", _("All or nothing: full points only for exactly the correct options")
    PROPORTIONAL = "proportional", _(
        "Partial: each correct option chosen earns its share of the points; any wrong option scores zero")
    HALF = "half", _("Half: some but not all correct options (and no wrong one) earn half the points")


class QuestionCategory(models.Model):
    """A subject of the bank (党章党规, 基层治理, 群众工作 ...); quizzes draw random questions per category."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("question category")
        verbose_name_plural = _("question categories")
        ordering = ["name"]

    def __str__(self):
        return self.name


class QuestionTag(TaggedItemBase):
    content_object = ParentalKey("assessments.Question", on_delete=models.CASCADE, related_name="tagged_items")


def normalize_text_answer(text):
    """Fill-in answers compare after Unicode NFKC (full-width → half-width), case folding and with
    all whitespace removed: "ＣＰＣ 党章" and "cpc党章" are the same answer."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return "".join(text.split()).casefold()


class Question(ClusterableModel):
    """One question of the bank. Objective kinds are graded automatically by `grade`; essays by
    a person in the grading queue. Fixing a question (its key or points) regrades the attempts
    that used it (see Question.regrade_attempts), so what a learner scored always follows the key.

    Retired questions (`is_active` off) are no longer drawn but stay with the sheets that used
    them; a question used by an attempt cannot be deleted."""

    kind = models.CharField(_("type"), max_length=20, choices=QuestionKind.choices, default=QuestionKind.SINGLE)
    text = models.TextField(_("question"))
    category = models.ForeignKey(QuestionCategory, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="questions", verbose_name=_("category"))
    tags = ClusterTaggableManager(through=QuestionTag, blank=True, verbose_name=_("tags"))
    difficulty = models.PositiveSmallIntegerField(_("difficulty"), choices=Difficulty.choices,
                                                  default=Difficulty.MEDIUM)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2, default=Decimal("1"),
                                 validators=[MinValueValidator(Decimal("0.5"))])
    answer_true = models.BooleanField(_("the statement is true"), null=True, blank=True,
                                      help_text=_("True or false questions only."))
    accepted_answers = models.TextField(
        _("accepted answers"), blank=True,
        help_text=_("Fill in the blank only: one accepted answer per line. Answers are compared ignoring "
                    "spaces, letter case and full-width/half-width differences."))
    explanation = models.TextField(_("explanation"), blank=True,
                                   help_text=_("Shown to learners with the answer key after they submit."))
    is_active = models.BooleanField(_("in use"), default=True,
                                    help_text=_("Questions not in use are no longer drawn into new attempts."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("category"), FieldPanel("difficulty"), FieldPanel("points")]),
        FieldPanel("text"),
        InlinePanel("options", heading=_("Options (single and multiple choice)"), label=_("Option")),
        FieldPanel("answer_true"),
        FieldPanel("accepted_answers"),
        FieldPanel("explanation"),
        FieldRowPanel([FieldPanel("tags"), FieldPanel("is_active")]),
    ]

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-updated_at", "pk"]

    def __str__(self):
        text = " ".join(self.text.split())
        return text if len(text) <= 40 else f"{text[:40]}…"

    @property
    def is_choice(self):
        return self.kind in CHOICE_KINDS

    @property
    def is_objective(self):
        return self.kind != QuestionKind.ESSAY

    def accepted_answer_list(self):
        return [line.strip() for line in self.accepted_answers.splitlines() if line.strip()]

    @staticmethod
    def key_errors(kind, options, answer_true=None, accepted_answers=""):
        """What is wrong with a question's answer key (list of messages, empty when fine).
        `options` is a list of (text, is_correct). Shared by the admin form and the XLSX import."""
        errors = []
        correct = sum(1 for _text, is_correct in options if is_correct)
        if kind in CHOICE_KINDS:
            if len(options) < 2:
                errors.append(gettext("A choice question needs at least two options."))
            if any(not str(text).strip() for text, _c in options):
                errors.append(gettext("Every option needs a text."))
            if kind == QuestionKind.SINGLE and correct != 1:
                errors.append(gettext("A single-choice question needs exactly one correct option."))
            if kind == QuestionKind.MULTIPLE and correct < 1:
                errors.append(gettext("A multiple-choice question needs at least one correct option."))
        elif options:
            errors.append(gettext("Only choice questions have options."))
        if kind == QuestionKind.TRUE_FALSE and answer_true is None:
            errors.append(gettext("Say whether the statement is true or false."))
        if kind == QuestionKind.FILL_IN and not any(line.strip() for line in (accepted_answers or "").splitlines()):
            errors.append(gettext("Give at least one accepted answer."))
        return errors

    def correct_option_ids(self):
        return {option.pk for option in self.options.all() if option.is_correct}

    def grade(self, response, *, multiple_scoring=MultipleChoiceScoring.EXACT, points=None):
        """Points earned by `response` (as stored on an Answer), or None for an essay (graded by a
        person). Returns (points, fully_correct)."""
        points = self.points if points is None else Decimal(points)
        if self.kind == QuestionKind.ESSAY:
            return None, None
        if response in (None, "", []):
            return Decimal("0.00"), False
        if self.kind == QuestionKind.TRUE_FALSE:
            right = response is self.answer_true
            return (quantize(points) if right else Decimal("0.00")), right
        if self.kind == QuestionKind.FILL_IN:
            given = normalize_text_answer(response)
            right = bool(given) and given in {normalize_text_answer(a) for a in self.accepted_answer_list()}
            return (quantize(points) if right else Decimal("0.00")), right
        chosen, correct = set(response), self.correct_option_ids()
        if chosen == correct:
            return quantize(points), True
        if self.kind == QuestionKind.SINGLE or chosen - correct or not correct:
            return Decimal("0.00"), False
        # Multiple choice, some but not all correct options and no wrong one.
        if multiple_scoring == MultipleChoiceScoring.PROPORTIONAL:
            return quantize(points * len(chosen) / len(correct)), False
        if multiple_scoring == MultipleChoiceScoring.HALF:
            return quantize(points / 2), False
        return Decimal("0.00"), False

    def regrade_attempts(self, by=None):
        """Grade again every finished answer to this question (after its key or points were
        fixed), update the sheets' totals and report changed outcomes to learning. Returns the
        number of sheets whose score changed."""
        changed = 0
        attempts = (Attempt.objects.filter(answers__question=self).exclude(status=AttemptStatus.IN_PROGRESS)
                    .distinct().order_by("pk"))
        for attempt_id in attempts.values_list("pk", flat=True):
            with transaction.atomic():
                attempt = Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt_id)
                if attempt.regrade(by=by, reason=ScoreChangeReason.REGRADE):
                    changed += 1
        return changed


class QuestionOption(Orderable):
    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("option"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)

    panels = [FieldRowPanel([FieldPanel("text"), FieldPanel("is_correct")])]

    class Meta(Orderable.Meta):
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self):
        return self.text


# --- quizzes ------------------------------------------------------------------------------------


class GradingMethod(models.TextChoices):
    """Which of a learner's finished attempts make their result for the quiz."""

    HIGHEST = "highest", _("Highest score")
    LAST = "last", _("Last attempt")
    FIRST = "first", _("First attempt")
    AVERAGE = "average", _("Average of all attempts")


class AnswerVisibility(models.TextChoices):
    AFTER_SUBMIT = "after_submit", _("Right after submitting")
    AFTER_CLOSE = "after_close", _("After the quiz closes")
    NEVER = "never", _("Never (score only)")


class QuizRejected(Exception):
    """A learner's request that must not count (start, save or submit): the message says why, in
    the learner's language; `status` is the HTTP status the views answer with."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Outcome:
    """A learner's result for a quiz by its grading method."""

    percent: Decimal | None
    passed: bool | None
    pending: bool  # an attempt that counts still waits for an essay to be graded
    decided_at: datetime.datetime | None
    attempts: int


class QuizPage(Page):
    """A quiz in a course (测验): the questions it draws and the rules of taking it. Results count
    towards the course through learning's activities (key "quiz:<page id>"), not as a lesson."""

    intro = RichTextField(_("instructions"), blank=True)
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"), default=0, validators=[MaxValueValidator(600)],
        help_text=_("0 for no time limit. The server enforces it: reloading the page does not restart the clock."))
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    max_attempts = models.PositiveSmallIntegerField(_("allowed attempts"), default=1,
                                                    help_text=_("0 for unlimited attempts."))
    grading_method = models.CharField(_("grading method"), max_length=20, choices=GradingMethod.choices,
                                      default=GradingMethod.HIGHEST)
    pass_percent = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=60, validators=[MaxValueValidator(100)],
        help_text=_("Share of the points needed to pass."))
    multiple_choice_scoring = models.CharField(
        _("multiple choice scoring"), max_length=20, choices=MultipleChoiceScoring.choices,
        default=MultipleChoiceScoring.EXACT)
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=True)
    shuffle_options = models.BooleanField(_("shuffle options"), default=True)
    show_answers = models.CharField(_("show the answer key"), max_length=20, choices=AnswerVisibility.choices,
                                    default=AnswerVisibility.AFTER_SUBMIT)
    required_for_completion = models.BooleanField(
        _("required for completion"), default=True,
        help_text=_("Learners must pass this quiz to complete the course."))

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel([
            FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at"), FieldPanel("time_limit_minutes")]),
            FieldRowPanel([FieldPanel("max_attempts"), FieldPanel("grading_method"), FieldPanel("pass_percent")]),
            FieldPanel("multiple_choice_scoring"),
            FieldRowPanel([FieldPanel("shuffle_questions"), FieldPanel("shuffle_options")]),
            FieldRowPanel([FieldPanel("show_answers"), FieldPanel("required_for_completion")]),
        ], heading=_("Rules")),
        InlinePanel("fixed_questions", heading=_("Fixed questions"), label=_("Question")),
        InlinePanel("random_rules", heading=_("Random questions per category"), label=_("Rule")),
    ]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")

    @property
    def activity_key(self):
        return f"quiz:{self.pk}"

    @property
    def course(self):
        return self.get_parent().specific

    def clean(self):
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The quiz must close after it opens.")})

    # --- drawing questions ---

    def draw(self, seed):
        """The questions of an attempt with this seed: fixed questions, then each random rule's N
        questions (active questions of the category, not already drawn), shuffled if the quiz says
        so, each with its option order. The same seed and bank give the same draw.
        Returns [(question, [option ids in display order])]."""
        rng = random.Random(seed)
        chosen, seen = [], set()
        for fixed in self.fixed_questions.select_related("question").order_by("sort_order", "pk"):
            if fixed.question_id not in seen:
                seen.add(fixed.question_id)
                chosen.append(fixed.question)
        for rule in self.random_rules.order_by("sort_order", "pk"):
            candidates = Question.objects.filter(category_id=rule.category_id, is_active=True).exclude(pk__in=seen)
            if rule.difficulty:
                candidates = candidates.filter(difficulty=rule.difficulty)
            candidates = list(candidates.order_by("pk"))
            picked = rng.sample(candidates, min(rule.count, len(candidates)))
            seen.update(q.pk for q in picked)
            chosen.extend(picked)
        if self.shuffle_questions:
            rng.shuffle(chosen)
        options = {}
        for option in QuestionOption.objects.filter(question__in=chosen).order_by("sort_order", "pk"):
            options.setdefault(option.question_id, []).append(option.pk)
        drawn = []
        for question in chosen:
            order = list(options.get(question.pk, [])) if question.is_choice else []
            if self.shuffle_options:
                rng.shuffle(order)
            drawn.append((question, order))
        return drawn

    def draw_shortfall(self):
        """Random rules asking for more questions than their category has: [(rule, available)]."""
        short = []
        for rule in self.random_rules.select_related("category"):
            available = Question.objects.filter(category_id=rule.category_id, is_active=True)
            if rule.difficulty:
                available = available.filter(difficulty=rule.difficulty)
            count = available.count()
            if count < rule.count:
                short.append((rule, count))
        return short

    # --- taking the quiz ---

    def is_open(self, now=None):
        now = now or timezone.now()
        return (self.opens_at is None or now >= self.opens_at) and (self.closes_at is None or now < self.closes_at)

    def has_closed(self, now=None):
        return self.closes_at is not None and (now or timezone.now()) >= self.closes_at

    def attempts_of(self, person):
        return self.attempts.filter(person=person).order_by("number")

    def attempts_left(self, person):
        """How many more attempts the person may start (None for unlimited)."""
        if not self.max_attempts:
            return None
        return max(0, self.max_attempts - self.attempts.filter(person=person).count())

    def start_attempt(self, person, now=None):
        """The person's attempt in progress, or a new one drawn with a fresh seed. Raises
        QuizRejected when the quiz is not open or no attempts are left. Starting twice at once
        (a double tap) yields one attempt."""
        now = now or timezone.now()
        close_expired_attempts(quiz=self, person=person, now=now)
        current = self.attempts.filter(person=person, status=AttemptStatus.IN_PROGRESS).first()
        if current is not None:
            return current
        if not self.live:
            raise QuizRejected(gettext("This quiz is not published."), status=404)
        if self.opens_at and now < self.opens_at:
            raise QuizRejected(gettext("This quiz is not open yet."), status=403)
        if self.has_closed(now):
            raise QuizRejected(gettext("This quiz has closed."), status=403)
        if self.attempts_left(person) == 0:
            raise QuizRejected(gettext("You have used all your attempts at this quiz."), status=403)
        seed = secrets.randbits(31)
        drawn = self.draw(seed)
        if not drawn:
            raise QuizRejected(gettext("This quiz has no questions yet."), status=403)
        deadline = None
        if self.time_limit_minutes:
            deadline = now + datetime.timedelta(minutes=self.time_limit_minutes)
        if self.closes_at and (deadline is None or self.closes_at < deadline):
            deadline = self.closes_at
        try:
            with transaction.atomic():
                number = (self.attempts.filter(person=person).aggregate(n=models.Max("number"))["n"] or 0) + 1
                attempt = Attempt.objects.create(quiz=self, person=person, number=number, seed=seed,
                                                 started_at=now, deadline=deadline)
                bulk_create_with_history([
                    Answer(attempt=attempt, question=question, position=position, option_order=order,
                           points=question.points)
                    for position, (question, order) in enumerate(drawn, start=1)
                ], Answer)
        except IntegrityError:  # a concurrent start made one first
            current = self.attempts.filter(person=person, status=AttemptStatus.IN_PROGRESS).first()
            if current is None:
                raise QuizRejected(gettext("You have used all your attempts at this quiz."), status=403) from None
            return current
        return attempt

    def answers_visible(self, now=None):
        if self.show_answers == AnswerVisibility.AFTER_SUBMIT:
            return True
        if self.show_answers == AnswerVisibility.AFTER_CLOSE:
            return self.has_closed(now)
        return False

    # --- results ---

    def outcome_for(self, person):
        """The person's result by the grading method over their finished attempts."""
        finished = list(self.attempts.filter(person=person).exclude(status=AttemptStatus.IN_PROGRESS)
                        .order_by("number"))
        if not finished:
            return Outcome(None, None, False, None, 0)
        if self.grading_method == GradingMethod.FIRST:
            counted = finished[:1]
        elif self.grading_method == GradingMethod.LAST:
            counted = finished[-1:]
        else:
            counted = finished
        pending = any(a.status != AttemptStatus.GRADED for a in counted)
        graded = [a for a in counted if a.status == AttemptStatus.GRADED]
        if not graded:
            return Outcome(None, None, True, None, len(finished))
        if self.grading_method == GradingMethod.AVERAGE:
            percent = quantize(sum(a.percent for a in graded) / len(graded))
            deciding = graded[-1]
        elif self.grading_method == GradingMethod.HIGHEST:
            deciding = max(graded, key=lambda a: (a.percent, -a.number))
            percent = deciding.percent
            if pending and percent < self.pass_percent:
                # an essay still to grade could raise the best score: not decided yet
                return Outcome(percent, None, True, None, len(finished))
            pending = False if percent >= self.pass_percent else pending
        else:
            deciding = graded[0]
            percent = deciding.percent
        if pending:
            return Outcome(percent, None, True, None, len(finished))
        return Outcome(percent, percent >= self.pass_percent, False, deciding.submitted_at, len(finished))

    def get_context(self, request, *args, **kwargs):
        from lms.learning.models import Enrollment

        context = super().get_context(request, *args, **kwargs)
        person = getattr(request.user, "person", None)
        course = self.course
        enrollment = (Enrollment.objects.current().filter(person=person, course=course).first()
                      if person else None)
        now = timezone.now()
        attempts, outcome = [], None
        if enrollment:
            close_expired_attempts(quiz=self, person=person, now=now)
            attempts = list(self.attempts_of(person))
            outcome = self.outcome_for(person)
        in_progress = next((a for a in attempts if a.status == AttemptStatus.IN_PROGRESS), None)
        left = self.attempts_left(person) if enrollment else 0
        context.update(
            course=course, enrollment=enrollment, attempts=attempts, outcome=outcome, in_progress=in_progress,
            attempts_left=left, question_count=self.question_count(),
            can_start=bool(enrollment and in_progress is None and self.is_open(now) and left != 0),
            not_open_yet=bool(self.opens_at and now < self.opens_at), closed=self.has_closed(now),
        )
        return context

    def question_count(self):
        return self.fixed_questions.count() + sum(rule.count for rule in self.random_rules.all())


class QuizFixedQuestion(Orderable):
    page = ParentalKey(QuizPage, on_delete=models.CASCADE, related_name="fixed_questions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+", verbose_name=_("question"))

    panels = [FieldPanel("question")]

    class Meta(Orderable.Meta):
        verbose_name = _("fixed question")
        verbose_name_plural = _("fixed questions")


class QuizRandomRule(Orderable):
    """Draw `count` random questions of a category (optionally of one difficulty) per attempt."""

    page = ParentalKey(QuizPage, on_delete=models.CASCADE, related_name="random_rules")
    category = models.ForeignKey(QuestionCategory, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("category"))
    difficulty = models.PositiveSmallIntegerField(_("difficulty"), choices=Difficulty.choices, null=True, blank=True,
                                                  help_text=_("Leave empty for any difficulty."))
    count = models.PositiveSmallIntegerField(_("number of questions"), default=5, validators=[MinValueValidator(1)])

    panels = [FieldRowPanel([FieldPanel("category"), FieldPanel("difficulty"), FieldPanel("count")])]

    class Meta(Orderable.Meta):
        verbose_name = _("random question rule")
        verbose_name_plural = _("random question rules")


# --- attempts -------------------------------------------------------------------------------------


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_GRADING = "awaiting_grading", _("Awaiting grading")
    GRADED = "graded", _("Graded")


class Attempt(models.Model):
    """One answer sheet (答卷) of one person for one quiz. `seed` reproduces its draw; `deadline`
    (start + time limit, capped at the quiz's close) is the server's clock for it: answers that
    arrive later than the deadline plus a short network grace are refused, and an expired sheet
    is closed with the answers saved before the deadline (`auto_submitted`)."""

    quiz = models.ForeignKey(QuizPage, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("quiz"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="quiz_attempts",
                               verbose_name=_("person"))
    number = models.PositiveSmallIntegerField(_("attempt number"))
    seed = models.PositiveIntegerField(_("draw seed"))
    status = models.CharField(_("status"), max_length=20, choices=AttemptStatus.choices,
                              default=AttemptStatus.IN_PROGRESS)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    last_saved_at = models.DateTimeField(_("last saved at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    auto_submitted = models.BooleanField(_("closed at the deadline"), default=False)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(_("maximum score"), max_digits=7, decimal_places=2, default=Decimal("0"))
    percent = models.DecimalField(_("percent"), max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["last_saved_at"])

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["-started_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "person", "number"], name="one_attempt_number_per_person_and_quiz"),
            models.UniqueConstraint(fields=["quiz", "person"], condition=Q(status="in_progress"),
                                    name="one_open_attempt_per_person_and_quiz"),
        ]
        indexes = [models.Index(fields=["quiz", "person"]), models.Index(fields=["status", "deadline"])]
        permissions = [("grade_attempt", "Can grade essays and regrade attempts")]

    def __str__(self):
        return f"{self.person} · {self.quiz_id} #{self.number}"

    @property
    def key(self):
        return f"attempt:{self.pk}"

    @property
    def in_progress(self):
        return self.status == AttemptStatus.IN_PROGRESS

    def effective_deadline(self):
        """The stored deadline, or the quiz's close if that was moved earlier since the start."""
        closes_at = self.quiz.closes_at
        if closes_at and (self.deadline is None or closes_at < self.deadline):
            return closes_at
        return self.deadline

    def seconds_left(self, now=None):
        deadline = self.effective_deadline()
        if deadline is None:
            return None
        return max(0, int((deadline - (now or timezone.now())).total_seconds()))

    def is_expired(self, now=None):
        """Past the deadline plus the grace for answers still on their way (QUIZ_GRACE_SECONDS)."""
        deadline = self.effective_deadline()
        if deadline is None:
            return False
        grace = datetime.timedelta(seconds=getattr(settings, "QUIZ_GRACE_SECONDS", 10))
        return (now or timezone.now()) > deadline + grace

    # --- answering ---

    def parse_sheet(self, data):
        """Read a posted answer sheet (fields `a-<answer id>`; the whole sheet: a missing field
        means unanswered) into {answer: response}. Raises QuizRejected, changing nothing, for a
        sheet that does not belong to this attempt or names options the question does not have."""
        if str(data.get("attempt", self.pk)) != str(self.pk):
            raise QuizRejected(gettext("This answer sheet does not belong to this attempt; nothing was saved."))
        answers = {f"a-{answer.pk}": answer for answer in self.answers.select_related("question")}
        unknown = [name for name in data.keys() if name.startswith("a-") and name not in answers]
        if unknown:
            raise QuizRejected(gettext("The answer sheet contains questions that are not part of this attempt; "
                                  "nothing was saved."))
        parsed = {}
        for name, answer in answers.items():
            values = [v for v in data.getlist(name) if str(v).strip() != ""] if hasattr(data, "getlist") else (
                [data[name]] if data.get(name) not in (None, "") else [])
            parsed[answer] = answer.parse(values)
        return parsed

    def save_sheet(self, data, now=None):
        """Autosave: store the sheet's answers, keep the attempt open. Refused (QuizRejected)
        after the deadline or once submitted."""
        return self._write_sheet(data, now, finish=False)

    def submit(self, data, now=None):
        """Store the final answers, close the sheet and grade it. A replay, a late sheet or a
        tampered one is refused (QuizRejected) and changes nothing."""
        return self._write_sheet(data, now, finish=True)

    def _write_sheet(self, data, now, *, finish):
        now = now or timezone.now()
        with transaction.atomic():
            attempt = Attempt.objects.select_for_update().select_related("quiz").get(pk=self.pk)
            if attempt.status != AttemptStatus.IN_PROGRESS:
                raise QuizRejected(gettext("This answer sheet has already been submitted; a repeated submission is "
                                      "not counted."), status=409)
            expired = attempt.is_expired(now)
            if expired:  # close it with what was saved in time; the late sheet is not stored
                attempt._finish(attempt.effective_deadline(), auto=True)
            else:
                attempt._store(attempt.parse_sheet(data), now)
                if finish:
                    attempt._finish(now, auto=False)
                else:
                    attempt.last_saved_at = now
                    save_without_history(attempt, update_fields=["last_saved_at"])
        if expired:
            raise QuizRejected(gettext("The time for this attempt is up: answers sent after the deadline are not "
                                  "counted. Your answers saved before the deadline were submitted."), status=409)
        return attempt

    def _store(self, parsed, now):
        for answer, response in parsed.items():
            if answer.response != response:
                answer.response = response
                answer.saved_at = now
                save_without_history(answer, update_fields=["response", "saved_at"])

    def _finish(self, at, *, auto):
        self.submitted_at = at
        self.auto_submitted = auto
        self.regrade(by=None, reason=None)

    def regrade(self, *, by=None, reason=None):
        """Grade every objective answer against the current key, add up the sheet and set its
        status (awaiting grading while an essay has no score). Logs a ScoreChange when the score of
        a finished sheet changes (`reason`), and reports the quiz outcome to learning after commit.
        Returns whether the sheet's score changed."""
        quiz = self.quiz
        total, maximum, waiting = Decimal("0"), Decimal("0"), False
        for answer in self.answers.select_related("question"):
            question = answer.question
            if question.is_objective:
                points, correct = question.grade(answer.response, multiple_scoring=quiz.multiple_choice_scoring)
                if answer.score != points or answer.correct != correct or answer.points != question.points:
                    answer.score, answer.correct, answer.points = points, correct, question.points
                    attribute_history(answer, user=by, reason=reason)
                    answer.save(update_fields=["score", "correct", "points"])
            elif answer.score is None:
                if answer.response in (None, ""):  # an empty essay needs no grader
                    answer.score, answer.correct = Decimal("0.00"), False
                    attribute_history(answer, user=by, reason=reason)
                    answer.save(update_fields=["score", "correct"])
                else:
                    waiting = True
            maximum += answer.points
            total += answer.score or 0
        old_score, old_status = self.score, self.status
        self.max_score = quantize(maximum)
        self.score = quantize(total)
        self.percent = quantize(total * HUNDRED / maximum) if maximum else Decimal("0.00")
        if waiting:
            self.status, self.passed, self.graded_at = AttemptStatus.AWAITING_GRADING, None, None
        else:
            self.status = AttemptStatus.GRADED
            self.passed = self.percent >= quiz.pass_percent
            self.graded_at = timezone.now() if (old_status != AttemptStatus.GRADED or old_score != self.score) \
                else self.graded_at
        attribute_history(self, user=by, reason=reason)
        self.save(update_fields=["submitted_at", "auto_submitted", "status", "score", "max_score", "percent", "passed",
                                 "graded_at"])
        changed = old_score is not None and old_score != self.score
        if changed and reason:
            ScoreChange.objects.create(person_id=self.person_id, subject=self.key, old_score=old_score,
                                       new_score=self.score, reason=reason, changed_by=by)
        from . import learning_feed

        learning_feed.report_quiz(quiz, self.person)
        return changed

    def answers_for_display(self):
        """The sheet's answers in order, each with its options in the sheet's order."""
        answers = list(self.answers.select_related("question").order_by("position"))
        options = {o.pk: o for o in QuestionOption.objects.filter(question__in=[a.question_id for a in answers])}
        for answer in answers:
            answer.display_options = [options[pk] for pk in answer.option_order if pk in options]
        return answers


class Answer(models.Model):
    """One drawn question on a sheet, in its position and option order, with the learner's
    response as last saved, its score and (for essays) the grader's comment."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers",
                                verbose_name=_("attempt"))
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers",
                                 verbose_name=_("question"))
    position = models.PositiveSmallIntegerField(_("position"))
    option_order = models.JSONField(_("option order"), default=list, blank=True)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2)
    # option ids (list) for choice questions, true/false, or text
    response = models.JSONField(_("response"), null=True, blank=True)
    saved_at = models.DateTimeField(_("saved at"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    correct = models.BooleanField(_("correct"), null=True, blank=True)
    comment = models.TextField(_("grader's comment"), blank=True)
    graded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("graded by"))
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)

    # Scores and grading, not the learner's text (autosaves write no history row either).
    history = HistoricalRecords(excluded_fields=["response", "saved_at", "option_order"])
    # lms.audit: whose record this is (the attempt's person), for the street scoping of its history.
    audit_person_path = "attempt__person"

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="one_answer_per_position"),
            models.UniqueConstraint(fields=["attempt", "question"], name="one_answer_per_question_and_attempt"),
        ]

    def __str__(self):
        return f"{self.attempt} · {self.position}"

    @property
    def field_name(self):
        return f"a-{self.pk}"

    def parse(self, values):
        """The response to store for the posted `values` of this answer's field. Raises
        QuizRejected for values this question cannot have (tampering)."""
        kind = self.question.kind
        if not values:
            return None
        if kind in CHOICE_KINDS:
            try:
                ids = sorted({int(v) for v in values})
            except (TypeError, ValueError):
                ids = None
            if ids is None or not set(ids) <= set(self.option_order) or (kind == QuestionKind.SINGLE and len(ids) > 1):
                raise QuizRejected(gettext("The answer sheet contains an option that does not belong to its question; "
                                      "nothing was saved."))
            return ids
        if len(values) > 1:
            raise QuizRejected(gettext("The answer sheet contains more than one answer for a question; nothing was saved."))
        value = str(values[0])
        if kind == QuestionKind.TRUE_FALSE:
            if value not in ("true", "false"):
                raise QuizRejected(gettext("The answer sheet contains an invalid true-or-false answer; nothing was saved."))
            return value == "true"
        limit = MAX_ESSAY_ANSWER if kind == QuestionKind.ESSAY else MAX_TEXT_ANSWER
        if len(value) > limit:
            raise QuizRejected(gettext("An answer is longer than %(limit)s characters; nothing was saved.") % {"limit": limit})
        return value.strip() or None

    def chose(self, option_id):
        return isinstance(self.response, list) and option_id in self.response

    def grade_essay(self, score, comment, by):
        """A grader's score and rubric comment for an essay answer (0 ≤ score ≤ points). Logs the
        change and regrades the sheet. Call inside a transaction."""
        score = quantize(score)
        if score < 0 or score > self.points:
            raise ValidationError(gettext("The score must be between 0 and %(points)s.") % {"points": self.points})
        old = self.score
        self.score, self.comment, self.graded_by, self.graded_at = score, comment, by, timezone.now()
        self.correct = score == self.points
        attribute_history(self, user=by, reason=ScoreChangeReason.GRADING)
        self.save(update_fields=["score", "comment", "graded_by", "graded_at", "correct"])
        if old != score:
            ScoreChange.objects.create(person_id=self.attempt.person_id, subject=f"answer:{self.pk}", old_score=old,
                                       new_score=score, reason=ScoreChangeReason.GRADING, changed_by=by)
        attempt = Attempt.objects.select_for_update().select_related("quiz").get(pk=self.attempt_id)
        attempt.regrade(by=by, reason=ScoreChangeReason.GRADING)
        return attempt


def close_expired_attempts(*, quiz=None, person=None, now=None):
    """Close attempts past their deadline with the answers saved in time (lazy: called wherever
    attempts are read, and by the periodic task). Returns how many were closed."""
    now = now or timezone.now()
    candidates = Attempt.objects.filter(status=AttemptStatus.IN_PROGRESS).select_related("quiz")
    if quiz is not None:
        candidates = candidates.filter(quiz=quiz)
    if person is not None:
        candidates = candidates.filter(person=person)
    candidates = candidates.filter(Q(deadline__isnull=False) | Q(quiz__closes_at__isnull=False))
    closed = 0
    for attempt in candidates:
        if not attempt.is_expired(now):
            continue
        with transaction.atomic():
            locked = Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt.pk)
            if locked.status == AttemptStatus.IN_PROGRESS:
                locked._finish(locked.effective_deadline(), auto=True)
                closed += 1
    return closed


# --- the audit log of scores ------------------------------------------------------------------------


class ScoreChangeReason(models.TextChoices):
    GRADING = "grading", _("Essay graded")
    REGRADE = "regrade", _("Regraded after a question fix")
    IMPORT = "import", _("Imported")
    MANUAL = "manual", _("Entered by hand")


class ScoreChange(models.Model):
    """Who changed which score when, from what to what (DESIGN §4: every change to scores is
    attributable). `subject` names the record: "attempt:5", "answer:17", "exam:3"."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    subject = models.CharField(_("record"), max_length=64)
    old_score = models.DecimalField(_("old score"), max_digits=7, decimal_places=2, null=True, blank=True)
    new_score = models.DecimalField(_("new score"), max_digits=7, decimal_places=2, null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=ScoreChangeReason.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("changed by"))
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("score change")
        verbose_name_plural = _("score changes")
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["subject"])]


# --- offline assessments ----------------------------------------------------------------------------


class OfflineAssessment(models.Model):
    """A written exam or the secretary class's final assessment (结业考核) taken on paper: the
    training office records the scores (import or by hand). Counts towards the course as the
    activity "exam:<id>", delivered in person."""

    course = models.ForeignKey("courses.CoursePage", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("course"))
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    max_score = models.DecimalField(_("full marks"), max_digits=6, decimal_places=2, default=Decimal("100"),
                                    validators=[MinValueValidator(Decimal("1"))])
    pass_score = models.DecimalField(_("pass score"), max_digits=6, decimal_places=2, default=Decimal("60"),
                                     validators=[MinValueValidator(Decimal("0"))])
    required_for_completion = models.BooleanField(_("required for completion"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    panels = [
        FieldPanel("course"),
        FieldRowPanel([FieldPanel("title"), FieldPanel("held_on")]),
        FieldRowPanel([FieldPanel("max_score"), FieldPanel("pass_score"), FieldPanel("required_for_completion")]),
        FieldPanel("notes"),
    ]

    class Meta:
        verbose_name = _("offline assessment")
        verbose_name_plural = _("offline assessments")
        ordering = ["-held_on", "pk"]

    def __str__(self):
        return self.title

    @property
    def activity_key(self):
        return f"exam:{self.pk}"

    def clean(self):
        super().clean()
        if self.pass_score is not None and self.max_score is not None and self.pass_score > self.max_score:
            raise ValidationError({"pass_score": _("The pass score cannot exceed the full marks.")})

    def passes(self, score):
        return Decimal(score) >= self.pass_score


class OfflineScore(models.Model):
    """One person's score in an offline assessment. Written only through lms.assessments.offline
    (import and manual entry), which logs every change and reports the result to learning."""

    assessment = models.ForeignKey(OfflineAssessment, on_delete=models.PROTECT, related_name="scores",
                                   verbose_name=_("offline assessment"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    passed = models.BooleanField(_("passed"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("offline score")
        verbose_name_plural = _("offline scores")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "person"], name="one_offline_score_per_person"),
        ]

    def __str__(self):
        return f"{self.person} · {self.score}"
