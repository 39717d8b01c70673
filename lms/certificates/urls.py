from django.urls import path

from . import views

urlpatterns = [
    path("verify/", views.verify_form, name="certificate-verify-form"),
    path("verify/<str:code>.json", views.verify_json, name="certificate-verify-json"),
    path("verify/<str:code>/", views.verify, name="certificate-verify"),
    path("me/certificates/", views.my_certificates, name="my-certificates"),
    path("me/certificates/<int:pk>/download/", views.download, name="certificate-download"),
]
