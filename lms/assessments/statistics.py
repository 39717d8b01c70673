"""Per-quiz statistics for staff: who took it and how they did, the score distribution and how
often each question was answered correctly, limited to the persons the viewer may see."""

import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Q, Sum
from django.utils.translation import gettext as _

from .models import Answer, Attempt, AttemptStatus, close_expired_attempts, quantize

BUCKETS = [(0, 60), (60, 70), (70, 80), (80, 90), (90, 101)]


@dataclass
class LearnerRow:
    person: object
    attempts: int
    outcome: object


@dataclass
class QuestionRow:
    question: object
    drawn: int
    correct: int
    average: Decimal | None  # average share of the points scored, in percent

    @property
    def correct_percent(self):
        return quantize(Decimal(self.correct) * 100 / self.drawn) if self.drawn else None


@dataclass
class QuizStatistics:
    quiz: object
    learners: list = field(default_factory=list)
    questions: list = field(default_factory=list)
    distribution: list = field(default_factory=list)  # (label, count)
    attempts: int = 0
    awaiting_grading: int = 0
    mean_percent: Decimal | None = None

    @property
    def passed(self):
        return sum(1 for row in self.learners if row.outcome.passed)

    @property
    def pass_rate(self):
        decided = [row for row in self.learners if row.outcome.passed is not None]
        return quantize(Decimal(self.passed) * 100 / len(decided)) if decided else None


def quiz_statistics(quiz, persons):
    """Statistics of `quiz` over the finished attempts of `persons` (a Person queryset)."""
    close_expired_attempts(quiz=quiz)
    finished = (Attempt.objects.filter(quiz=quiz, person__in=persons).exclude(status=AttemptStatus.IN_PROGRESS))
    stats = QuizStatistics(quiz=quiz, attempts=finished.count(),
                           awaiting_grading=finished.filter(status=AttemptStatus.AWAITING_GRADING).count())
    graded = finished.filter(status=AttemptStatus.GRADED)
    mean = graded.aggregate(mean=Avg("percent"))["mean"]
    stats.mean_percent = quantize(mean) if mean is not None else None
    counts = {label: 0 for label in _bucket_labels()}
    for percent in graded.values_list("percent", flat=True):
        for (low, high), label in zip(BUCKETS, _bucket_labels()):
            if low <= percent < high:
                counts[label] += 1
    stats.distribution = list(counts.items())

    person_ids = finished.values_list("person_id", flat=True).distinct()
    for person in persons.filter(pk__in=person_ids).select_related("organization").order_by("name", "pk"):
        stats.learners.append(LearnerRow(person, finished.filter(person=person).count(), quiz.outcome_for(person)))

    answers = (Answer.objects.filter(attempt__in=finished).values("question")
               .annotate(drawn=Count("pk"), correct=Count("pk", filter=Q(correct=True)),
                         scored=Sum("score"), points=Sum("points", filter=Q(score__isnull=False))))
    from .models import Question

    questions = Question.objects.in_bulk([row["question"] for row in answers])
    for row in sorted(answers, key=lambda r: (r["correct"] / r["drawn"] if r["drawn"] else 0, r["question"])):
        average = quantize(row["scored"] * 100 / row["points"]) if row["points"] else None
        stats.questions.append(QuestionRow(questions[row["question"]], row["drawn"], row["correct"], average))
    return stats


def _bucket_labels():
    return [_("below 60%"), "60–69%", "70–79%", "80–89%", "90–100%"]


def export_workbook(stats):
    """An XLSX of the statistics: one sheet of learners, one of questions."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("Learners")
    sheet.append([_("Name"), _("Organization"), _("Mobile"), _("Attempts"), _("Result (%)"), _("Passed")])
    for row in stats.learners:
        outcome = row.outcome
        passed = _("Awaiting grading") if outcome.pending else (_("Yes") if outcome.passed else _("No"))
        sheet.append([row.person.name, row.person.organization.name, row.person.phone, row.attempts,
                      float(outcome.percent) if outcome.percent is not None else None, passed])
    questions = workbook.create_sheet(_("Questions"))
    questions.append([_("Question"), _("Type"), _("Category"), _("Times drawn"), _("Answered correctly"),
                      _("Correct (%)"), _("Average score (%)")])
    for row in stats.questions:
        question = row.question
        questions.append([question.text, question.get_kind_display(), str(question.category or ""), row.drawn,
                          row.correct, float(row.correct_percent) if row.correct_percent is not None else None,
                          float(row.average) if row.average is not None else None])
    summary = workbook.create_sheet(_("Distribution"))
    summary.append([_("Score"), _("Attempts")])
    for label, count in stats.distribution:
        summary.append([label, count])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
