"""Snippet choosers of unscoped models ask for a permission on the model (lms.people.admin_choosers):
Wagtail alone would list the question bank, sessions, plans and offline exams to any staff member."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["assessments_question", "attendance_session", "learning_annualplan",
                                   "assessments_offlineassessment", "assessments_questioncategory"])
def test_it_refuses_a_chooser_to_staff_without_a_permission_on_its_model(world, client_for, model):
    client = client_for(world.personas["street_admin"])
    for view in ("choose", "choose_results", "chosen_multiple"):
        assert client.get(reverse(f"wagtailsnippetchoosers_{model}:{view}")).status_code == 403, view


def test_it_keeps_the_question_bank_out_of_reach_of_hr_and_street_admins(world, client_for):
    for persona in ("hr", "street_admin"):
        client = client_for(world.personas[persona])
        response = client.get(reverse("wagtailsnippetchoosers_assessments_question:choose_results") + "?q=党")
        assert response.status_code == 403
        assert world.question.text not in response.content.decode()
        chosen = reverse("wagtailsnippetchoosers_assessments_question:chosen", args=[world.question.pk])
        assert client.get(chosen).status_code == 403


def test_it_still_lets_the_bank_keepers_choose_questions(world, client_for):
    for persona in ("trainer", "training_office", "superuser"):
        response = client_for(world.personas[persona]).get(
            reverse("wagtailsnippetchoosers_assessments_question:choose_results"))
        assert response.status_code == 200, persona
        assert world.question.text in response.content.decode()
