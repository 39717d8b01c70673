"""Organizations (a tree) and the persons who learn or work in Touyan.

The organization tree is a materialized path (django-treebeard, which Wagtail already uses), so
"everything under this street" is one indexed prefix query: that is what staff scoping runs on.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from treebeard.mp_tree import MP_Node


class OrgType(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    VILLAGE = "village", _("Village")
    AGENCY = "agency", _("Agency department")
    INDUSTRY_COMMITTEE = "industry", _("Industry party committee")
    TWO_NEW = "two_new", _("Two-new organization")
    ALLIANCE = "alliance", _("School-local party building alliance")
    UNIVERSITY = "university", _("University")


class Organization(MP_Node):
    """A node of the organization tree: district → street → community/village, plus agency
    departments, industry committees with their "two new" organizations, and universities.
    Scoping relies on paths: everything under a node shares its path as a prefix."""

    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    org_type = models.CharField(_("type"), max_length=20, choices=OrgType.choices, db_index=True)
    code = models.CharField(_("code"), max_length=40, unique=True, null=True, blank=True)

    # No node_order_by: a new organization is appended under its parent, so existing paths never
    # move (a sorted tree would rewrite the paths of whole subtrees on insert). Listings sort by name.

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self):
        return self.name

    def subtree(self):
        """This organization and everything below it, as one indexed prefix query."""
        return Organization.objects.filter(path__startswith=self.path)

    def nearest(self, org_type):
        """The closest organization of the given type at or above this one, or None."""
        if self.org_type == org_type:
            return self
        return self.get_ancestors().filter(org_type=org_type).last()

    @property
    def street(self):
        return self.nearest(OrgType.STREET)


class Post(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    PARTY_MEMBER = "party_member", _("Party member")
    AGENCY_CADRE = "agency_cadre", _("Agency cadre")
    STAFF = "staff", _("Staff")


class CadreCategory(models.TextChoices):
    COMMUNITY_SECRETARY = "community_secretary", _("Community secretary")
    VILLAGE_SECRETARY = "village_secretary", _("Village secretary")
    TWO_NEW_SECRETARY = "two_new_secretary", _("Two-new organization secretary")
    AGENCY_CADRE = "agency_cadre", _("Agency cadre")
    PARTY_MEMBER = "party_member", _("Party member")


class CadreLevel(models.TextChoices):
    SECTION = "section", _("Section level")
    DEPUTY_SECTION = "deputy_section", _("Deputy section level")
    STAFF_MEMBER = "staff_member", _("Staff member")
    NONE = "none", _("No rank")


phone_validator = RegexValidator(r"^1\d{10}$", _("Enter an 11-digit mobile number starting with 1."))

NEWLY_APPOINTED_DAYS = 365


class PersonQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def in_subtree(self, organization):
        return self.filter(organization__path__startswith=organization.path)


class Person(models.Model):
    """A learner or staff member. One per Django user; the phone number is the learner's login."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person", verbose_name=_("user")
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    phone = models.CharField(_("mobile phone"), max_length=11, unique=True, validators=[phone_validator])
    staff_number = models.CharField(_("staff number"), max_length=40, unique=True, null=True, blank=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="persons", verbose_name=_("organization")
    )
    post = models.CharField(_("post"), max_length=30, choices=Post.choices, default=Post.PARTY_MEMBER)
    cadre_category = models.CharField(
        _("cadre category"), max_length=30, choices=CadreCategory.choices, default=CadreCategory.PARTY_MEMBER
    )
    level = models.CharField(_("level"), max_length=20, choices=CadreLevel.choices, default=CadreLevel.NONE)
    appointed_on = models.DateField(_("appointed on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    must_change_password = models.BooleanField(
        _("must change password"), default=False,
        help_text=_("Set for accounts created by a roster import or by staff: someone else knew the first "
                    "password, so the person must choose their own before using the site."),
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @staticmethod
    def create_account(phone, password=None):
        """A login account for a new person: the username is the mobile number."""
        from django.contrib.auth import get_user_model

        return get_user_model().objects.create_user(username=phone, password=password)

    def password_changed_by_owner(self):
        """The person chose their own password: nobody else knows it any more, so stop forcing a change."""
        if self.must_change_password:
            self.must_change_password = False
            Person.objects.filter(pk=self.pk).update(must_change_password=False)

    def clean(self):
        if self.appointed_on and self.appointed_on > timezone.localdate():
            raise ValidationError({"appointed_on": _("The appointment date cannot be in the future.")})

    @property
    def is_newly_appointed(self):
        """Newly appointed secretaries (within a year) get their own topical classes."""
        if not self.appointed_on:
            return False
        return (timezone.localdate() - self.appointed_on).days <= NEWLY_APPOINTED_DAYS
