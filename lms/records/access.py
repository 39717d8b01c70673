"""Who may see compliance figures, exports and other people's archives: the staff roles
(training office, HR, street admin), each within their own organization subtree, and superusers.
Trainers and learners see none of it (a learner sees only their own archive)."""

from lms.people.roles import HR, STREET_ADMIN, TRAINING_OFFICE, has_role
from lms.people.scoping import scope_root, visible_organizations, visible_persons

RECORDS_ROLES = (TRAINING_OFFICE, HR, STREET_ADMIN)


def is_records_staff(user):
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return has_role(user, *RECORDS_ROLES) and scope_root(user) is not None


def scoped_persons(user):
    return visible_persons(user) if is_records_staff(user) else visible_persons(user).none()


def scoped_organizations(user):
    return visible_organizations(user) if is_records_staff(user) else visible_organizations(user).none()
