"""Who may see which rotation records. Used by the admin viewset and the PDF view."""

from lms.people.roles import HR, has_role
from lms.people.scoping import scope_root, visible_persons

from .models import Rotation


def visible_rotations(user):
    """Rotations of the persons in the user's scope (by the person's organization)."""
    if not user.is_authenticated:
        return Rotation.objects.none()
    return Rotation.objects.filter(person__in=visible_persons(user))


def manageable_rotations(user):
    """What HR (and superusers) may manage: their scope. Other staff roles manage none."""
    if user.is_authenticated and user.is_superuser:
        return Rotation.objects.all()
    if has_role(user, HR) and scope_root(user) is not None:
        return visible_rotations(user)
    return Rotation.objects.none()


def can_read_record(user, rotation):
    """HR/superusers in scope, and the person themselves."""
    if not user.is_authenticated:
        return False
    person = getattr(user, "person", None)
    if person is not None and rotation.person_id == person.pk:
        return True
    return manageable_rotations(user).filter(pk=rotation.pk).exists()
