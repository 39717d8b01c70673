"""No object is reachable by guessing its id (issue 8): for every kind of object a URL names by id,
a persona walks through every id that exists (and one past the end) and only ever gets the
objects of their own scope; everything else is a 403/404 (or the login page) that says nothing
about the object. The permission matrix checks one object of each street per URL; these tests
enumerate ids, as someone guessing would."""

import pytest
from django.urls import reverse

from lms.assessments.models import Answer, Attempt
from lms.attendance.models import LeaveRequest, Session
from lms.people.models import Person
from lms.records.models import ExportJob
from lms.rotations.models import Rotation

from .matrix import outcome, request_as

pytestmark = pytest.mark.django_db

DENIED = {"403", "404", "login"}


def reachable(client, url_for, ids, method="get"):
    """The ids whose URL answers with anything but a refusal."""
    return {pk for pk in ids if outcome(request_as(client, method, url_for(pk))) not in DENIED}


def all_ids(model):
    ids = list(model.objects.values_list("pk", flat=True))
    return ids + [max(ids) + 1]


def test_it_shows_a_learner_only_their_own_quiz_attempts(world, client_for):
    for side in (world.a, world.b):
        client = client_for(side.learner)
        own = set(Attempt.objects.filter(person=side.learner).values_list("pk", flat=True))
        assert reachable(client, lambda pk: reverse("quiz-attempt", args=[pk]), all_ids(Attempt)) == own
        assert reachable(client, lambda pk: reverse("quiz-attempt-save", args=[pk]), all_ids(Attempt),
                         method="post") <= own


def test_it_lets_a_learner_cancel_only_their_own_leave_requests(world, client_for):
    client = client_for(world.a.learner)
    for session in Session.objects.all():
        for leave in LeaveRequest.objects.all():
            got = outcome(request_as(client, "post", reverse("session-leave-cancel", args=[session.pk, leave.pk])))
            mine = leave.person_id == world.a.learner.pk and leave.session_id == session.pk
            assert (got not in DENIED) == mine, (session, leave, got)
    assert LeaveRequest.objects.get(pk=world.b.leave.pk).status == world.b.leave.status


def test_it_serves_rotation_forms_only_to_the_person_and_records_staff_in_scope(world, client_for):
    url = lambda pk: reverse("rotation-record-pdf", args=[pk])  # noqa: E731
    ids = all_ids(Rotation)
    assert reachable(client_for(world.a.learner), url, ids) == {world.a.rotation.pk}
    assert reachable(client_for(world.b.learner), url, ids) == {world.b.rotation.pk}
    for persona in ("street_admin", "trainer", "training_office"):
        assert reachable(client_for(world.personas[persona]), url, ids) == set(), persona
    assert reachable(client_for(world.personas["hr"]), url, ids) == {world.a.rotation.pk, world.b.rotation.pk}


def test_it_shows_a_street_admin_the_archives_of_their_street_only(world, client_for):
    client = client_for(world.personas["street_admin"])
    in_street = set(Person.objects.in_subtree(world.orgs["street_a"]).values_list("pk", flat=True))
    for name in ("records_person_archive", "records_person_archive_pdf"):
        got = reachable(client, lambda pk: reverse(name, args=[pk]), all_ids(Person))
        assert got == in_street, name
        assert world.b.learner.pk not in got


def test_it_hands_an_export_only_to_the_person_who_asked_for_it(world, client_for):
    ids = all_ids(ExportJob)
    for persona, own in (("hr", {world.hr_export.pk}), ("training_office", {world.office_export.pk}),
                         ("street_admin", set()), ("trainer", set()), ("secretary", set())):
        client = client_for(world.personas[persona])
        for name in ("records_export_status", "records_export_download"):
            assert reachable(client, lambda pk: reverse(name, args=[pk]), ids) == own, (persona, name)
        # nor through the generic media view, even for the owner
        for job in ExportJob.objects.all():
            assert client.get(f"/media/{job.file.name}").status_code == 404


def test_it_shows_answer_sheets_and_essays_only_in_scope(world, client_for):
    client = client_for(world.personas["street_admin"])
    sheets = reachable(client, lambda pk: reverse("assessments_attempt_sheet", args=[pk]), all_ids(Attempt))
    assert sheets == set(Attempt.objects.filter(person=world.a.learner).values_list("pk", flat=True))
    # the street admin may not grade at all; the training office grades anyone in the district
    assert reachable(client, lambda pk: reverse("assessments_grade_answer", args=[pk]), all_ids(Answer)) == set()
    office = client_for(world.personas["training_office"])
    essays = {world.a.essay_answer.pk, world.b.essay_answer.pk}
    assert reachable(office, lambda pk: reverse("assessments_grade_answer", args=[pk]), all_ids(Answer)) == essays


def test_it_keeps_sign_in_sheets_and_hall_screens_to_the_training_office(world, client_for):
    ids = all_ids(Session)
    for persona in ("secretary", "other_secretary", "street_admin", "hr", "trainer"):
        client = client_for(world.personas[persona])
        for name in ("sign-in-sheet", "roll-call", "checkin-display", "checkin-display-state"):
            assert reachable(client, lambda pk: reverse(name, args=[pk]), ids) == set(), (persona, name)


def test_it_shows_a_learner_only_sessions_of_their_courses(world, client_for):
    client = client_for(world.a.learner)
    assert reachable(client, lambda pk: reverse("session-detail", args=[pk]), all_ids(Session)) == {world.a.session.pk}


def test_it_keeps_a_street_admin_to_their_street_in_the_person_and_organization_screens(world, client_for):
    client = client_for(world.personas["street_admin"])
    in_street = set(Person.objects.in_subtree(world.orgs["street_a"]).values_list("pk", flat=True))
    for action in ("inspect", "edit", "history"):
        got = reachable(client, lambda pk: reverse(f"wagtailsnippets_people_person:{action}", args=[pk]),
                        all_ids(Person))
        assert got <= in_street and world.b.learner.pk not in got, action
    chooser = client.get(reverse("wagtailsnippetchoosers_people_person:choose_results") + "?q=书记")
    assert world.a.learner.name in chooser.content.decode()
    assert world.b.learner.name not in chooser.content.decode()


def test_it_keeps_another_streets_people_out_of_a_street_admins_export(world, client_for,
                                                                       django_capture_on_commit_callbacks):
    """A street admin can neither ask for street B's records nor find its people in their own
    export: the form offers only their street, and the task scopes the rows to the requester."""
    from lms.records import tasks

    client = client_for(world.personas["street_admin"])
    before = ExportJob.objects.count()
    with django_capture_on_commit_callbacks(execute=False):
        refused = client.post(reverse("records_export"), {"year": 2026, "file_format": "csv", "table": "summary",
                                                          "street": world.orgs["street_b"].code})
    assert refused.status_code == 400 and ExportJob.objects.count() == before
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("records_export"), {"year": 2026, "file_format": "csv", "table": "summary"})
    job = ExportJob.objects.get(requested_by=world.personas["street_admin"].user)
    assert response.url == reverse("records_export_status", args=[job.pk])
    assert tasks.run_export(job.pk) == "done"
    content = b"".join(client.get(reverse("records_export_download", args=[job.pk])).streaming_content)
    text = content.decode("utf-8-sig")
    assert world.a.learner.name in text
    assert world.b.learner.name not in text and world.b.learner.phone not in text


def test_it_shows_a_verifier_only_a_masked_name(world, client_for):
    response = client_for(None).get(reverse("certificate-verify", args=[world.a.certificate.code]))
    page = response.content.decode()
    assert response.status_code == 200
    assert world.a.learner.name not in page and world.a.learner.phone not in page
