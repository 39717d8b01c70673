"""Per-quiz statistics for staff (score distribution, per-question correctness, learners) and
their XLSX export, limited to the viewer's scope."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from lms.assessments.statistics import quiz_statistics
from lms.learning.models import Enrollment
from lms.people.models import Person

from .conftest import as_querydict, correct_sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def taken(make_quiz, basic_questions, enrolled, other_secretary, course):
    """The secretary (street A) answers everything right; the other secretary (street B) only the
    first question."""
    quiz = make_quiz(questions=list(basic_questions.values()), pass_percent=60)
    Enrollment.enrol(other_secretary, course, "bulk")
    attempt = quiz.start_attempt(enrolled)
    attempt.submit(as_querydict(correct_sheet(attempt)))
    attempt = quiz.start_attempt(other_secretary)
    sheet = correct_sheet(attempt)
    first = attempt.answers.get(question=basic_questions["single"]).field_name
    attempt.submit(as_querydict({"attempt": sheet["attempt"], first: sheet[first]}))
    return quiz


def test_it_computes_distribution_pass_rate_and_question_correctness(taken, basic_questions):
    stats = quiz_statistics(taken, Person.objects.all())
    assert (stats.attempts, len(stats.learners), stats.passed, stats.pass_rate, stats.mean_percent) == (
        2, 2, 1, Decimal("50.00"), Decimal("62.50"))
    assert dict(stats.distribution) == {"60% 以下": 1, "60–69%": 0, "70–79%": 0, "80–89%": 0, "90–100%": 1}
    by_question = {row.question.pk: row for row in stats.questions}
    assert by_question[basic_questions["single"].pk].correct_percent == Decimal("100.00")
    assert by_question[basic_questions["fill_in"].pk].correct_percent == Decimal("50.00")
    assert stats.questions[0].correct <= stats.questions[-1].correct  # hardest first


def test_it_limits_the_statistics_to_the_viewers_street(client_for, street_admin, taken):
    html = client_for(street_admin).get(reverse("assessments_quiz_statistics", args=[taken.pk])).content.decode()
    assert "张书记" in html and "李书记" not in html
    assert 'data-stat="learners">1<' in html


def test_it_exports_the_statistics_as_xlsx(client_for, training_office, taken):
    response = client_for(training_office).get(reverse("assessments_quiz_statistics", args=[taken.pk]),
                                               {"format": "xlsx"})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    learners = list(workbook.worksheets[0].values)
    assert learners[0][0] == "姓名"
    assert {row[0] for row in learners[1:]} == {"张书记", "李书记"}
    assert len(list(workbook.worksheets[1].values)) == 5  # header + four questions


def test_it_lists_quizzes_with_their_finished_attempts(client_for, training_office, taken):
    html = client_for(training_office).get(reverse("assessments_quiz_index")).content.decode()
    assert taken.title in html


@pytest.mark.parametrize("who", ["secretary", "trainer", "hr"])
def test_it_refuses_statistics_and_sheets_to_others(client_for, request, taken, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("assessments_quiz_statistics", args=[taken.pk])).status_code in (302, 403)
    assert client.get(reverse("assessments_quiz_index")).status_code in (302, 403)
    attempt = taken.attempts.first()
    assert client.get(reverse("assessments_attempt_sheet", args=[attempt.pk])).status_code in (302, 403)
