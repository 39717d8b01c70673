from django.urls import path

from . import views

urlpatterns = [
    path("quizzes/<int:quiz_id>/start/", views.start_attempt, name="quiz-start"),
    path("quizzes/attempts/<int:attempt_id>/", views.attempt_detail, name="quiz-attempt"),
    path("quizzes/attempts/<int:attempt_id>/save/", views.save_attempt, name="quiz-attempt-save"),
    path("quizzes/attempts/<int:attempt_id>/submit/", views.submit_attempt, name="quiz-attempt-submit"),
]
