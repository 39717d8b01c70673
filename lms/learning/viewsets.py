"""The annual training plan in the Wagtail admin: HR (干部科) sets each year's credit rules,
requirements and planned batches (分类分批); the training office can read them. Saving a plan
re-applies its rules to the year's 学时 ledger in the background."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.snippets.views.snippets import SnippetViewSet

from lms.people.admin_choosers import permitted_chooser_viewset_class

from .models import AnnualPlan, PlannedBatch


class AnnualPlanForm(WagtailAdminModelForm):
    def is_valid(self):
        """One requirement per group (cadre category and level) in a plan. Checked once the
        requirement forms are cleaned, which happens after the plan form's own clean()."""
        valid = super().is_valid()
        if not valid:
            return False
        seen = set()
        for form in self.formsets["requirements"].forms:
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            group = (data.get("cadre_category", ""), data.get("level", ""))
            if group in seen:
                form.add_error("cadre_category", _("This plan already has a requirement for this group."))
                self.add_error(None, _("Each group of cadres may have only one requirement."))
                valid = False
            seen.add(group)
        return self._batches_are_valid() and valid

    def _batches_are_valid(self):
        """Each batch's planned period lies within the plan's year (the batch's own clean() cannot
        see the year of a plan being created or changed in the same form), and the courses that
        realise it run in that year."""
        year = self.cleaned_data.get("year")
        valid = True
        for form in self.formsets["batches"].forms:
            data = form.cleaned_data
            if not data or data.get("DELETE") or not year:
                continue
            batch = PlannedBatch(starts_on=data.get("starts_on"), ends_on=data.get("ends_on"))
            for field, message in batch.period_errors(year).items():
                form.add_error(field, message)
                valid = False
            other_years = [course.title for course in data.get("courses") or [] if course.year != year]
            if other_years:
                form.add_error("courses", _("These courses do not run in %(year)s: %(courses)s.") % {
                    "year": year, "courses": "、".join(other_years)})
                valid = False
        if not valid:
            self.add_error(None, _("Some planned batches need correcting (see below)."))
        return valid



class AnnualPlanViewSet(SnippetViewSet):
    model = AnnualPlan
    chooser_viewset_class = permitted_chooser_viewset_class()
    icon = "date"
    menu_label = _("Annual training plans")
    menu_name = "annual-plans"
    add_to_admin_menu = True
    menu_order = 230
    list_display = ["year", "title"]
    ordering = ["-year"]
    edit_handler = ObjectList([
        FieldRowPanel([FieldPanel("year"), FieldPanel("title")]),
        InlinePanel("requirements", heading=_("Requirements"), label=_("requirement"), panels=[
            FieldRowPanel([FieldPanel("cadre_category"), FieldPanel("level")]),
            FieldRowPanel([FieldPanel("total_hours"), FieldPanel("online_hours"), FieldPanel("in_person_days")]),
            FieldPanel("mandatory_programs", widget=forms.CheckboxSelectMultiple),
        ]),
        InlinePanel("batches", heading=_("Planned batches (分类分批)"), label=_("batch"), panels=[
            FieldRowPanel([FieldPanel("program"), FieldPanel("name")]),
            FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
            FieldPanel("organizer"),
            FieldRowPanel([FieldPanel("planned_trainees"), FieldPanel("planned_days"), FieldPanel("planned_hours")]),
            FieldRowPanel([FieldPanel("org_types"), FieldPanel("categories")]),
            FieldPanel("newly_appointed_only"),
            FieldPanel("courses", widget=forms.CheckboxSelectMultiple),
            FieldPanel("notes", widget=forms.Textarea(attrs={"rows": 2})),
        ]),
        MultiFieldPanel([
            FieldPanel("in_person_hours_per_day"),
            FieldRowPanel([FieldPanel("online_long_minutes"), FieldPanel("online_long_hours")]),
            FieldRowPanel([FieldPanel("online_medium_minutes"), FieldPanel("online_medium_hours")]),
            FieldPanel("online_short_hours"),
            FieldRowPanel([FieldPanel("test_pass_hours"), FieldPanel("university_class_hours")]),
            FieldPanel("carry_over_limit"),
        ], heading=_("Credit rules")),
    ], base_form_class=AnnualPlanForm)
