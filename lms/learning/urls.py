from django.urls import path

from . import views

urlpatterns = [
    path("", views.my_learning, name="my-learning"),
    path("courses/<int:course_id>/enrol/", views.self_enrol, name="self-enrol"),
]
