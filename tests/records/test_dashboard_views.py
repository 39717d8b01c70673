"""The compliance dashboard and its drill-down: who may see them and what each sees."""

import pytest
from django.urls import reverse

from lms.learning import plans
from lms.people.models import CadreCategory

pytestmark = pytest.mark.django_db

URL = reverse("records_compliance")


@pytest.fixture
def figures(plan_2026, require, earn, secretary, other_secretary):
    require(plan_2026, category=CadreCategory.COMMUNITY_SECRETARY, total_hours="10")
    earn(secretary, 2026, "12")
    earn(other_secretary, 2026, "3")


@pytest.mark.parametrize("who", ["hr", "training_office", "superuser"])
def test_district_staff_see_every_street_with_a_chart(who, request, client_for, figures):
    response = client_for(request.getfixturevalue(who)).get(URL, {"year": 2026})
    assert response.status_code == 200
    html = response.content.decode()
    assert "东湖街道" in html and "西山街道" in html and "<svg" in html
    assert 'data-status="met" data-count="1"' in html


def test_a_street_admin_sees_only_their_street(client_for, street_admin, figures, org_tree):
    client = client_for(street_admin)
    html = client.get(URL, {"year": 2026}).content.decode()
    assert "东湖街道" in html and "西山街道" not in html
    assert client.get(reverse("records_compliance_group", args=[org_tree["street_b"].pk])).status_code == 404
    page = client.get(reverse("records_compliance_group", args=[org_tree["street_a"].pk]), {"year": 2026})
    assert page.status_code == 200 and "张书记" in page.content.decode() and "李书记" not in page.content.decode()


@pytest.mark.parametrize("who", ["trainer", "secretary"])
def test_trainers_and_learners_are_refused(who, request, client_for, org_tree):
    client = client_for(request.getfixturevalue(who))
    for url in (URL, reverse("records_compliance_group", args=[org_tree["street_a"].pk]), reverse("records_export")):
        assert client.get(url).status_code in (302, 403)
    assert client.get(URL).status_code == (403 if who == "trainer" else 302)


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get(URL).status_code == 302


def test_the_drill_down_filters_by_status_category_and_name(client_for, hr, figures, org_tree, make_person):
    make_person("党员丙", org_tree["community_a"])
    url = reverse("records_compliance_group", args=[org_tree["district"].pk])
    client = client_for(hr)
    html = client.get(url, {"year": 2026, "status": plans.MET}).content.decode()
    assert 'data-person="张书记"' in html and 'data-person="李书记"' not in html
    html = client.get(url, {"year": 2026, "status": plans.IN_PROGRESS}).content.decode()
    assert 'data-person="李书记"' in html and 'data-person="张书记"' not in html
    html = client.get(url, {"year": 2026, "category": CadreCategory.PARTY_MEMBER}).content.decode()
    assert 'data-person="党员丙"' in html and 'data-person="张书记"' not in html
    html = client.get(url, {"year": 2026, "q": "李"}).content.decode()
    assert 'data-person="李书记"' in html and 'data-person="张书记"' not in html
    # unknown filter values are ignored rather than failing
    assert client.get(url, {"year": "x", "status": "bogus", "category": "nope", "p": "999"}).status_code == 200
