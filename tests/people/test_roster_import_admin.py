"""The roster import screen in the Wagtail admin: HR and superusers only; upload → preview → apply."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lms.people import roles
from lms.people.models import Person

pytestmark = pytest.mark.django_db

URL = "people_roster_import"
HEADERS = ["姓名", "手机号", "工号", "所属组织", "职务", "干部类别", "级别", "任职日期", "状态"]


def xlsx_upload(rows, name="名单.xlsx"):
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADERS)
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


GOOD = [["陈明", "13911110001", "E001", "东湖社区", "书记", "社区党组织书记", "", "2024-03-01", "在职"]]


@pytest.fixture
def street_hr(org_tree, make_person):
    return make_person("周干事", org_tree["street_a"], groups=[roles.HR], username="street-a-hr")


def upload(client, rows, **extra):
    return client.post(reverse(URL), {"file": xlsx_upload(rows), **extra})


def test_it_shows_the_upload_form_to_hr(client_for, hr):
    response = client_for(hr).get(reverse(URL))
    assert response.status_code == 200
    assert "所属组织" in response.content.decode()


def test_it_shows_the_menu_item_to_hr_only(client_for, hr, street_admin):
    assert reverse(URL) in client_for(hr).get(reverse("wagtailadmin_home")).content.decode()
    assert reverse(URL) not in client_for(street_admin).get(reverse("wagtailadmin_home")).content.decode()


@pytest.mark.parametrize("persona", ["trainer", "street_admin", "training_office"])
def test_it_forbids_staff_without_the_hr_role(client_for, request, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse(URL)).status_code == 403
    assert client.get(reverse("people_roster_template")).status_code == 403
    assert client.post(reverse(URL), {"file": xlsx_upload(GOOD)}).status_code == 403
    assert client.post(reverse("people_roster_import_apply", args=["x"])).status_code == 403
    assert not Person.objects.filter(phone="13911110001").exists()


def test_it_keeps_learners_out_of_the_admin(client_for, secretary):
    response = client_for(secretary).get(reverse(URL))
    assert response.status_code == 302  # Wagtail sends users without admin access to the login page
    assert reverse("wagtailadmin_login") in response["Location"]
    response = client_for(secretary).post(reverse(URL), {"file": xlsx_upload(GOOD)})
    assert response.status_code == 302 and not Person.objects.filter(phone="13911110001").exists()


def test_it_keeps_anonymous_visitors_out(client_for, org_tree):
    response = client_for(None).get(reverse(URL))
    assert response.status_code == 302


def test_it_previews_then_applies(client_for, hr, org_tree):
    client = client_for(hr)
    response = upload(client, GOOD)
    assert response.status_code == 200
    content = response.content.decode()
    assert "陈明" in content and "13911110001" in content
    assert response.context["counts"]["create"] == 1
    assert not Person.objects.filter(phone="13911110001").exists()  # the preview writes nothing
    token = response.context["token"]
    response = client.post(reverse("people_roster_import_apply", args=[token]))
    assert response.status_code == 302
    assert Person.objects.get(phone="13911110001").name == "陈明"
    # The token is used up.
    response = client.post(reverse("people_roster_import_apply", args=[token]))
    assert response.status_code == 302 and response["Location"] == reverse(URL)


def test_it_reports_bad_rows_and_offers_no_apply(client_for, hr, org_tree):
    rows = GOOD + [["乙", "12345", "", "火星社区", "", "", "", "", ""]]
    response = upload(client_for(hr), rows)
    assert response.status_code == 200
    assert response.context["token"] is None
    assert [(e.row, e.column) for e in response.context["errors"]] == [(3, "手机号"), (3, "所属组织")]
    content = response.content.decode()
    assert "火星社区" in content and 'id="roster-errors"' in content
    assert not Person.objects.filter(phone="13911110001").exists()


def test_it_does_not_let_another_user_apply_an_upload(client_for, hr, superuser, org_tree):
    token = upload(client_for(hr), GOOD).context["token"]
    response = client_for(superuser).post(reverse("people_roster_import_apply", args=[token]))
    assert response.status_code == 302
    assert not Person.objects.filter(phone="13911110001").exists()


def test_it_scopes_street_hr(client_for, street_hr, org_tree):
    response = upload(client_for(street_hr), [["甲", "13911110001", "", "西山社区", "", "", "", "", ""]])
    assert [(e.row, e.column) for e in response.context["errors"]] == [(2, "所属组织")]


@pytest.mark.parametrize("data, name", [
    (b"", "a.xlsx"),
    (b"PK\x03\x04garbage", "a.xlsx"),
    (b"hello", "a.pdf"),
    ("姓名,手机号\n甲,13900000000\n".encode("gbk"), "a.csv"),
])
def test_it_answers_bad_files_with_a_message_not_a_500(client_for, hr, org_tree, data, name):
    response = client_for(hr).post(reverse(URL), {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]


def test_it_serves_the_template_to_hr(client_for, hr):
    response = client_for(hr).get(reverse("people_roster_template"))
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    header = next(workbook.active.iter_rows(values_only=True))
    assert list(header) == HEADERS


def test_it_lets_a_superuser_import(client_for, superuser, org_tree):
    client = client_for(superuser)
    token = upload(client, GOOD).context["token"]
    client.post(reverse("people_roster_import_apply", args=[token]))
    assert Person.objects.filter(phone="13911110001").exists()


# --- large files: applied by a django-q2 task ---------------------------------------------------


def test_it_applies_a_large_file_in_a_background_task(client_for, hr, org_tree, monkeypatch):
    from django_q.brokers import get_broker

    from lms.people import admin_views

    broker = get_broker()  # the ORM broker, or Redis when REDIS_URL is set
    queued_before = broker.queue_size()
    monkeypatch.setattr(admin_views, "ASYNC_ROWS", 0)
    client = client_for(hr)
    token = upload(client, GOOD).context["token"]
    response = client.post(reverse("people_roster_import_apply", args=[token]))
    status_url = reverse("people_roster_import_status", args=[token])
    assert response.status_code == 302 and response["Location"] == status_url
    assert broker.queue_size() == queued_before + 1  # queued, not yet applied
    assert not Person.objects.filter(phone="13911110001").exists()
    page = client.get(status_url)
    assert page.status_code == 200 and page.context["status"]["state"] == "queued"
    assert 'http-equiv="refresh"' in page.content.decode()
    client.post(reverse("people_roster_import_apply", args=[token]))  # a second click queues nothing
    assert broker.queue_size() == queued_before + 1

    assert admin_views.apply_pending_import(token) == "done"  # what the qcluster worker runs
    assert Person.objects.get(phone="13911110001").name == "陈明"
    page = client.get(status_url)
    assert page.context["status"]["state"] == "done" and page.context["status"]["counts"]["create"] == 1
    assert 'http-equiv="refresh"' not in page.content.decode()
    # Delivered again (at least once): nothing happens twice.
    assert admin_views.apply_pending_import(token) == "done"
    assert Person.objects.filter(phone="13911110001").count() == 1


def test_it_shows_a_failed_background_import(client_for, hr, org_tree, monkeypatch):
    from lms.people import admin_views

    monkeypatch.setattr(admin_views, "ASYNC_ROWS", 0)
    client = client_for(hr)
    token = upload(client, GOOD).context["token"]
    client.post(reverse("people_roster_import_apply", args=[token]))
    Person.objects.create(user=Person.create_account("13911110001"), name="抢先", phone="13911110001",
                          organization=org_tree["community_a"])
    assert admin_views.apply_pending_import(token) == "failed"
    page = client.get(reverse("people_roster_import_status", args=[token]))
    assert page.context["status"]["state"] == "failed" and page.context["status"]["message"]
    assert Person.objects.get(phone="13911110001").name == "抢先"


def test_it_hides_a_background_import_from_other_users(client_for, hr, superuser, street_admin, org_tree,
                                                      monkeypatch):
    from lms.people import admin_views

    monkeypatch.setattr(admin_views, "ASYNC_ROWS", 0)
    client = client_for(hr)
    token = upload(client, GOOD).context["token"]
    client.post(reverse("people_roster_import_apply", args=[token]))
    status_url = reverse("people_roster_import_status", args=[token])
    assert client_for(superuser).get(status_url).status_code == 302
    assert client_for(street_admin).get(status_url).status_code == 403
