"""Who may open a session's page and be counted there. Used by every attendance view."""

from lms.learning.models import Enrollment


def attending_person(user, session):
    """The user's Person if they hold a current enrolment in the session's course, else None."""
    if not user.is_authenticated:
        return None
    person = getattr(user, "person", None)
    if person is None or not person.is_active:
        return None
    if not Enrollment.objects.current().filter(person=person, course_id=session.course_id).exists():
        return None
    return person


def can_manage_sessions(user) -> bool:
    """Staff who schedule sessions (the training office) may look at any session's page."""
    return user.is_authenticated and (user.is_superuser or user.has_perm("attendance.change_session"))
