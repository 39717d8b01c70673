from django.urls import path

from . import views

urlpatterns = [
    path("archive/", views.my_archive, name="my-archive"),
    path("archive.pdf", views.my_archive_pdf, name="my-archive-pdf"),
]
