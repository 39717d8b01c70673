from django.urls import path

from . import views

urlpatterns = [
    path("rotations/<int:pk>/record.pdf", views.record_pdf, name="rotation-record-pdf"),
]
