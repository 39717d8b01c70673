"""Forced change of a first password.

Accounts made by the HR roster import or by staff start with a password someone else chose (or
none, until the training office sets one), so `Person.must_change_password` is set on them. Until
the person picks their own, every page sends them to the change-password page; the mark is cleared
by a successful change there. Staff who set a new password for someone else in the admin set the
mark again, for the same reason.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .models import Person

# Paths that stay reachable while a change is pending: the change page itself, logging out, the
# health check, assets, and switching language (the change page has the language switch).
ALLOWED_PREFIXES = ("/healthz", "/i18n/", "/favicon.ico")


def must_change_password(user):
    if not user.is_authenticated:
        return False
    person = getattr(user, "person", None)  # cached on the user: the context processor reads it too
    return bool(person and person.must_change_password)


class ForcePasswordChangeMiddleware:
    """Send a person with a pending password change to the change page from every other page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if must_change_password(request.user) and not self._allowed(request.path_info):
            return redirect(reverse("password-change"))
        return self.get_response(request)

    @staticmethod
    def _allowed(path):
        exempt = (reverse("password-change"), reverse("logout"), settings.STATIC_URL, settings.MEDIA_URL,
                  *ALLOWED_PREFIXES)
        return path.startswith(exempt)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's change-password form; says why when the change is forced, and clears the mark."""

    template_name = "registration/password_change.html"
    success_url = "/me/profile/"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forced"] = must_change_password(self.request.user)
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        person = getattr(self.request.user, "person", None)
        if person is not None:
            person.password_changed_by_owner()
        messages.success(self.request, _("Your password has been changed."))
        return response


@hooks.register("after_edit_user")
def mark_password_set_by_staff(request, user):
    """A password typed by staff for someone else is known to staff: the person must replace it."""
    if request.user.pk != user.pk and request.POST.get("password1"):
        Person.objects.filter(user=user).update(must_change_password=True)
