"""Certificate screens in the Wagtail admin for the training office (and street admins, read only):
courses with their completed learners and certificates, bulk issue with a progress page and a
retry, re-issue, revoke with a reason, and a course's certificates as one ZIP or one merged PDF.

Every screen is for certificate staff only (lms.certificates.access) and lists only the persons in
the viewer's scope; a certificate or batch outside it is a 404."""

import io
import zipfile

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from courses.models import CoursePage
from lms.learning.models import Enrollment

from . import issuing
from .access import can_change, can_issue, is_certificate_staff, manageable_certificates, scoped_persons
from .models import CertificateError, CertificateTemplate, IssueBatch, Status

MAX_BUNDLE = 2000


def forbidden(request):
    return TemplateResponse(request, "403.html", status=403)


class StaffMixin(WagtailAdminTemplateMixin):
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(),
                {"url": reverse("certificates_courses"), "label": _("Certificates")},
                {"url": "", "label": self.get_page_title()}]

    def dispatch(self, request, *args, **kwargs):
        if not is_certificate_staff(request.user):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)


def scoped_course(request, course_id):
    course = CoursePage.objects.filter(pk=course_id).first()
    if course is None:
        raise Http404
    return course


class CourseListView(StaffMixin, TemplateView):
    """Courses with completed learners in the viewer's scope: how many completed, how many hold a
    valid certificate."""

    template_name = "certificates/admin/courses.html"
    page_title = gettext_lazy("Certificates")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        persons = scoped_persons(self.request.user)
        completed = (Enrollment.objects.current().filter(completed_at__isnull=False, person__in=persons)
                     .values("course_id").annotate(n=Count("pk")))
        completed = {row["course_id"]: row["n"] for row in completed}
        valid = (manageable_certificates(self.request.user).filter(status=Status.VALID)
                 .values("course_id").annotate(n=Count("pk")))
        valid = {row["course_id"]: row["n"] for row in valid}
        query = self.request.GET.get("q", "").strip()
        courses = CoursePage.objects.filter(pk__in=completed.keys()).order_by("-starts_on", "path")
        if query:
            courses = courses.filter(title__icontains=query)
        page = Paginator(courses, 50).get_page(self.request.GET.get("p"))
        context.update({
            "page_obj": page, "query": query,
            "rows": [{"course": course, "completed": completed.get(course.pk, 0), "valid": valid.get(course.pk, 0)}
                     for course in page],
            "templates_url": reverse("wagtailsnippets_certificates_certificatetemplate:list"),
            "can_edit_templates": self.request.user.has_perm("certificates.view_certificatetemplate"),
        })
        return context


class CourseCertificatesView(StaffMixin, TemplateView):
    """One course: its completed learners in scope with their current certificate, the actions."""

    template_name = "certificates/admin/course.html"

    def dispatch(self, request, *args, **kwargs):
        self.course = scoped_course(request, kwargs["course_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return str(_("Certificates: %(course)s")) % {"course": self.course.title}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        persons = scoped_persons(user)
        enrollments = (Enrollment.objects.current().filter(course=self.course, completed_at__isnull=False,
                                                           person__in=persons)
                       .select_related("person", "person__organization").order_by("person__name", "person_id"))
        status = self.request.GET.get("status", "")
        current = {c.person_id: c for c in manageable_certificates(user).filter(course=self.course)
                   .exclude(status=Status.SUPERSEDED).order_by("version")}
        rows = [{"enrollment": e, "person": e.person, "certificate": current.get(e.person_id)} for e in enrollments]
        if status == "none":
            rows = [r for r in rows if r["certificate"] is None]
        elif status in Status.values:
            rows = [r for r in rows if r["certificate"] is not None and r["certificate"].status == status]
        page = Paginator(rows, 100).get_page(self.request.GET.get("p"))
        template = CertificateTemplate.for_course(self.course)
        context.update({
            "course": self.course, "page_obj": page, "rows": page.object_list, "status": status,
            "statuses": Status.choices, "template": template,
            "pending": issuing.pending_persons(self.course, user).count() if can_issue(user) else 0,
            "valid_count": sum(1 for c in current.values() if c.status == Status.VALID),
            "batches": IssueBatch.objects.filter(course=self.course, requested_by=user)[:5],
            "can_issue": can_issue(user), "can_change": can_change(user),
        })
        return context


@require_POST
def issue_all(request, course_id):
    if not can_issue(request.user):
        return forbidden(request)
    course = scoped_course(request, course_id)
    if CertificateTemplate.for_course(course) is None:
        messages.error(request, _("No certificate template applies to this course: create one first."))
        return redirect("certificates_course", course_id=course.pk)
    batch = issuing.start_batch(course, request.user)
    return redirect("certificates_batch", pk=batch.pk)


def own_batch(request, pk):
    batch = IssueBatch.objects.filter(pk=pk).select_related("course").first()
    if batch is None or not (batch.requested_by_id == request.user.pk or request.user.is_superuser):
        raise Http404
    return batch


class BatchView(StaffMixin, TemplateView):
    """Where a bulk issue stands; the page refreshes itself until the batch has finished."""

    template_name = "certificates/admin/batch.html"
    page_title = gettext_lazy("Bulk issue")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["batch"] = batch = own_batch(self.request, kwargs["pk"])
        context["stale"] = batch.lost
        return context


def batch_status(request, pk):
    """The batch's progress as JSON (for scripts and the progress page)."""
    from django.http import JsonResponse

    if not is_certificate_staff(request.user):
        return forbidden(request)
    batch = own_batch(request, pk)
    return JsonResponse({"status": batch.status, "total": batch.total, "done": batch.done, "failed": batch.failed,
                         "percent": batch.percent, "error": batch.error, "finished": batch.finished},
                        json_dumps_params={"ensure_ascii": False})


@require_POST
def batch_retry(request, pk):
    if not can_issue(request.user):
        return forbidden(request)
    batch = own_batch(request, pk)
    issuing.retry_batch(batch)
    return redirect("certificates_batch", pk=batch.pk)


def scoped_certificate(request, pk):
    certificate = manageable_certificates(request.user).select_related("person", "course").filter(pk=pk).first()
    if certificate is None:
        raise Http404
    return certificate


@require_POST
def reissue(request, pk):
    if not can_change(request.user):
        return forbidden(request)
    certificate = scoped_certificate(request, pk)
    try:
        new = certificate.reissue(by=request.user)
    except (ValidationError, CertificateError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("Re-issued as %(serial)s (version %(version)s).") % {
            "serial": new.serial, "version": new.version})
    return redirect("certificates_course", course_id=certificate.course_id)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for revocation"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=1000)


class RevokeView(StaffMixin, TemplateView):
    template_name = "certificates/admin/revoke.html"
    page_title = gettext_lazy("Revoke a certificate")

    def dispatch(self, request, *args, **kwargs):
        if not can_change(request.user):
            return forbidden(request)
        self.certificate = scoped_certificate(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=RevokeForm()))

    def post(self, request, *args, **kwargs):
        form = RevokeForm(request.POST)
        if form.is_valid():
            try:
                self.certificate.revoke(form.cleaned_data["reason"], by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Certificate %(serial)s revoked.") % {"serial": self.certificate.serial})
                return redirect("certificates_course", course_id=self.certificate.course_id)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["certificate"] = self.certificate
        return context


def download(request, pk):
    from .views import serve_pdf

    if not is_certificate_staff(request.user):
        return forbidden(request)
    return serve_pdf(scoped_certificate(request, pk), inline=request.GET.get("inline") == "1")


def _bundle_certificates(request, course_id):
    course = scoped_course(request, course_id)
    certificates = list(manageable_certificates(request.user).filter(course=course, status=Status.VALID)
                        .order_by("serial")[:MAX_BUNDLE + 1])
    if not certificates:
        raise Http404
    return course, certificates[:MAX_BUNDLE]


def _bundle_name(course, suffix):
    return f"certificates-{course.pk}-{course.slug}.{suffix}"


def download_zip(request, course_id):
    """The course's valid certificates in scope as one ZIP (PDFs are already compressed: stored)."""
    if not is_certificate_staff(request.user):
        return forbidden(request)
    course, certificates = _bundle_certificates(request, course_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for certificate in certificates:
            with certificate.pdf.open("rb") as handle:
                archive.writestr(f"{certificate.serial}-{certificate.holder_name}.pdf", handle.read())
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{_bundle_name(course, "zip")}"'
    response["Cache-Control"] = "private, no-store"
    return response


def download_merged(request, course_id):
    """The course's valid certificates in scope as one PDF (one page each), for printing."""
    from pypdf import PdfWriter

    if not is_certificate_staff(request.user):
        return forbidden(request)
    course, certificates = _bundle_certificates(request, course_id)
    writer = PdfWriter()
    for certificate in certificates:
        with certificate.pdf.open("rb") as handle:
            writer.append(io.BytesIO(handle.read()))
    buffer = io.BytesIO()
    writer.write(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_bundle_name(course, "pdf")}"'
    response["Cache-Control"] = "private, no-store"
    return response


class SearchView(StaffMixin, TemplateView):
    """Find a certificate in scope by serial, verification code or holder's name."""

    template_name = "certificates/admin/search.html"
    page_title = gettext_lazy("Find a certificate")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()
        results = []
        if query:
            results = (manageable_certificates(self.request.user)
                       .filter(Q(serial__iexact=query) | Q(code=query) | Q(holder_name__icontains=query)
                               | Q(person__name__icontains=query))
                       .select_related("person", "course").order_by("-issued_at")[:100])
        context.update({"query": query, "results": results})
        return context
