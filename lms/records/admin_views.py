"""Records screens in the Wagtail admin: the compliance dashboard and its drill-down to persons,
the yearly export (a background task with a status page) and a person's training archive.

Every screen is for records staff only (lms.records.access) and shows the viewer's scope: a
street admin sees their street; an organization or person outside the scope is a 404."""

from django import forms
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms.learning import plans
from lms.learning.models import AnnualPlan
from lms.people.models import CadreCategory, OrgType

from . import archive, charts, compliance
from .access import is_records_staff, scoped_organizations, scoped_persons
from .models import ExportFormat, ExportJob, ExportStatus, ExportTable
from .tasks import queue_export, retry_export


def plan_years():
    this_year = timezone.localdate().year
    return sorted(set(AnnualPlan.objects.values_list("year", flat=True)) | {this_year}, reverse=True)


def chosen_year(request):
    years = plan_years()
    value = request.GET.get("year", "")
    return (int(value) if value.isdigit() and int(value) in years else years[0]), years


def chosen(request, name, choices):
    value = request.GET.get(name, "")
    return value if value in dict(choices) else ""


def forbidden(request):
    """A plain 403 page (Wagtail would redirect to the dashboard with a message instead)."""
    return TemplateResponse(request, "403.html", status=403)


class RecordsStaffMixin(WagtailAdminTemplateMixin):
    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.get_page_title()}]

    def dispatch(self, request, *args, **kwargs):
        if not is_records_staff(request.user):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)


class ComplianceDashboardView(RecordsStaffMixin, TemplateView):
    template_name = "records/admin/compliance.html"
    page_title = _("Compliance with the training plan")
    header_icon = "table"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, years = chosen_year(self.request)
        category = chosen(self.request, "category", CadreCategory.choices)
        board = compliance.dashboard(self.request.user, year, category=category)
        query = {"year": year, **({"category": category} if category else {})}

        def drill(counts):
            return f"{reverse('records_compliance_group', args=[counts.key])}?{urlencode(query)}"

        context.update({
            "year": year, "years": years, "category": category, "categories": CadreCategory.choices,
            "board": board, "group_chart": charts.stacked(board.by_group, href=drill),
            "type_chart": charts.stacked(board.by_org_type), "statuses": compliance.STATUSES,
            "status_labels": plans.STATUS_LABELS, "has_plan": AnnualPlan.objects.filter(year=year).exists(),
            "query": urlencode(query),
        })
        return context


class ComplianceGroupView(RecordsStaffMixin, TemplateView):
    """The persons under one organization (a street, usually) with their figures, filterable by
    status, cadre category and name, 50 a page."""

    template_name = "records/admin/compliance_group.html"
    header_icon = "group"
    per_page = 50

    def get(self, request, *args, **kwargs):
        self.organization = scoped_organizations(request.user).filter(pk=kwargs["org_id"]).first()
        if self.organization is None:
            raise Http404
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        return str(_("Compliance: %(organization)s")) % {"organization": self.organization.name}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        year, years = chosen_year(request)
        category = chosen(request, "category", CadreCategory.choices)
        status = chosen(request, "status", plans.STATUS_LABELS.items())
        search = request.GET.get("q", "").strip()[:60]
        rows = compliance.scope_standings(request.user, year, category).filter(
            organization__path__startswith=self.organization.path)
        if status:
            rows = rows.filter(plan_status=status)
        if search:
            rows = rows.filter(name__contains=search)
        rows = rows.select_related("organization").order_by("organization__path", "name", "pk")
        page = Paginator(rows, self.per_page).get_page(request.GET.get("p"))
        compliance.decorate(page.object_list, year)
        query = {k: v for k, v in {"year": year, "category": category, "status": status, "q": search}.items() if v}
        context.update({
            "organization": self.organization, "year": year, "years": years, "category": category,
            "categories": CadreCategory.choices, "status": status, "statuses": plans.STATUS_LABELS.items(),
            "search": search, "page": page, "query": urlencode(query),
            "dashboard_url": f"{reverse('records_compliance')}?{urlencode({'year': year})}",
        })
        return context


# --- export ------------------------------------------------------------------------------------

class ExportForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    file_format = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices, initial=ExportFormat.XLSX)
    table = forms.ChoiceField(label=_("Table (CSV holds one table)"), choices=ExportTable.choices,
                              initial=ExportTable.SUMMARY, required=False)
    street = forms.ChoiceField(label=_("Street"), required=False)
    categories = forms.MultipleChoiceField(label=_("Cadre categories"), choices=CadreCategory.choices,
                                           required=False, widget=forms.CheckboxSelectMultiple,
                                           help_text=_("None ticked: every category."))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in plan_years()]
        streets = scoped_organizations(user).filter(org_type=OrgType.STREET).exclude(code=None).order_by("path")
        self.fields["street"].choices = [("", _("Whole scope"))] + [(s.code, s.name) for s in streets]


class ExportView(RecordsStaffMixin, TemplateView):
    """Ask for an export (it runs as a background task) and see one's recent exports."""

    template_name = "records/admin/export.html"
    page_title = _("Export training records")
    header_icon = "download"

    def get(self, request, *args, **kwargs):
        initial = {}
        year = request.GET.get("year", "")
        if year.isdigit():
            initial["year"] = int(year)
        if request.GET.get("category") in CadreCategory.values:
            initial["categories"] = [request.GET["category"]]
        return self.render_to_response(self.get_context_data(form=ExportForm(initial=initial, user=request.user)))

    def post(self, request, *args, **kwargs):
        form = ExportForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            with transaction.atomic():
                job = ExportJob.objects.create(
                    requested_by=request.user, year=data["year"], file_format=data["file_format"],
                    table=data["table"] or ExportTable.SUMMARY, street_code=data["street"],
                    categories=data["categories"])
                queue_export(job)
            return redirect("records_export_status", pk=job.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["jobs"] = ExportJob.objects.filter(requested_by=self.request.user)[:10]
        return context


def own_job(request, pk):
    job = ExportJob.objects.filter(pk=pk).first()
    if job is None or not (job.requested_by_id == request.user.pk or request.user.is_superuser):
        raise Http404
    return job


class ExportStatusView(RecordsStaffMixin, TemplateView):
    """Where one export stands; the page refreshes itself until the task has finished."""

    template_name = "records/admin/export_status.html"
    page_title = _("Export training records")
    header_icon = "download"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["job"] = own_job(self.request, kwargs["pk"])
        return context


@require_POST
def export_retry(request, pk):
    if not is_records_staff(request.user):
        return forbidden(request)
    job = own_job(request, pk)
    retry_export(job)
    return redirect("records_export_status", pk=job.pk)


def export_download(request, pk):
    if not is_records_staff(request.user):
        return forbidden(request)
    job = own_job(request, pk)
    if job.status != ExportStatus.DONE or not job.file:
        raise Http404
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename())
    response["Cache-Control"] = "private, no-store"
    return response


# --- personal training archive (staff) ---------------------------------------------------------

def scoped_person(request, person_id):
    person = scoped_persons(request.user).select_related("organization").filter(pk=person_id).first()
    if person is None:
        raise Http404
    return person


class PersonArchiveView(RecordsStaffMixin, TemplateView):
    template_name = "records/admin/person_archive.html"
    header_icon = "user"

    def get(self, request, *args, **kwargs):
        self.person = scoped_person(request, kwargs["person_id"])
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        return str(_("Training archive: %(name)s")) % {"name": self.person.name}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = archive.chosen_year(self.request, self.person)
        context.update({"archive": archive.build(self.person, year),
                        "pdf_url": reverse("records_person_archive_pdf", args=[self.person.pk])})
        return context


def person_archive_pdf(request, person_id):
    if not is_records_staff(request.user):
        return forbidden(request)
    person = scoped_person(request, person_id)
    return archive_pdf_response(archive.build(person, archive.chosen_year(request, person)))


def archive_pdf_response(built):
    response = HttpResponse(archive.render_pdf(built), content_type="application/pdf")
    year = built.year or "all"
    response["Content-Disposition"] = f'inline; filename="training-archive-{built.person.pk}-{year}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
