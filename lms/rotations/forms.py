from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from lms.people.models import Organization
from lms.people.scoping import visible_organizations, visible_persons

from .models import HOST_TYPES, Rotation


class RotationForm(WagtailAdminModelForm):
    """HR picks a person in their scope; the host is any agency department, community or village
    (an upward host usually lies outside a street's subtree). Records who recorded and who changed."""

    class Meta:
        model = Rotation
        fields = ["person", "direction", "home_organization", "host_organization", "post_held", "starts_on",
                  "ends_on", "mentor", "goals", "status", "midterm_evaluation", "midterm_comments",
                  "final_evaluation", "final_comments"]
        widgets = {"home_organization": forms.Select, "host_organization": forms.Select}

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.for_user = for_user
        host_types = {t for types in HOST_TYPES.values() for t in types}
        self.fields["host_organization"].queryset = Organization.objects.filter(org_type__in=host_types).order_by(
            "path")
        if for_user is not None:
            self.fields["person"].queryset = visible_persons(for_user)
            self.fields["home_organization"].queryset = visible_organizations(for_user).order_by("path")

    def save(self, commit=True):
        rotation = super().save(commit=False)
        if self.for_user is not None:
            if not rotation.pk:
                rotation.recorded_by = self.for_user
            rotation.updated_by = self.for_user
        if commit:
            rotation.save()
        return rotation
