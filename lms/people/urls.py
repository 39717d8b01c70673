from django.contrib.auth import views as auth_views
from django.urls import path

from . import password, totp, views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/profile/", views.profile, name="profile"),
    path("me/password/", password.PasswordChangeView.as_view(), name="password-change"),
    path("me/two-factor/", totp.enrol, name="two-factor"),
    path("me/two-factor/verify/", totp.verify, name="two-factor-verify"),
]
