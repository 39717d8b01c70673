"""The question bank and offline assessments in the Wagtail admin, and the staff screens of
assessments (essay grading, quiz statistics, score import). Trainers and the training office
keep the bank (permissions in lms.people.roles); the training office grades and records scores.

Fixing a question regrades every finished answer to it at once (Question.regrade_attempts); a
question that answer sheets use cannot be deleted (retire it instead)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from lms.people.admin_choosers import permitted_chooser_viewset_class

from . import access, admin_views
from .forms import QuestionForm
from .models import Answer, Attempt, OfflineAssessment, Question, QuestionCategory


class QuestionViewSet(SnippetViewSet):
    model = Question
    chooser_viewset_class = permitted_chooser_viewset_class()
    icon = "help"
    menu_label = gettext_lazy("Questions")
    menu_name = "questions"
    copy_view_enabled = True
    inspect_view_enabled = True
    list_display = ["__str__", "kind", "category", "difficulty", "points", "is_active", "updated_at"]
    list_filter = ["kind", "category", "difficulty", "is_active"]
    search_fields = ["text", "explanation"]
    ordering = ["-updated_at"]
    edit_handler = ObjectList(Question.panels, base_form_class=QuestionForm)


class QuestionCategoryViewSet(SnippetViewSet):
    model = QuestionCategory
    chooser_viewset_class = permitted_chooser_viewset_class()
    icon = "folder-open-inverse"
    menu_label = gettext_lazy("Question categories")
    menu_name = "question-categories"
    list_display = ["name", "description"]
    search_fields = ["name"]
    panels = [FieldPanel("name"), FieldPanel("description")]


class OfflineAssessmentViewSet(SnippetViewSet):
    model = OfflineAssessment
    chooser_viewset_class = permitted_chooser_viewset_class()
    icon = "doc-full"
    menu_label = gettext_lazy("Offline assessments")
    menu_name = "offline-assessments"
    list_display = ["title", "course", "held_on", "max_score", "pass_score", "required_for_completion"]
    search_fields = ["title"]
    ordering = ["-held_on"]

    def get_queryset(self, request):
        return OfflineAssessment.objects.select_related("course")


class AssessmentsViewSetGroup(SnippetViewSetGroup):
    items = (QuestionViewSet, QuestionCategoryViewSet, OfflineAssessmentViewSet)
    menu_icon = "help"
    menu_label = gettext_lazy("Assessments")
    menu_name = "assessments"
    menu_order = 240


register_snippet(AssessmentsViewSetGroup)


@hooks.register("after_edit_snippet")
def regrade_after_question_fix(request, instance):
    if isinstance(instance, Question):
        changed = instance.regrade_attempts(by=request.user)
        if changed:
            messages.info(request, _("%(count)s answer sheets were regraded with the corrected question.")
                          % {"count": changed})


@hooks.register("before_delete_snippet")
def refuse_deleting_used_questions(request, instances):
    for instance in instances:
        if isinstance(instance, Question) and Answer.objects.filter(question=instance).exists():
            messages.error(request, _("“%(question)s” cannot be deleted because answer sheets use it. "
                                      "Mark it as not in use instead.") % {"question": instance})
            return redirect("wagtailsnippets_assessments_question:edit", instance.pk)
    return None


@hooks.register("register_admin_urls")
def register_assessment_admin_urls():
    return [
        path("assessments/grading/", admin_views.GradingQueueView.as_view(), name="assessments_grading_queue"),
        path("assessments/grading/<int:pk>/", admin_views.GradeAnswerView.as_view(), name="assessments_grade_answer"),
        path("assessments/attempts/<int:pk>/", admin_views.AttemptSheetView.as_view(),
             name="assessments_attempt_sheet"),
        path("assessments/quizzes/", admin_views.QuizIndexView.as_view(), name="assessments_quiz_index"),
        path("assessments/quizzes/<int:pk>/", admin_views.QuizStatisticsView.as_view(),
             name="assessments_quiz_statistics"),
        path("assessments/exams/<int:pk>/scores/", admin_views.OfflineScoresView.as_view(),
             name="assessments_offline_scores"),
        path("assessments/exams/<int:pk>/scores/template.xlsx", admin_views.offline_template,
             name="assessments_offline_template"),
        path("assessments/questions/import/", admin_views.QuestionImportView.as_view(),
             name="assessments_question_import"),
        path("assessments/questions/export.xlsx", admin_views.question_export, name="assessments_question_export"),
    ]


class PermittedMenuItem(MenuItem):
    def __init__(self, *args, allowed, **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed = allowed

    def is_shown(self, request):
        return self.allowed(request.user)


@hooks.register("register_admin_menu_item")
def register_grading_menu_item():
    return PermittedMenuItem(gettext_lazy("Essay grading"), reverse("assessments_grading_queue"), icon_name="edit",
                             name="essay-grading", order=241, allowed=access.can_grade)


@hooks.register("register_admin_menu_item")
def register_quiz_results_menu_item():
    return PermittedMenuItem(gettext_lazy("Quiz results"), reverse("assessments_quiz_index"), icon_name="list-ul",
                             name="quiz-results", order=242, allowed=access.can_view_results)


@hooks.register("register_admin_menu_item")
def register_question_import_menu_item():
    return PermittedMenuItem(gettext_lazy("Import or export questions"), reverse("assessments_question_import"),
                             icon_name="upload", name="question-import", order=243,
                             allowed=admin_views.can_import_questions)


@hooks.register("register_snippet_listing_buttons")
def offline_scores_button(snippet, user, next_url=None):
    if isinstance(snippet, OfflineAssessment) and access.can_view_scores(user):
        yield ListingButton(_("Scores"), reverse("assessments_offline_scores", args=[snippet.pk]),
                            icon_name="doc-full", priority=5)


def _pages_with_results(pages):
    """Pages (quizzes, or courses and programs above them) that answer sheets or offline
    assessments hang off: deleting them would lose learner records, so they are unpublished."""
    from wagtail.models import Page

    return [page for page in pages if isinstance(page, Page) and (
        Attempt.objects.filter(quiz__path__startswith=page.path).exists()
        or OfflineAssessment.objects.filter(course__path__startswith=page.path).exists())]


def _refuse_page(request, page):
    messages.error(request, _("“%(title)s” cannot be deleted because learners have quiz or exam results there. "
                              "Unpublish it instead.") % {"title": page.get_admin_display_title()})
    parent = page.get_parent()
    return redirect("wagtailadmin_explore", parent.id) if parent else redirect("wagtailadmin_home")


@hooks.register("before_delete_page")
def refuse_deleting_pages_with_results(request, page):
    if _pages_with_results([page]):
        return _refuse_page(request, page)
    return None


@hooks.register("before_bulk_action")
def refuse_bulk_deleting_pages_with_results(request, action_type, objects, action_class_instance):
    if action_type == "delete":
        refused = _pages_with_results(objects)
        if refused:
            return _refuse_page(request, refused[0])
    return None
