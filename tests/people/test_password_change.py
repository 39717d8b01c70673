"""Forced change of a first password: accounts from the roster import or made by staff must choose
their own password before using the site; a changed one and the demo accounts are left alone."""

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from lms.people import roster
from lms.people.models import Person

pytestmark = pytest.mark.django_db

CHANGE = "/me/password/"
FIRST_PASSWORD = "Chushi-Mima-2026"
OWN_PASSWORD = "Wode-Xin-Mima-9417"
HEADERS = ["姓名", "手机号", "工号", "所属组织", "职务", "干部类别", "级别", "任职日期", "状态"]


def zh(message):
    with translation.override("zh-hans"):
        return translation.gettext(message)


def roster_file(rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def imported(hr, org_tree):
    """A person from the HR roster import, whose first password the training office then set."""
    rows = [["陈明", "13911110001", "E001", "东湖社区", "书记", "社区党组织书记", "无职级", "2024-03-01", "在职"]]
    result = roster.run_import(roster_file(rows), "名单.xlsx", hr.user, dry_run=False)
    assert result.applied, result.errors
    person = Person.objects.get(phone="13911110001")
    person.user.set_password(FIRST_PASSWORD)
    person.user.save()
    return person


def log_in(client, username, password):
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def change_password(client, old, new):
    return client.post(CHANGE, {"old_password": old, "new_password1": new, "new_password2": new})


def test_it_marks_imported_accounts(imported):
    assert imported.must_change_password is True


def test_it_sends_an_imported_person_to_the_change_page_from_every_page(client, imported):
    log_in(client, imported.phone, FIRST_PASSWORD)
    for path in ["/me/", "/", "/me/profile/", "/admin/", "/me/credits/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == CHANGE, path
    page = client.get(CHANGE)
    assert page.status_code == 200
    content = page.content.decode()
    assert zh("Please change your initial password first") in content
    assert 'name="new_password1"' in content


def test_it_leaves_logout_health_and_assets_reachable(client, imported, settings):
    log_in(client, imported.phone, FIRST_PASSWORD)
    assert client.get("/healthz").status_code in (200, 503)  # the health check itself, not a redirect
    for path in [settings.STATIC_URL + "css/site.css", settings.MEDIA_URL + "images/x.png"]:
        assert client.get(path).get("Location") != CHANGE, path
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] != CHANGE
    assert "_auth_user_id" not in client.session


def test_it_clears_the_mark_after_the_person_chooses_a_password(client, imported):
    log_in(client, imported.phone, FIRST_PASSWORD)
    response = change_password(client, FIRST_PASSWORD, OWN_PASSWORD)
    assert response.status_code == 302
    imported.refresh_from_db()
    assert imported.must_change_password is False
    assert client.get("/me/").status_code == 200  # still logged in, and free to go anywhere
    client.post(reverse("logout"))
    log_in(client, imported.phone, OWN_PASSWORD)
    assert client.get("/me/").status_code == 200


def test_it_keeps_the_mark_when_the_change_fails(client, imported):
    log_in(client, imported.phone, FIRST_PASSWORD)
    response = change_password(client, "wrong-old-password", OWN_PASSWORD)
    assert response.status_code == 200  # the form again, with its error
    imported.refresh_from_db()
    assert imported.must_change_password is True
    assert client.get("/me/")["Location"] == CHANGE


def test_it_does_not_force_people_who_chose_their_own_password(client, secretary, password):
    assert secretary.must_change_password is False
    log_in(client, secretary.phone, password)
    assert client.get("/me/").status_code == 200
    page = client.get(CHANGE).content.decode()
    assert zh("Please change your initial password first") not in page


def test_it_marks_a_person_that_staff_add_in_the_admin(client_for, hr, org_tree):
    data = {"name": "新人", "phone": "13911112222", "staff_number": "", "organization": org_tree["community_a"].pk,
            "post": "party_member", "cadre_category": "party_member", "level": "none", "appointed_on": "",
            "is_active": "on"}
    response = client_for(hr).post(reverse("wagtailsnippets_people_person:add"), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert Person.objects.get(phone="13911112222").must_change_password is True


def test_it_marks_again_when_staff_set_someone_elses_password(client_for, superuser, secretary):
    url = reverse("wagtailusers_users:edit", args=[secretary.user.pk])
    form = client_for(superuser).get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and not isinstance(value, list)}
    data.update(username=secretary.user.username, email="zhang@example.org", first_name="书记", last_name="张",
                password1=FIRST_PASSWORD, password2=FIRST_PASSWORD, is_active="on",
                groups=[group.pk for group in secretary.user.groups.all()])
    response = client_for(superuser).post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    secretary.refresh_from_db()
    assert secretary.must_change_password is True


def test_it_does_not_force_the_demo_accounts(client):
    call_command("load_demo_data", stdout=io.StringIO())
    assert not Person.objects.filter(must_change_password=True).exists()
    log_in(client, "demo-secretary", "touyan-demo")
    assert client.get("/me/").status_code == 200

