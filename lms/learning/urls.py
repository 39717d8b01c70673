from django.urls import path

from . import views

urlpatterns = [
    path("", views.my_learning, name="my-learning"),
    path("credits/", views.my_credits, name="my-credits"),
    path("courses/<int:course_id>/enrol/", views.self_enrol, name="self-enrol"),
    path("lessons/<int:lesson_id>/heartbeat/", views.lesson_heartbeat, name="lesson-heartbeat"),
    path("lessons/<int:lesson_id>/done/", views.lesson_done, name="lesson-done"),
]
