"""Public verification and the learner's certificates.

- /verify/<code>/ (and .json): anyone, no login, rate-limited per client address. Shows only what a
  verifier needs: status, masked name, course, dates, 学时, issuing organization. An unknown code
  gets the same page shape with a 404 and nothing else.
- /me/certificates/: the learner's own certificates; /me/certificates/<pk>/download/ serves the
  stored PDF to its owner and to staff who may see the person (404 for anyone else)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from lms.people.auth import client_address

from . import access
from .models import Certificate, Status
from .rendering import chinese_date, hours_text

VERIFY_LIMIT_PER_MINUTE = 30


def over_limit(request):
    """Count this lookup against the client's budget for the current minute (shared cache, so every
    web process counts together). True once the budget is spent."""
    limit = getattr(settings, "CERTIFICATE_VERIFY_LIMIT_PER_MINUTE", VERIFY_LIMIT_PER_MINUTE)
    window = int(timezone.now().timestamp() // 60)
    key = f"certificates:verify:{client_address(request)}:{window}"
    cache.add(key, 0, 120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 120)
        count = 1
    return count > limit


def mask_name(name):
    """张*明 for three characters and more (first and last kept), 张* for two, * for one."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


STATUS_TEXT = {
    Status.VALID: gettext_lazy("This certificate is valid."),
    Status.SUPERSEDED: gettext_lazy("This certificate has been superseded by a newer version."),
    Status.REVOKED: gettext_lazy("This certificate has been revoked."),
}


def public_facts(certificate):
    return {
        "status": certificate.status,
        "status_label": str(certificate.get_status_display()),
        "name": mask_name(certificate.holder_name),
        "title": certificate.title,
        "course": certificate.course_title,
        "start_date": certificate.starts_on.isoformat(),
        "end_date": certificate.ends_on.isoformat(),
        "hours": hours_text(certificate.credit_hours),
        "issuing_organization": certificate.issuing_organization,
        "issued_on": certificate.issued_on.isoformat(),
        "serial": certificate.serial,
        "revoked_on": timezone.localdate(certificate.revoked_at).isoformat() if certificate.revoked_at else None,
    }


@never_cache
def verify(request: HttpRequest, code: str, as_json: bool = False) -> HttpResponse:
    as_json = as_json or request.GET.get("format") == "json"
    if over_limit(request):
        message = _("Too many lookups from your network. Please wait a minute and try again.")
        if as_json:
            return JsonResponse({"found": False, "error": message}, status=429,
                                json_dumps_params={"ensure_ascii": False})
        return render(request, "certificates/verify.html", {"limited": True, "message": message}, status=429)
    certificate = Certificate.objects.filter(code=code).first() if len(code) <= 64 else None
    if certificate is None:
        if as_json:
            return JsonResponse({"found": False, "error": _("No certificate has this verification code.")},
                                status=404, json_dumps_params={"ensure_ascii": False})
        return render(request, "certificates/verify.html", {"certificate": None}, status=404)
    facts = public_facts(certificate)
    if as_json:
        return JsonResponse({"found": True, **facts}, json_dumps_params={"ensure_ascii": False})
    return render(request, "certificates/verify.html", {
        "certificate": certificate, "facts": facts, "status_text": STATUS_TEXT[certificate.status],
        "start_date": chinese_date(certificate.starts_on), "end_date": chinese_date(certificate.ends_on),
        "issued_on": chinese_date(certificate.issued_on),
        "revoked_on": chinese_date(certificate.revoked_at) if certificate.revoked_at else "",
    })


def verify_json(request: HttpRequest, code: str) -> HttpResponse:
    return verify(request, code, as_json=True)


def verify_form(request: HttpRequest) -> HttpResponse:
    """/verify/?code=…: type a code printed on a certificate."""
    code = request.GET.get("code", "").strip()
    if code:
        return redirect("certificate-verify", code=code[:64])
    return render(request, "certificates/verify_form.html")


@login_required
def my_certificates(request: HttpRequest) -> HttpResponse:
    person = getattr(request.user, "person", None)
    certificates = []
    if person is not None:
        certificates = list(Certificate.objects.filter(person=person).order_by("-issued_at", "-pk"))
    return render(request, "certificates/my_certificates.html", {"person": person, "certificates": certificates})


def serve_pdf(certificate, *, inline=False):
    if not certificate.pdf:
        raise Http404
    try:
        handle = certificate.pdf.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=not inline, filename=certificate.filename(),
                            content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored PDF, for its owner and for staff who may see the person; 404 for anyone else."""
    certificate = access.downloadable(request.user).filter(pk=pk).first()
    if certificate is None:
        raise Http404
    return serve_pdf(certificate, inline=request.GET.get("inline") == "1")
