"""Staff screens of assessments in the Wagtail admin: the essay grading queue, answer sheets,
per-quiz statistics (with an XLSX export) and offline assessment scores (manual entry and
import with a dry run). Each checks its permission (403) and shows only the persons in the
viewer's scope: another street's person is a 404."""

import secrets
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Page

from lms.learning.models import Enrollment
from lms.people.scoping import visible_persons

from . import access, offline, question_io, statistics
from .models import (
    Answer, Attempt, AttemptStatus, OfflineAssessment, OfflineScore, Question, QuestionKind, QuizPage, ScoreChange,
    ScoreChangeReason,
)

IMPORT_SALT = "assessments.offline-import"
IMPORT_MAX_AGE = 60 * 60


def forbidden(request):
    # A plain 403 (Wagtail would turn PermissionDenied into a redirect to the dashboard).
    return TemplateResponse(request, "403.html", status=403)


class StaffView(WagtailAdminTemplateMixin, TemplateView):
    allowed = staticmethod(lambda user: False)

    def dispatch(self, request, *args, **kwargs):
        if not self.allowed(request.user):
            return forbidden(request)
        self.persons = visible_persons(request.user)
        return super().dispatch(request, *args, **kwargs)


# --- essay grading -----------------------------------------------------------------------------------


def essays_to_grade(user):
    return (Answer.objects.filter(attempt__status=AttemptStatus.AWAITING_GRADING, question__kind=QuestionKind.ESSAY,
                                  score__isnull=True, attempt__person__in=visible_persons(user))
            .select_related("attempt__quiz", "attempt__person__organization", "question")
            .order_by("attempt__submitted_at", "attempt_id", "position"))


class GradingQueueView(StaffView):
    template_name = "assessments/admin/grading_queue.html"
    page_title = gettext_lazy("Essay grading")
    header_icon = "edit"
    allowed = staticmethod(access.can_grade)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["answers"] = essays_to_grade(self.request.user)[:200]
        context["total"] = essays_to_grade(self.request.user).count()
        return context


class GradeAnswerView(StaffView):
    """Score one essay answer with a rubric comment; graded answers can be graded again."""

    template_name = "assessments/admin/grade_answer.html"
    page_title = gettext_lazy("Grade an answer")
    header_icon = "edit"
    allowed = staticmethod(access.can_grade)

    def get_answer(self):
        return get_object_or_404(
            Answer.objects.select_related("attempt__quiz", "attempt__person__organization", "question"),
            pk=self.kwargs["pk"], question__kind=QuestionKind.ESSAY, attempt__person__in=self.persons,
            attempt__status__in=[AttemptStatus.AWAITING_GRADING, AttemptStatus.GRADED])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        answer = self.get_answer()
        context.update(answer=answer, score=kwargs.get("score", answer.score), comment=kwargs.get(
            "comment", answer.comment), error=kwargs.get("error"),
            history=ScoreChange.objects.filter(subject=f"answer:{answer.pk}").select_related("changed_by"))
        return context

    def post(self, request, *args, **kwargs):
        answer = self.get_answer()
        raw, comment = request.POST.get("score", "").strip(), request.POST.get("comment", "").strip()[:2000]
        try:
            score = Decimal(raw)
            if not score.is_finite():
                raise InvalidOperation
            with transaction.atomic():
                Answer.objects.select_for_update().get(pk=answer.pk).grade_essay(score, comment, request.user)
        except (InvalidOperation, ValueError):
            return self.render_to_response(self.get_context_data(
                score=raw, comment=comment, error=_("Enter the score as a number.")), status=400)
        except ValidationError as error:
            return self.render_to_response(self.get_context_data(
                score=raw, comment=comment, error=" ".join(error.messages)), status=400)
        messages.success(request, _("The answer of %(person)s was graded.") % {"person": answer.attempt.person.name})
        following = essays_to_grade(request.user).first()
        if following is not None and request.POST.get("next") == "queue":
            return redirect("assessments_grade_answer", following.pk)
        return redirect("assessments_grading_queue")


class AttemptSheetView(StaffView):
    """A learner's whole answer sheet with the key, for graders and result viewers in scope."""

    template_name = "assessments/admin/attempt_sheet.html"
    page_title = gettext_lazy("Answer sheet")
    header_icon = "doc-full"
    allowed = staticmethod(access.can_view_results)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        attempt = get_object_or_404(Attempt.objects.select_related("quiz", "person__organization"),
                                    pk=self.kwargs["pk"], person__in=self.persons)
        context.update(attempt=attempt, answers=attempt.answers_for_display(), can_grade=access.can_grade(
            self.request.user), history=ScoreChange.objects.filter(subject=attempt.key).select_related("changed_by"))
        return context


# --- statistics ---------------------------------------------------------------------------------------


class QuizIndexView(StaffView):
    template_name = "assessments/admin/quiz_index.html"
    page_title = gettext_lazy("Quiz results")
    header_icon = "list-ul"
    allowed = staticmethod(access.can_view_results)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        quizzes = list(QuizPage.objects.order_by("-first_published_at", "pk")[:300])
        counts = {}
        for row in (Attempt.objects.filter(person__in=self.persons).exclude(status=AttemptStatus.IN_PROGRESS)
                    .values("quiz").order_by().annotate(n=Count("pk"))):
            counts[row["quiz"]] = row["n"]
        courses = Page.objects.in_bulk({quiz.path[: -Page.steplen] for quiz in quizzes}, field_name="path")
        context["rows"] = [(quiz, courses.get(quiz.path[: -Page.steplen]), counts.get(quiz.pk, 0)) for quiz in quizzes]
        return context


class QuizStatisticsView(StaffView):
    template_name = "assessments/admin/quiz_statistics.html"
    page_title = gettext_lazy("Quiz statistics")
    header_icon = "list-ul"
    allowed = staticmethod(access.can_view_results)

    def get(self, request, *args, **kwargs):
        self.quiz = get_object_or_404(QuizPage, pk=kwargs["pk"])
        self.stats = statistics.quiz_statistics(self.quiz, self.persons)
        if request.GET.get("format") == "xlsx":
            response = HttpResponse(statistics.export_workbook(self.stats), content_type=(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
            response["Content-Disposition"] = f'attachment; filename="quiz-{self.quiz.pk}-statistics.xlsx"'
            return response
        return super().get(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.quiz.title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(quiz=self.quiz, stats=self.stats, max_bucket=max([c for _l, c in self.stats.distribution] or [1]) or 1,
                       attempts=Attempt.objects.filter(quiz=self.quiz, person__in=self.persons)
                       .exclude(status=AttemptStatus.IN_PROGRESS).select_related("person").order_by("person__name",
                                                                                                     "number"))
        return context


# --- offline assessment scores ----------------------------------------------------------------------


class OfflineScoresView(StaffView):
    """The scores of one offline assessment: every enrolled person in scope with their score, a
    form to type scores in (a blank leaves a person as is) and an import with a dry run."""

    template_name = "assessments/admin/offline_scores.html"
    page_title = gettext_lazy("Offline assessment scores")
    header_icon = "doc-full"
    allowed = staticmethod(access.can_view_scores)

    def dispatch(self, request, *args, **kwargs):
        self.assessment = get_object_or_404(OfflineAssessment.objects.select_related("course"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.assessment.title

    def enrolled_persons(self):
        enrolled = Enrollment.objects.current().filter(course_id=self.assessment.course_id).values("person_id")
        return self.persons.filter(pk__in=enrolled).select_related("organization").order_by("name", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scores = {s.person_id: s for s in OfflineScore.objects.filter(assessment=self.assessment,
                                                                      person__in=self.persons)}
        context.update(assessment=self.assessment, rows=[(p, scores.get(p.pk)) for p in self.enrolled_persons()],
                       can_record=access.can_record_scores(self.request.user), headers=offline.TEMPLATE_HEADERS,
                       **kwargs)
        return context

    def post(self, request, *args, **kwargs):
        if not access.can_record_scores(request.user):
            return forbidden(request)
        action = request.POST.get("action")
        if action == "manual":
            entries = [(index, {"person_id": str(person.pk), "score": request.POST.get(f"score-{person.pk}", ""),
                                "note": request.POST.get(f"note-{person.pk}", "")})
                       for index, person in enumerate(self.enrolled_persons(), start=1)]
            return self._check_and_apply(entries, ScoreChangeReason.MANUAL, skip_blank=True)
        if action == "preview":
            upload = request.FILES.get("file")
            if upload is None:
                return self.render_to_response(self.get_context_data(file_error=_("Choose a file to upload.")),
                                               status=400)
            try:
                entries = offline.read(upload.read(), upload.name)
            except offline.RosterFileError as error:
                return self.render_to_response(self.get_context_data(file_error=str(error)), status=400)
            score_check = offline.check(self.assessment, entries, request.user)
            token = signing.dumps({"a": self.assessment.pk, "u": request.user.pk, "rows": entries},
                                  salt=IMPORT_SALT, compress=True)
            return self.render_to_response(self.get_context_data(
                preview=score_check, token=token if score_check.ok else ""), status=200 if score_check.ok else 400)
        if action == "apply":
            try:
                payload = signing.loads(request.POST.get("token", ""), salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
            except signing.BadSignature:
                return self.render_to_response(self.get_context_data(
                    file_error=_("This import has expired or was altered. Please upload the file again.")), status=400)
            if payload.get("a") != self.assessment.pk or payload.get("u") != request.user.pk:
                raise Http404
            entries = [(row, values) for row, values in payload["rows"]]
            return self._check_and_apply(entries, ScoreChangeReason.IMPORT)
        return redirect(request.path)

    def _check_and_apply(self, entries, reason, skip_blank=False):
        with transaction.atomic():  # checked again and applied against the database as it is now
            score_check = offline.check(self.assessment, entries, self.request.user, skip_blank=skip_blank)
            if not score_check.ok:
                return self.render_to_response(self.get_context_data(preview=score_check, token=""), status=400)
            changed = offline.apply(self.assessment, score_check, self.request.user, reason=reason)
        messages.success(self.request, _("%(count)s scores were saved.") % {"count": changed})
        return redirect("assessments_offline_scores", self.assessment.pk)


def offline_template(request, pk):
    """An empty score sheet for an offline assessment (XLSX with the expected headers)."""
    if not access.can_record_scores(request.user):
        return forbidden(request)
    import io

    import openpyxl

    assessment = get_object_or_404(OfflineAssessment, pk=pk)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(offline.TEMPLATE_HEADERS)
    enrolled = Enrollment.objects.current().filter(course_id=assessment.course_id).values("person_id")
    for person in visible_persons(request.user).filter(pk__in=enrolled).order_by("name"):
        sheet.append([person.name, person.phone, person.staff_number or "", None, ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="exam-{assessment.pk}-scores.xlsx"'
    return response


# --- question bank import / export --------------------------------------------------------------------


def can_import_questions(user):
    return user.is_authenticated and user.has_perm("assessments.add_question")


def _question_upload_key(token):
    return f"assessments:question-import:{token}"


class QuestionImportView(StaffView):
    """Upload → every row checked, a dry run listing what would be added → confirm. Between the
    two steps the rows wait in the shared cache (database or Redis) under a random token bound to
    the uploader; the confirm checks them again and adds them in one transaction."""

    template_name = "assessments/admin/question_import.html"
    page_title = gettext_lazy("Import questions")
    header_icon = "upload"
    allowed = staticmethod(can_import_questions)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(headers=question_io.HEADERS, **kwargs)
        return context

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "apply":
            pending = cache.get(_question_upload_key(request.POST.get("token", "")))
            if not pending or pending["user"] != request.user.pk:
                return self.render_to_response(self.get_context_data(
                    file_error=_("This import has expired or was altered. Please upload the file again.")), status=400)
            with transaction.atomic():
                question_check = question_io.check(pending["rows"])
                if not question_check.ok:
                    return self.render_to_response(self.get_context_data(preview=question_check), status=400)
                added = question_io.apply(question_check)
            cache.delete(_question_upload_key(request.POST["token"]))
            messages.success(request, _("%(count)s questions were added to the bank.") % {"count": added})
            return redirect("wagtailsnippets_assessments_question:list")
        upload = request.FILES.get("file")
        if upload is None:
            return self.render_to_response(self.get_context_data(file_error=_("Choose a file to upload.")), status=400)
        try:
            rows = question_io.read(upload.read(), upload.name)
        except question_io.RosterFileError as error:
            return self.render_to_response(self.get_context_data(file_error=str(error)), status=400)
        question_check = question_io.check(rows)
        token = ""
        if question_check.ok:
            token = secrets.token_urlsafe(24)
            cache.set(_question_upload_key(token), {"user": request.user.pk, "rows": rows}, IMPORT_MAX_AGE)
        return self.render_to_response(self.get_context_data(preview=question_check, token=token),
                                       status=200 if question_check.ok else 400)


def question_export(request):
    if not (request.user.is_authenticated and request.user.has_perm("assessments.view_question")):
        return forbidden(request)
    questions = Question.objects.order_by("category__name", "pk")
    if request.GET.get("category", "").isdigit():
        questions = questions.filter(category_id=int(request.GET["category"]))
    response = HttpResponse(question_io.export_workbook(questions),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="question-bank.xlsx"'
    return response
