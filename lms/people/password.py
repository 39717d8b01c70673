"""Forced change of a first password.

Accounts made by the HR roster import or by staff start with a password someone else chose (or
none, until the training office sets one), so `Person.must_change_password` is set on them. Until
the person picks their own, every page sends them to the change-password page; the mark is cleared
by a successful change there. Staff who set a new password for someone else in the admin set the
mark again, for the same reason.

Whether the mark is set is read once, at login, and kept in the browser's session: the check on
every request then costs no query (QR scans and heartbeats read no Person of their own). A mark set
later reaches the person at their next login, which a password set by staff forces anyway (it
ends the person's sessions).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .models import Person

# Paths that stay reachable while a change is pending: the change page itself, logging out, the
# health check, assets, and switching language (the change page has the language switch).
ALLOWED_PREFIXES = ("/healthz", "/i18n/", "/favicon.ico")


SESSION_KEY = "people:must-change-password"


@receiver(user_logged_in, dispatch_uid="people-remember-pending-password-change")
def remember_pending_change(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        person = Person.objects.filter(user=user).only("must_change_password").first()
        request.session[SESSION_KEY] = bool(person and person.must_change_password)


def must_change_password(request):
    return bool(request.user.is_authenticated and request.session.get(SESSION_KEY))


class ForcePasswordChangeMiddleware:
    """Send a person with a pending password change to the change page from every other page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if must_change_password(request) and not self._allowed(request.path_info):
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
        context["forced"] = must_change_password(self.request)
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        person = getattr(self.request.user, "person", None)
        if person is not None:
            person.password_changed_by_owner()
        self.request.session[SESSION_KEY] = False
        messages.success(self.request, _("Your password has been changed."))
        return response


@hooks.register("after_edit_user")
def mark_password_set_by_staff(request, user):
    """A password typed by staff for someone else is known to staff: the person must replace it."""
    if request.user.pk != user.pk and request.POST.get("password1"):
        Person.objects.filter(user=user).update(must_change_password=True)
