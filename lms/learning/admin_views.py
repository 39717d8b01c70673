"""Enrolment in the Wagtail admin (报名管理), for the training office and street admins.

One screen per course: its enrolments (current, and withdrawn ones as history), and four ways to
change them: enrol the course's audience, enrol by filter, upload a list of numbers (checked row by
row, previewed, then applied in one transaction) and withdraw selected persons. Everything is
limited to the persons the viewer may see (lms.people.scoping); courses are not scoped (any staff
member may enrol the persons of their scope in any course), so an unknown course id is a 404 and a
viewer without the permission gets 403 everywhere.

Large enrolments (more than ASYNC_PERSONS persons) run as a django-q2 task; the screen shows the
job's state and refreshes itself until it is done. An upload waits between preview and confirm in
the shared cache, under a random token bound to the uploader."""

import secrets

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.generic import TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from courses.models import CoursePage
from lms.people import roster
from lms.people.models import CadreCategory, OrgType
from lms.people.scoping import scope_root, visible_persons

from . import enrolment, tasks
from .forms import EnrolFilterForm, EnrolUploadForm
from .models import Enrollment

ASYNC_PERSONS = 2000
PENDING_SECONDS = 60 * 60
PER_PAGE = 50
STATUSES = ("current", "withdrawn", "all")
TEMPLATE_FILENAME = "enrolment-template.xlsx"


def _upload_key(token):
    return f"learning:enrol-upload:{token}"


class EnrolmentAccessMixin:
    """403 for anyone who may not manage enrolment; 404 for a course that does not exist."""

    course = None

    def dispatch(self, request, *args, **kwargs):
        if not enrolment.can_manage_enrolment(request.user):
            # A plain 403 (Wagtail would turn PermissionDenied into a redirect to the dashboard).
            return TemplateResponse(request, "403.html", status=403)
        if "course_id" in kwargs:
            self.course = get_object_or_404(CoursePage, pk=kwargs["course_id"])
        return super().dispatch(request, *args, **kwargs)


def _paginate(request, queryset, per_page):
    page = Paginator(queryset, per_page).get_page(request.GET.get("p"))
    return page, page.paginator.get_elided_page_range(page.number)


class CourseIndexView(EnrolmentAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "learning/admin/enrolment_index.html"
    page_title = gettext_lazy("Enrolment management")
    header_icon = "clipboard-list"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()
        courses = CoursePage.objects.order_by("-starts_on", "path")
        if query:
            courses = courses.filter(title__icontains=query)
        page, page_range = _paginate(self.request, courses, 30)
        counts = dict(Enrollment.objects.current()
                      .filter(course__in=[c.pk for c in page], person__in=visible_persons(self.request.user))
                      .values_list("course").annotate(n=Count("pk")).values_list("course", "n"))
        context.update(courses=page, elided_page_range=page_range, query=query,
                       rows=[(course, counts.get(course.pk, 0)) for course in page],
                       scope=None if self.request.user.is_superuser else scope_root(self.request.user))
        return context


class CourseEnrolmentView(EnrolmentAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "learning/admin/course_enrolment.html"
    page_title = gettext_lazy("Enrolment")
    header_icon = "clipboard-list"

    def get_page_subtitle(self):
        return self.course.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("learning_enrolment_index"), "label": _("Enrolment management")},
            {"url": "", "label": self.course.title},
        ]

    def get_context_data(self, filter_form=None, upload_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user, course = self.request.user, self.course
        visible = visible_persons(user)
        enrolments = Enrollment.objects.filter(course=course, person__in=visible)
        current = enrolments.filter(withdrawn_at__isnull=True)
        audience = enrolment.scoped(enrolment.audience_persons(course), user)

        status = self.request.GET.get("status")
        status = status if status in STATUSES else "current"
        listing = {"current": current, "withdrawn": enrolments.filter(withdrawn_at__isnull=False),
                   "all": enrolments}[status]
        query = self.request.GET.get("q", "").strip()
        if query:
            listing = listing.filter(Q(person__name__icontains=query) | Q(person__phone__startswith=query)
                                     | Q(person__staff_number=query))
        listing = listing.select_related("person__organization", "enrolled_by__person").order_by(
            "-enrolled_at", "person__name", "-pk")
        page, page_range = _paginate(self.request, listing, PER_PAGE)

        job = None
        token = self.request.GET.get("job")
        if token:
            job = tasks.job_status(token)
            if job is None or job["user_id"] != user.pk or job["course_id"] != course.pk:
                job = None
            elif job.get("counts"):
                job["message"] = enrolment.EnrolmentCounts(**job["counts"]).message()

        context.update(
            course=course,
            enrolments=page,
            elided_page_range=page_range,
            status=status,
            statuses=[("current", pgettext("enrolments", "Current")), ("withdrawn", pgettext("enrolments", "Withdrawn")),
                      ("all", pgettext("enrolments", "All"))],
            query=query,
            counts={
                "current": current.count(),
                "withdrawn": enrolments.filter(withdrawn_at__isnull=False).count(),
                "audience": audience.count(),
                "audience_pending": audience.exclude(pk__in=current.values("person_id")).count(),
            },
            audience_summary=_audience_summary(course),
            filter_form=filter_form or EnrolFilterForm(user=user),
            upload_form=upload_form or EnrolUploadForm(),
            upload_headers=enrolment.UPLOAD_HEADERS,
            max_rows=roster.MAX_ROWS,
            scope=None if user.is_superuser else scope_root(user),
            job=job,
            job_running=bool(job and job["state"] in ("queued", "running")),
        )
        return context


def _audience_summary(course):
    """The course's audience filters, in words ("Every …" for an empty filter)."""
    org_types = dict(OrgType.choices)
    categories = dict(CadreCategory.choices)
    return [
        (_("Organization types"), "、".join(str(org_types.get(v, v)) for v in course.audience_org_types)
         or _("Every type")),
        (_("Cadre categories"), "、".join(str(categories.get(v, v)) for v in course.audience_categories)
         or _("Every category")),
        (_("Streets"), "、".join(street.name for street in course.audience_streets.all()) or _("The whole district")),
    ]


class _CourseAction(CourseEnrolmentView):
    http_method_names = ["post"]

    def redirect_back(self, **query):
        url = reverse("learning_enrolment_course", args=[self.course.pk])
        if query:
            from urllib.parse import urlencode

            url += "?" + urlencode(query)
        return redirect(url)

    def run_selection(self, selection):
        """Enrol now, or queue a task for a large selection and show its state."""
        user = self.request.user
        size = enrolment.scoped(selection.persons(self.course), user).count()
        if size > ASYNC_PERSONS:
            token = secrets.token_urlsafe(16)
            tasks.set_job_status(token, user.pk, self.course.pk, "queued", persons=size)
            tasks.queue("enrol_staff_selection", token, self.course.pk, user.pk, selection.as_dict(),
                        task_name=f"enrol-selection-{token[:8]}")
            return self.redirect_back(job=token)
        counts = enrolment.enrol_selection(self.course, selection, by=user, viewer=user)
        messages.success(self.request, counts.message())
        return self.redirect_back()


class EnrolAudienceView(_CourseAction):
    def post(self, request, *args, **kwargs):
        return self.run_selection(enrolment.Selection(audience=True))


class EnrolFilterView(_CourseAction):
    def post(self, request, *args, **kwargs):
        form = EnrolFilterForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(filter_form=form), status=400)
        return self.run_selection(form.selection())


class WithdrawView(_CourseAction):
    def post(self, request, *args, **kwargs):
        ids = [value for value in request.POST.getlist("enrollment") if value.isdigit()]
        if not ids:
            messages.warning(request, _("Select the persons to withdraw first."))
            return self.redirect_back()
        count = enrolment.withdraw(self.course, ids, request.user)
        messages.success(request, _("%(n)s persons withdrawn; their records are kept.") % {"n": count})
        return self.redirect_back()


class UploadView(_CourseAction):
    """Check the uploaded list and show the preview (every bad row, or who would be enrolled)."""

    def post(self, request, *args, **kwargs):
        form = EnrolUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(upload_form=form), status=400)
        upload = form.cleaned_data["file"]
        if upload.size > roster.MAX_FILE_BYTES:
            form.add_error("file", _("The file is larger than %(size)s MB.")
                           % {"size": roster.MAX_FILE_BYTES // (1024 * 1024)})
            return self.render_to_response(self.get_context_data(upload_form=form), status=400)
        data = upload.read()
        try:
            check = enrolment.check_upload(enrolment.read_upload(data, upload.name), self.course, request.user)
        except roster.RosterFileError as error:
            form.add_error("file", str(error))
            return self.render_to_response(self.get_context_data(upload_form=form), status=400)
        token = None
        if not check.errors and check.person_ids:
            token = secrets.token_urlsafe(24)
            cache.set(_upload_key(token), {
                "user_id": request.user.pk, "course_id": self.course.pk, "data": data, "filename": upload.name,
                "fingerprint": check.fingerprint(),
            }, PENDING_SECONDS)
        self.template_name = "learning/admin/upload_preview.html"
        return self.render_to_response({
            **super(CourseEnrolmentView, self).get_context_data(),
            "course": self.course, "filename": upload.name, "errors": check.errors, "check": check,
            "counts": check.counts, "lines": [line for line in check.lines if line.action != "already"],
            "token": token,
        })


class UploadApplyView(_CourseAction):
    def post(self, request, *args, **kwargs):
        pending = cache.get(_upload_key(kwargs["token"]))
        if pending is None or pending["user_id"] != request.user.pk or pending["course_id"] != self.course.pk:
            messages.error(request, _("This upload has expired or is not yours. Please upload the file again."))
            return self.redirect_back()
        cache.delete(_upload_key(kwargs["token"]))
        try:
            check, counts = enrolment.apply_upload(pending["data"], pending["filename"], self.course, request.user,
                                                   expected_fingerprint=pending["fingerprint"])
        except (roster.RosterFileError, enrolment.UploadConflict) as error:
            messages.error(request, str(error))
            return self.redirect_back()
        if counts is None:
            messages.error(request, _("The data changed since the preview and some rows are no longer valid. "
                                      "Nothing was enrolled; please upload the file again."))
            return self.redirect_back()
        messages.success(request, counts.message())
        return self.redirect_back()


class UploadTemplateView(EnrolmentAccessMixin, View):
    def get(self, request, *args, **kwargs):
        response = HttpResponse(enrolment.upload_template(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_FILENAME}"'
        return response

