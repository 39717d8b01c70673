"""Forms of the enrolment screen (lms.learning.admin_views)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.people.models import CadreCategory, OrgType
from lms.people.scoping import visible_organizations

from .enrolment import Selection


class OrganizationChoiceField(forms.ModelChoiceField):
    """The viewer's organization tree as an indented list (the tree's own order)."""

    def label_from_instance(self, obj):
        top = getattr(self, "top_depth", obj.depth)
        return "\u3000" * max(obj.depth - top, 0) + obj.name


class EnrolFilterForm(forms.Form):
    organization = OrganizationChoiceField(
        queryset=None, required=False, label=_("Organization"), empty_label=_("My whole scope"),
        help_text=_("Everyone in this organization and the organizations under it."))
    org_types = forms.MultipleChoiceField(
        choices=OrgType.choices, required=False, widget=forms.CheckboxSelectMultiple,
        label=_("Organization types"), help_text=_("Leave empty for every type."))
    categories = forms.MultipleChoiceField(
        choices=CadreCategory.choices, required=False, widget=forms.CheckboxSelectMultiple,
        label=_("Cadre categories"), help_text=_("Leave empty for every category."))
    newly_appointed = forms.BooleanField(required=False, label=_("Newly appointed only (within the last year)"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organizations = visible_organizations(user).order_by("path")
        field = self.fields["organization"]
        field.queryset = organizations
        field.top_depth = min(organizations.values_list("depth", flat=True), default=1)

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("organization") or data.get("org_types") or data.get("categories")
                                    or data.get("newly_appointed")):
            raise forms.ValidationError(_("Choose at least one filter. To enrol the course's audience, "
                                          "use the audience button."))
        return data

    def selection(self):
        data = self.cleaned_data
        return Selection(organization_id=data["organization"].pk if data["organization"] else None,
                         org_types=list(data["org_types"]), categories=list(data["categories"]),
                         newly_appointed=data["newly_appointed"])


class EnrolUploadForm(forms.Form):
    file = forms.FileField(label=_("List of mobile or staff numbers (.xlsx or .csv)"))
