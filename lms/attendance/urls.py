from django.urls import path

from . import views

urlpatterns = [
    path("sessions/<int:session_id>/", views.session_detail, name="session-detail"),
    path("sessions/<int:session_id>/presence/", views.presence, name="session-presence"),
]
