"""The enrolment screen (报名管理) in the Wagtail admin: training office and street admins only,
scoped to their persons; audience button, filter, upload (checked, previewed, applied atomically)
and withdrawal that keeps history."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.models import EnrolmentMode
from lms.learning import admin_views, tasks
from lms.learning.models import Enrollment, EnrollmentSource
from lms.people.models import CadreCategory, OrgType

pytestmark = pytest.mark.django_db


@pytest.fixture
def plain_course(make_course):
    """A course without audience filters (everyone), enrolled by the training office."""
    return make_course("2026年专题培训", slug="topical", enrolment_mode=EnrolmentMode.ASSIGNED)


def url(name, course, *args):
    return reverse(f"learning_enrolment_{name}", args=[course.pk, *args])


def current(course):
    return set(Enrollment.objects.current().filter(course=course).values_list("person__name", flat=True))


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def csv_upload(text, encoding="utf-8", name="名单.csv"):
    return SimpleUploadedFile(name, text.encode(encoding))


def xlsx_upload(rows, name="名单.xlsx"):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


# --- access ---------------------------------------------------------------------------------------


def all_urls(course):
    return [
        ("get", reverse("learning_enrolment_index")),
        ("get", reverse("learning_enrolment_template")),
        ("get", url("course", course)),
        ("post", url("audience", course)),
        ("post", url("filter", course)),
        ("post", url("upload", course)),
        ("post", url("upload_apply", course, "token")),
        ("post", url("withdraw", course)),
    ]


@pytest.mark.parametrize("who", ["trainer", "hr"])
def test_it_forbids_staff_without_the_enrolment_permission(request, client_for, plain_course, secretary, who):
    client = client_for(request.getfixturevalue(who))
    for method, address in all_urls(plain_course):
        assert getattr(client, method)(address).status_code == 403, address
    assert not Enrollment.objects.exists()


def test_it_keeps_learners_and_visitors_out_of_the_admin(client_for, plain_course, secretary):
    for who in (secretary, None):
        client = client_for(who)
        for method, address in all_urls(plain_course):
            response = getattr(client, method)(address)
            assert response.status_code == 302, address  # Wagtail sends them to the login page
            assert reverse("wagtailadmin_login") in response["Location"]
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize("who", ["training_office", "street_admin", "superuser"])
def test_it_lets_the_office_street_admins_and_superusers_in(request, client_for, plain_course, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("learning_enrolment_index")).status_code == 200
    response = client.get(url("course", plain_course))
    assert response.status_code == 200
    assert "报名" in response.content.decode()


def test_an_unknown_course_or_another_page_is_404(client_for, training_office, program):
    client = client_for(training_office)
    assert client.get(reverse("learning_enrolment_course", args=[999999])).status_code == 404
    assert client.get(reverse("learning_enrolment_course", args=[program.pk])).status_code == 404
    assert client.post(reverse("learning_enrolment_audience", args=[program.pk])).status_code == 404


def test_the_menu_and_course_button_show_only_to_those_who_may_enrol(client_for, training_office, trainer,
                                                                     plain_course):
    menu_url = reverse("learning_enrolment_index")
    course_url = url("course", plain_course)
    office_home = client_for(training_office).get(reverse("wagtailadmin_home")).content.decode()
    assert menu_url in office_home
    assert menu_url not in client_for(trainer).get(reverse("wagtailadmin_home")).content.decode()
    edit = client_for(training_office).get(reverse("wagtailadmin_pages:edit", args=[plain_course.pk]))
    assert course_url in edit.content.decode()
    explore = client_for(training_office).get(reverse("wagtailadmin_explore", args=[plain_course.get_parent().pk]))
    assert course_url in explore.content.decode()
    trainer_edit = client_for(trainer).get(reverse("wagtailadmin_pages:edit", args=[plain_course.pk]))
    assert trainer_edit.status_code == 200 and course_url not in trainer_edit.content.decode()


def test_the_index_lists_courses_with_counts_in_scope(client_for, street_admin, plain_course, secretary,
                                                     other_secretary):
    for person in (secretary, other_secretary):
        Enrollment.enrol(person, plain_course, EnrollmentSource.BULK)
    response = client_for(street_admin).get(reverse("learning_enrolment_index"), {"q": "专题"})
    assert response.context["rows"] == [(plain_course, 1)]


# --- the listing ----------------------------------------------------------------------------------


def test_it_lists_only_enrolments_in_the_viewers_scope(client_for, street_admin, plain_course, secretary,
                                                      other_secretary):
    for person in (secretary, other_secretary):
        Enrollment.enrol(person, plain_course, EnrollmentSource.BULK)
    response = client_for(street_admin).get(url("course", plain_course))
    assert [e.person for e in response.context["enrolments"]] == [secretary]
    assert response.context["counts"]["current"] == 1
    assert "李书记" not in response.content.decode()


def test_it_shows_withdrawn_enrolments_as_history(client_for, training_office, plain_course, secretary):
    enrollment, _ = Enrollment.enrol(secretary, plain_course, EnrollmentSource.BULK, by=training_office.user)
    enrollment.withdraw()
    client = client_for(training_office)
    assert list(client.get(url("course", plain_course)).context["enrolments"]) == []
    response = client.get(url("course", plain_course), {"status": "withdrawn"})
    assert list(response.context["enrolments"]) == [enrollment]
    page = response.content.decode()
    assert "培训科批量报名" in page and "赵科长" in page  # source and who enrolled
    assert client.get(url("course", plain_course), {"status": "all", "q": "张"}).context["enrolments"][0] == enrollment


def test_it_paginates(client_for, training_office, plain_course, org_tree, make_person, monkeypatch):
    monkeypatch.setattr(admin_views, "PER_PAGE", 2)
    for i in range(5):
        Enrollment.enrol(make_person(f"学员{i}", org_tree["community_a"]), plain_course, EnrollmentSource.BULK)
    response = client_for(training_office).get(url("course", plain_course), {"p": 3})
    assert response.status_code == 200 and len(response.context["enrolments"]) == 1


# --- audience button and filter -------------------------------------------------------------------


def test_the_audience_button_enrols_the_audience(client_for, training_office, course, secretary, other_secretary):
    # `course` is for community secretaries of street A.
    response = client_for(training_office).post(url("audience", course), follow=True)
    assert current(course) == {"张书记"}
    assert any("1" in m and "已报名" in m for m in messages_of(response))
    assert Enrollment.objects.get(course=course).enrolled_by == training_office.user


def test_a_street_admin_enrols_only_their_street_and_sees_the_rest_refused(client_for, street_admin, make_course,
                                                                           secretary, other_secretary):
    course = make_course("全区书记", audience_categories=[CadreCategory.COMMUNITY_SECRETARY])
    response = client_for(street_admin).post(url("audience", course), follow=True)
    assert current(course) == {"张书记"}
    assert any("不在您的管理范围" in m for m in messages_of(response))


def test_the_filter_enrols_an_organization_subtree(client_for, training_office, plain_course, org_tree, secretary,
                                                   other_secretary, street_admin):
    response = client_for(training_office).post(url("filter", plain_course), {
        "organization": org_tree["street_a"].pk, "categories": [CadreCategory.COMMUNITY_SECRETARY]})
    assert response.status_code == 302
    assert current(plain_course) == {"张书记"}
    assert Enrollment.objects.get(course=plain_course).source == EnrollmentSource.BULK


def test_the_filter_by_type_and_newly_appointed(client_for, training_office, plain_course, org_tree, make_person):
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    make_person("新任", org_tree["community_a"], appointed_on=today - datetime.timedelta(days=10))
    make_person("老任", org_tree["community_b"], appointed_on=today - datetime.timedelta(days=800))
    client_for(training_office).post(url("filter", plain_course), {
        "org_types": [OrgType.COMMUNITY], "newly_appointed": "on"})
    assert current(plain_course) == {"新任"}


def test_the_filter_needs_at_least_one_criterion(client_for, training_office, plain_course, secretary):
    response = client_for(training_office).post(url("filter", plain_course), {})
    assert response.status_code == 400
    assert response.context["filter_form"].non_field_errors()
    assert not Enrollment.objects.exists()


def test_a_street_admin_cannot_choose_another_streets_organization(client_for, street_admin, plain_course, org_tree,
                                                                   other_secretary):
    response = client_for(street_admin).post(url("filter", plain_course), {"organization": org_tree["street_b"].pk})
    assert response.status_code == 400 and "organization" in response.context["filter_form"].errors
    assert not Enrollment.objects.exists()
    choices = [o.pk for o in response.context["filter_form"].fields["organization"].queryset]
    assert org_tree["street_b"].pk not in choices and org_tree["community_a"].pk in choices


def test_a_large_selection_runs_as_a_task(client_for, training_office, course, secretary, monkeypatch):
    from django_q.brokers import get_broker

    monkeypatch.setattr(admin_views, "ASYNC_PERSONS", 0)
    broker = get_broker()
    before = broker.queue_size()
    client = client_for(training_office)
    response = client.post(url("audience", course))
    assert response.status_code == 302 and "job=" in response["Location"]
    assert broker.queue_size() == before + 1 and current(course) == set()
    token = response["Location"].split("job=")[1]
    page = client.get(response["Location"])
    assert page.context["job"]["state"] == "queued" and 'http-equiv="refresh"' in page.content.decode()

    selection = {"audience": True, "organization_id": None, "org_types": [], "categories": [],
                 "newly_appointed": False}
    assert tasks.enrol_staff_selection(token, course.pk, training_office.user.pk, selection) == "done"
    assert tasks.enrol_staff_selection(token, course.pk, training_office.user.pk, selection) == "done"
    assert current(course) == {"张书记"}
    page = client.get(response["Location"])
    assert page.context["job"]["state"] == "done" and "已报名" in page.context["job"]["message"]
    assert 'http-equiv="refresh"' not in page.content.decode()


def test_a_job_is_shown_only_to_whoever_started_it(client_for, training_office, street_admin, course):
    tasks.set_job_status("tok", training_office.user.pk, course.pk, "queued", persons=3)
    assert client_for(street_admin).get(url("course", course), {"job": "tok"}).context["job"] is None
    assert client_for(training_office).get(url("course", course), {"job": "tok"}).context["job"]["state"] == "queued"


# --- upload ---------------------------------------------------------------------------------------


def test_an_upload_is_previewed_then_applied(client_for, training_office, plain_course, secretary, other_secretary):
    client = client_for(training_office)
    text = f"手机号,姓名\n{secretary.phone},张书记\n{other_secretary.phone},\n"
    preview = client.post(url("upload", plain_course), {"file": csv_upload(text)})
    assert preview.status_code == 200
    assert preview.context["errors"] == [] and preview.context["counts"] == {"enrol": 2, "reenrol": 0, "already": 0}
    assert not Enrollment.objects.exists()  # a dry run
    token = preview.context["token"]
    response = client.post(url("upload_apply", plain_course, token), follow=True)
    assert current(plain_course) == {"张书记", "李书记"}
    assert set(Enrollment.objects.values_list("source", flat=True)) == {EnrollmentSource.IMPORT}
    assert any("2" in m for m in messages_of(response))
    client.post(url("upload_apply", plain_course, token))  # the token is used up
    assert Enrollment.objects.count() == 2


def test_an_upload_matches_staff_numbers_and_reports_already_enrolled(client_for, training_office, plain_course,
                                                                      secretary):
    secretary.staff_number = "E-100"
    secretary.save()
    Enrollment.enrol(secretary, plain_course, EnrollmentSource.BULK)
    preview = client_for(training_office).post(url("upload", plain_course),
                                               {"file": xlsx_upload([["工号"], ["E-100"]])})
    assert preview.context["counts"] == {"enrol": 0, "reenrol": 0, "already": 1}
    assert preview.context["token"] is None


def test_every_bad_row_is_reported_and_nothing_applied(client_for, street_admin, plain_course, org_tree, make_person,
                                                       secretary, other_secretary):
    gone = make_person("离职", org_tree["community_a"], is_active=False)
    text = "\n".join([
        "手机号,工号,姓名",
        f"{secretary.phone},,张书记",         # 2: fine
        "13999999999,,",                      # 3: unknown person
        f"{other_secretary.phone},,",         # 4: another street
        f"{secretary.phone},,",               # 5: same person again
        ",,某人",                              # 6: no number
        "12345,,",                            # 7: not a mobile number
        f"{gone.phone},,",                    # 8: inactive
        f"{secretary.phone},,王五",  # 9: same person, wrong name
        ",NOPE,",                             # 10: unknown staff number
    ]) + "\n"
    response = client_for(street_admin).post(url("upload", plain_course), {"file": csv_upload(text)})
    assert response.status_code == 200
    errors = {e.row: (e.column, e.message) for e in response.context["errors"]}
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert errors[3] == ("手机号", "没有手机号为 13999999999 的人员。")
    assert "管理范围" in errors[4][1]
    assert "第 2 行" in errors[5][1]
    assert errors[6][0] == "手机号" and "均未填写" in errors[6][1]
    assert "11 位" in errors[7][1]
    assert "已停用" in errors[8][1]
    assert errors[9][0] == "姓名" and "张书记" in errors[9][1]
    assert errors[10][0] == "工号"
    assert response.context["token"] is None
    assert "upload-errors" in response.content.decode()
    assert not Enrollment.objects.exists()


def test_a_gbk_csv_from_excel_is_accepted(client_for, training_office, plain_course, secretary):
    text = f"手机号,姓名\r\n{secretary.phone},张书记\r\n"
    for encoding, prefix in (("gbk", b""), ("utf-8", b"\xef\xbb\xbf")):
        upload = SimpleUploadedFile("名单.csv", prefix + text.encode(encoding))
        preview = client_for(training_office).post(url("upload", plain_course), {"file": upload})
        assert preview.context["errors"] == [], encoding
        assert preview.context["counts"]["enrol"] == 1


@pytest.mark.parametrize("data, name, message", [
    (b"", "a.csv", "文件"),
    ("姓名\n张三\n".encode(), "a.csv", "手机号"),
    (b"not a spreadsheet", "a.xlsx", "XLSX"),
    (b"x", "a.pdf", ".xlsx"),
])
def test_an_unreadable_file_is_answered_with_a_message(client_for, training_office, plain_course, data, name,
                                                       message):
    response = client_for(training_office).post(url("upload", plain_course), {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 400
    assert message in " ".join(response.context["upload_form"].errors["file"])


def test_the_apply_is_atomic_when_the_data_changed_since_the_preview(client_for, training_office, plain_course,
                                                                     secretary, other_secretary):
    client = client_for(training_office)
    text = f"手机号\n{secretary.phone}\n{other_secretary.phone}\n"
    token = client.post(url("upload", plain_course), {"file": csv_upload(text)}).context["token"]
    other_secretary.is_active = False
    other_secretary.save()
    response = client.post(url("upload_apply", plain_course, token), follow=True)
    assert not Enrollment.objects.exists()
    assert any("没有报名任何人" in m for m in messages_of(response))


def test_an_upload_token_is_bound_to_its_uploader_and_course(client_for, training_office, superuser, plain_course,
                                                             make_course, secretary):
    client = client_for(training_office)
    token = client.post(url("upload", plain_course),
                        {"file": csv_upload(f"手机号\n{secretary.phone}\n")}).context["token"]
    client_for(superuser).post(url("upload_apply", plain_course, token))
    client.post(url("upload_apply", make_course("另一门课"), token))
    assert not Enrollment.objects.exists()
    client.post(url("upload_apply", plain_course, token))
    assert current(plain_course) == {"张书记"}


def test_the_template_has_the_upload_headers(client_for, street_admin):
    response = client_for(street_admin).get(reverse("learning_enrolment_template"))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert list(next(workbook.active.iter_rows(values_only=True))) == ["手机号", "工号", "姓名"]


# --- withdraw and re-enrol ------------------------------------------------------------------------


def test_withdrawing_keeps_history_and_re_enrolling_makes_a_new_row(client_for, training_office, plain_course,
                                                                    secretary):
    client = client_for(training_office)
    first, _ = Enrollment.enrol(secretary, plain_course, EnrollmentSource.BULK)
    response = client.post(url("withdraw", plain_course), {"enrollment": [first.pk]}, follow=True)
    assert any("1" in m for m in messages_of(response))
    assert current(plain_course) == set()
    token = client.post(url("upload", plain_course),
                        {"file": csv_upload(f"手机号\n{secretary.phone}\n")}).context["token"]
    client.post(url("upload_apply", plain_course, token))
    rows = list(Enrollment.objects.filter(person=secretary, course=plain_course).order_by("pk"))
    assert len(rows) == 2 and rows[0].pk == first.pk and rows[0].withdrawn_at and rows[1].withdrawn_at is None
    history = client.get(url("course", plain_course), {"status": "all"}).context["enrolments"]
    assert {e.pk for e in history} == {rows[0].pk, rows[1].pk}


def test_a_street_admin_cannot_withdraw_another_streets_enrolment(client_for, street_admin, plain_course,
                                                                  other_secretary):
    enrollment, _ = Enrollment.enrol(other_secretary, plain_course, EnrollmentSource.BULK)
    client_for(street_admin).post(url("withdraw", plain_course), {"enrollment": [enrollment.pk, "x"]})
    enrollment.refresh_from_db()
    assert enrollment.withdrawn_at is None


def test_withdrawing_nothing_says_so(client_for, training_office, plain_course):
    response = client_for(training_office).post(url("withdraw", plain_course), follow=True)
    assert response.status_code == 200 and messages_of(response)
