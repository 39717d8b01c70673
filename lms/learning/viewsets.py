"""The annual training plan in the Wagtail admin: HR (干部科) sets each year's credit rules and
requirements; the training office can read them. Saving a plan re-applies its rules to the
year's 学时 ledger in the background."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import AnnualPlan


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
        return valid


class AnnualPlanViewSet(SnippetViewSet):
    model = AnnualPlan
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
        MultiFieldPanel([
            FieldPanel("in_person_hours_per_day"),
            FieldRowPanel([FieldPanel("online_long_minutes"), FieldPanel("online_long_hours")]),
            FieldRowPanel([FieldPanel("online_medium_minutes"), FieldPanel("online_medium_hours")]),
            FieldPanel("online_short_hours"),
            FieldRowPanel([FieldPanel("test_pass_hours"), FieldPanel("university_class_hours")]),
            FieldPanel("carry_over_limit"),
        ], heading=_("Credit rules")),
    ], base_form_class=AnnualPlanForm)
