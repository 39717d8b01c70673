"""The execution of the year's planned batches (年度计划班次执行情况), beside the compliance
dashboard: for records staff only, each within their scope (lms.records.execution)."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from . import execution
from .admin_views import RecordsStaffMixin, forbidden, plan_years
from .access import is_records_staff


def current_plan(request):
    """/admin/records/plan/ goes to the latest year that has a plan (or this year)."""
    if not is_records_staff(request.user):
        return forbidden(request)
    return redirect("records_plan_execution", year=plan_years()[0])


class PlanExecutionView(RecordsStaffMixin, TemplateView):
    template_name = "records/admin/plan_execution.html"
    header_icon = "date"

    def get_page_title(self):
        return str(_("Training plan execution %(year)s")) % {"year": self.kwargs["year"]}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.kwargs["year"]
        plan, rows = execution.plan_execution(self.request.user, year)
        whole = execution.whole_plan(self.request.user)
        totals = {name: sum(getattr(row, name) for row in rows) for name in ("target", "enrolled", "completed")}
        totals["planned"] = sum(row.batch.planned_trainees for row in rows)
        totals["hours"] = sum((row.hours for row in rows), 0)
        context.update({
            "year": year, "years": sorted(set(plan_years()) | {year}, reverse=True), "plan": plan, "rows": rows,
            "chart": execution.chart(rows, against_plan=whole), "whole_plan": whole, "totals": totals, "completion_bar": execution.COMPLETION_BAR,
            "statuses": [(execution.STATUS_LABELS[s], execution.STATUS_COLOURS[s]) for s in execution.STATUS_LABELS],
            "can_edit_plan": plan is not None and self.request.user.has_perm("learning.change_annualplan"),
            "edit_url": reverse("wagtailsnippets_learning_annualplan:edit", args=[plan.pk]) if plan else "",
        })
        return context
