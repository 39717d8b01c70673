"""Who may see, issue and download which certificates.

Certificate staff are superusers and the staff roles holding certificates.view_certificate (the
training office; street admins view only), each limited to the persons they may see
(lms.people.scoping.visible_persons). Issuing, re-issuing and revoking need add/change permission.
A learner sees and downloads only their own certificates."""

from django.db.models import Q

from lms.people.scoping import scope_root, visible_persons

from .models import Certificate


def is_certificate_staff(user):
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return user.has_perm("certificates.view_certificate") and scope_root(user) is not None


def can_issue(user):
    return is_certificate_staff(user) and user.has_perm("certificates.add_certificate")


def can_change(user):
    return is_certificate_staff(user) and user.has_perm("certificates.change_certificate")


def scoped_persons(user):
    return visible_persons(user) if is_certificate_staff(user) else visible_persons(user).none()


def manageable_certificates(user):
    """Certificates of the persons the staff member may see (none for anyone else)."""
    if not is_certificate_staff(user):
        return Certificate.objects.none()
    if user.is_superuser:
        return Certificate.objects.all()
    return Certificate.objects.filter(person__in=visible_persons(user))


def downloadable(user):
    """The user's own certificates and, for certificate staff, those of the persons in scope."""
    if not user.is_authenticated:
        return Certificate.objects.none()
    own = Q(person__user=user)
    if is_certificate_staff(user):
        if user.is_superuser:
            return Certificate.objects.all()
        return Certificate.objects.filter(own | Q(person__in=visible_persons(user)))
    return Certificate.objects.filter(own)
