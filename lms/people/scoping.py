"""Who may see which people. Every staff view goes through these helpers.

Staff (training office, HR, street admin) see the persons and organizations in the subtree of
their own organization: a street admin belongs to the street, the district training office to the
district. Superusers see everything; anyone else sees only themselves."""

from .models import Organization, Person
from .roles import STAFF_ROLES, has_role


def scope_root(user):
    """The organization whose subtree this user may see as staff, or None if not staff."""
    if not user.is_authenticated:
        return None
    person = getattr(user, "person", None)
    if person is None or not person.is_active or not has_role(user, *STAFF_ROLES):
        return None
    return person.organization


def visible_persons(user):
    if user.is_authenticated and user.is_superuser:
        return Person.objects.all()
    root = scope_root(user)
    if root is not None:
        return Person.objects.in_subtree(root)
    if user.is_authenticated:
        return Person.objects.filter(user=user)
    return Person.objects.none()


def visible_organizations(user):
    if user.is_authenticated and user.is_superuser:
        return Organization.objects.all()
    root = scope_root(user)
    if root is not None:
        return root.subtree()
    return Organization.objects.none()


def can_see_person(user, person):
    return visible_persons(user).filter(pk=person.pk).exists()
