"""The question bank and offline assessments in the Wagtail admin, and the staff screens of
assessments (essay grading, quiz statistics, score import). Trainers and the training office
keep the bank (permissions in lms.people.roles); the training office grades and records scores.

Fixing a question regrades every finished answer to it at once (Question.regrade_attempts); a
question that answer sheets use cannot be deleted (retire it instead)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .forms import QuestionForm
from .models import Answer, OfflineAssessment, Question, QuestionCategory


class QuestionViewSet(SnippetViewSet):
    model = Question
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
    icon = "folder-open-inverse"
    menu_label = gettext_lazy("Question categories")
    menu_name = "question-categories"
    list_display = ["name", "description"]
    search_fields = ["name"]
    panels = [FieldPanel("name"), FieldPanel("description")]


class OfflineAssessmentViewSet(SnippetViewSet):
    model = OfflineAssessment
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
