"""Optional second factor (TOTP, django-otp) for staff.

Staff (anyone who may use the admin) can enrol an authenticator app from /me/two-factor/. From their
next login on, every page asks for the 6-digit code before anything else opens. Learners cannot enrol
and are never asked.

Whether a login needs a code is decided once, when the person logs in (or enrols), and kept in the
session, so ordinary page views cost no extra query.
"""

from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from .roles import STAFF_ROLES, TRAINER, user_roles

SESSION_KEY = "touyan_second_factor"
ALLOWED_PREFIXES = ("/healthz", "/i18n/", "/favicon.ico")


def may_enrol(user):
    """Staff and trainers: the people who can reach the admin."""
    return user.is_authenticated and (user.is_superuser or bool(user_roles(user) & {TRAINER, *STAFF_ROLES}))


@receiver(user_logged_in)
def remember_whether_a_code_is_needed(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = user_has_device(user)


def needs_code(request):
    user = request.user
    return bool(user.is_authenticated and request.session.get(SESSION_KEY) and not user.is_verified())


class SecondFactorMiddleware:
    """After django_otp's OTPMiddleware: a login whose user has a confirmed device goes to the code
    page from every other page until the code is given."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if needs_code(request) and not request.path_info.startswith(self._allowed()):
            return redirect(f"{reverse('two-factor-verify')}?next={request.get_full_path()}")
        return self.get_response(request)

    @staticmethod
    def _allowed():
        return (reverse("two-factor-verify"), reverse("logout"), settings.STATIC_URL, *ALLOWED_PREFIXES)


class CodeForm(forms.Form):
    code = forms.RegexField(label=_("Code"), regex=r"^\s*\d{6}\s*$", max_length=12,
                            error_messages={"invalid": _("Enter the 6-digit code from your authenticator app.")},
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))

    def clean_code(self):
        return self.cleaned_data["code"].strip()


def _qr_data_uri(device):
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5)


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Show a new secret as a QR code; confirm it with a first code from the app."""
    if not may_enrol(request.user):
        raise PermissionDenied
    confirmed = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if confirmed is not None:
        return render(request, "registration/two_factor_enrol.html", {"enabled": True})
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="Touyan", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            request.session[SESSION_KEY] = True
            messages.success(request, _("Two-step login is on. From now on you will be asked for a code."))
            return redirect("two-factor")
        form.add_error("code", _("That code is not right. Check the time on your phone and try again."))
    return render(request, "registration/two_factor_enrol.html", {
        "enabled": False, "form": form, "qr": _qr_data_uri(device),
        "secret": b32encode(device.bin_key).decode().rstrip("="),
    })


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The code page every login of an enrolled user passes through."""
    target = request.GET.get("next") or request.POST.get("next") or reverse("my-learning")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = reverse("my-learning")
    if needs_code(request) and not user_has_device(request.user):  # the device was removed meanwhile
        request.session[SESSION_KEY] = False
    if not needs_code(request):
        return redirect(target)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
            if device.verify_token(form.cleaned_data["code"]):
                otp_login(request, device)
                return redirect(target)
        form.add_error("code", _("That code is not right. Check the time on your phone and try again."))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": target})
