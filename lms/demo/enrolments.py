"""Enrol the audiences of the demo courses, in bulk and only where no current enrolment exists."""

import datetime

from django.utils import timezone

from lms.learning.models import Enrollment, EnrollmentSource
from lms.people.models import NEWLY_APPOINTED_DAYS, CadreCategory, OrgType, Person

SECRETARY_CATEGORIES = [CadreCategory.COMMUNITY_SECRETARY, CadreCategory.VILLAGE_SECRETARY]


def audience(key, root, today=None):
    """The active persons under `root` that a curriculum audience key stands for."""
    today = today or timezone.localdate()
    persons = Person.objects.active().in_subtree(root)
    if key == "secretaries":
        return persons.filter(cadre_category__in=SECRETARY_CATEGORIES)
    if key == "newly_appointed_secretaries":
        since = today - datetime.timedelta(days=NEWLY_APPOINTED_DAYS)
        return persons.filter(cadre_category__in=SECRETARY_CATEGORIES, appointed_on__gte=since)
    if key == "two_new_secretaries":
        return persons.filter(cadre_category=CadreCategory.TWO_NEW_SECRETARY)
    if key == "party_members":
        return persons.filter(cadre_category=CadreCategory.PARTY_MEMBER,
                              organization__org_type__in=[OrgType.COMMUNITY, OrgType.VILLAGE])
    raise ValueError(f"Unknown audience {key!r}")


def enrol_missing(course, person_ids, source=EnrollmentSource.AUDIENCE, batch_size=2000):
    """Enrol each person not currently enrolled in the course. Returns the number enrolled."""
    enrolled = set(Enrollment.objects.current().filter(course=course).values_list("person_id", flat=True))
    now = timezone.now()
    rows = [Enrollment(person_id=pk, course_id=course.pk, source=source, enrolled_at=now)
            for pk in dict.fromkeys(person_ids) if pk not in enrolled]
    Enrollment.objects.bulk_create(rows, batch_size=batch_size, ignore_conflicts=True)
    return len(rows)


def enrol_audiences(catalogue, root):
    """Enrol, under `root`, the audience of every course that has one. Returns the number enrolled."""
    total = 0
    for course in catalogue.courses.values():
        key = catalogue.audiences.get(course.pk)
        if key:
            total += enrol_missing(course, audience(key, root).values_list("pk", flat=True))
    return total
