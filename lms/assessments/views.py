"""The learner's side of a quiz: start an attempt, answer it (autosaved), submit, see the result.
The quiz page itself (rules, my attempts) is the QuizPage served by Wagtail.

Access: an attempt is only ever looked up among the viewer's own attempts (another person's is a
404), and the answer key reaches the browser only on the result page of a finished attempt, when
the quiz's rules say answers are shown."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lms.learning.models import Enrollment

from .models import Attempt, QuizPage, QuizRejected, close_expired_attempts


def _learner(user):
    person = getattr(user, "person", None)
    if person is None or not person.is_active:
        raise PermissionDenied
    return person


def _own_attempt(request, attempt_id):
    person = _learner(request.user)
    return get_object_or_404(Attempt.objects.select_related("quiz", "person"), pk=attempt_id, person=person)


@require_POST
@login_required
def start_attempt(request: HttpRequest, quiz_id: int) -> HttpResponse:
    quiz = get_object_or_404(QuizPage.objects.live(), pk=quiz_id)
    person = _learner(request.user)
    if not Enrollment.objects.current().filter(person=person, course_id=quiz.get_parent().pk).exists():
        raise PermissionDenied
    try:
        attempt = quiz.start_attempt(person)
    except QuizRejected as rejected:
        messages.error(request, rejected.message)
        return redirect(quiz.url)
    return redirect("quiz-attempt", attempt.pk)


@never_cache
@login_required
def attempt_detail(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The sheet to answer while the attempt runs (answers as last saved, the server's time left);
    afterwards the result."""
    attempt = _own_attempt(request, attempt_id)
    now = timezone.now()
    if attempt.in_progress and close_expired_attempts(quiz=attempt.quiz, person=attempt.person, now=now):
        attempt.refresh_from_db()
    quiz = attempt.quiz
    context = {"attempt": attempt, "quiz": quiz, "course": quiz.get_parent(), "answers": attempt.answers_for_display()}
    if attempt.in_progress:
        context["seconds_left"] = attempt.seconds_left(now)
        return render(request, "assessments/attempt_take.html", context)
    context["show_key"] = quiz.answers_visible(now)
    context["outcome"] = quiz.outcome_for(attempt.person)
    return render(request, "assessments/attempt_result.html", context)


@require_POST
@login_required
def save_attempt(request: HttpRequest, attempt_id: int) -> JsonResponse:
    """Autosave (the page's script posts the whole sheet every few seconds and on leaving)."""
    attempt = _own_attempt(request, attempt_id)
    try:
        attempt = attempt.save_sheet(request.POST)
    except QuizRejected as rejected:
        return JsonResponse({"ok": False, "message": rejected.message}, status=rejected.status)
    return JsonResponse({"ok": True, "saved_at": timezone.localtime(attempt.last_saved_at).strftime("%H:%M:%S"),
                         "seconds_left": attempt.seconds_left()})


@require_POST
@login_required
def submit_attempt(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _own_attempt(request, attempt_id)
    try:
        attempt.submit(request.POST)
    except QuizRejected as rejected:
        if rejected.status == 400:  # a tampered or invalid sheet: answer with its status, change nothing
            return render(request, "assessments/rejected.html", {"message": rejected.message, "attempt": attempt},
                          status=400)
        messages.error(request, rejected.message)  # late or repeated: the result page says what counted
    return redirect("quiz-attempt", attempt.pk)
