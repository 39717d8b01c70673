"""Offline assessments (written exams, 结业考核): scores imported from XLSX/CSV (UTF-8 or GBK)
with every row checked first, a dry run, an all-or-nothing apply; and manual entry. Results
reach learning as in-person passes of the activity "exam:<id>"."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lms.assessments import offline
from lms.assessments.models import OfflineAssessment, OfflineScore, ScoreChange, ScoreChangeReason
from lms.learning.models import ActivityKind, ActivityResult, CourseActivity, Delivery, Enrollment

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam(course):
    return OfflineAssessment.objects.create(course=course, title="社区书记班结业考核", held_on=datetime.date(2026, 3, 20),
                                            max_score=Decimal("100"), pass_score=Decimal("60"))


@pytest.fixture
def learners(secretary, make_person, org_tree, course):
    second = make_person("王书记", org_tree["community_a"], staff_number="G-002")
    for person in (secretary, second):
        Enrollment.enrol(person, course, "bulk")
    return secretary, second


def xlsx(rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, encoding="utf-8"):
    return "\n".join(",".join(str(c) for c in row) for row in rows).encode(encoding)


def upload(client, exam, data, name):
    return client.post(reverse("assessments_offline_scores", args=[exam.pk]),
                       {"action": "preview", "file": SimpleUploadedFile(name, data)})


def test_it_makes_an_offline_assessment_a_required_in_person_activity(exam, course):
    activity = CourseActivity.objects.get(key=f"exam:{exam.pk}")
    assert (activity.course_id, activity.kind, activity.title, activity.required) == (
        course.pk, ActivityKind.ASSESSMENT, "社区书记班结业考核", True)


def test_it_previews_then_applies_an_import_and_reports_passes(client_for, training_office, exam, learners):
    secretary, second = learners
    client = client_for(training_office)
    data = xlsx([["姓名", "手机号", "工号", "成绩", "备注"], [secretary.name, secretary.phone, "", 86, ""],
                 [second.name, "", "G-002", "55.5", "补考"]])
    preview = upload(client, exam, data, "成绩.xlsx")
    html = preview.content.decode()
    assert preview.status_code == 200 and "新增 2 条成绩" in html
    assert not OfflineScore.objects.exists()  # a dry run writes nothing
    token = preview.context["token"]
    response = client.post(reverse("assessments_offline_scores", args=[exam.pk]), {"action": "apply", "token": token})
    assert response.status_code == 302
    scores = {s.person_id: s for s in OfflineScore.objects.all()}
    assert (scores[secretary.pk].score, scores[secretary.pk].passed) == (Decimal("86.00"), True)
    assert (scores[second.pk].score, scores[second.pk].passed, scores[second.pk].note) == (Decimal("55.50"), False, "补考")
    result = ActivityResult.objects.get(person=secretary, activity__key=f"exam:{exam.pk}")
    assert result.done and result.delivery == Delivery.IN_PERSON
    assert not ActivityResult.objects.get(person=second, activity__key=f"exam:{exam.pk}").done
    assert ScoreChange.objects.filter(reason=ScoreChangeReason.IMPORT, changed_by=training_office.user).count() == 2


def test_it_reads_a_gbk_csv(exam, learners, training_office):
    secretary, _ = learners
    entries = offline.read(csv_bytes([["姓名", "手机号", "成绩"], [secretary.name, secretary.phone, "90"]], "gbk"),
                           "scores.csv")
    check = offline.check(exam, entries, training_office.user)
    assert check.ok and check.lines[0].score == Decimal("90.00")


def test_it_reports_every_bad_row_and_applies_nothing(client_for, training_office, exam, learners, other_secretary,
                                                     make_person, org_tree):
    secretary, second = learners
    stranger = make_person("未报名", org_tree["community_a"])
    rows = [["姓名", "手机号", "工号", "成绩"],
            [secretary.name, secretary.phone, "", "120"],          # above full marks
            ["张三", second.phone, "", "80"],                       # name does not match
            ["", "13999999999", "", "70"],                           # unknown number
            ["", stranger.phone, "", "70"],                          # not enrolled
            ["", second.phone, "", "优秀"],                          # not a number
            ["", "", "", "70"],                                       # no identifier
            ["", second.phone, "", "75"],                            # fine ...
            ["", second.phone, "", "76"]]                            # ... but twice
    response = upload(client_for(training_office), exam, xlsx(rows), "scores.xlsx")
    html = response.content.decode()
    assert response.status_code == 400
    for message in ("第 2 行", "成绩必须在 0 到 100 之间", "与该手机号的人员", "没有手机号为 13999999999",
                    "未报名该考核所属课程", "“优秀”不是数字", "请填写手机号或工号", "第 9 行，-：王书记已在第 8 行出现"):
        assert message in html, message
    assert "确认导入" not in html
    assert not OfflineScore.objects.exists() and not ScoreChange.objects.exists()


def test_it_treats_a_person_outside_the_scope_as_unknown(client_for, street_admin, exam, other_secretary, course):
    from lms.people import roles

    Enrollment.enrol(other_secretary, course, "bulk")
    street_admin.user.groups.add(*__import__("django.contrib.auth.models", fromlist=["Group"]).Group.objects.filter(
        name=roles.TRAINING_OFFICE))
    check = offline.check(exam, [(2, {"phone": other_secretary.phone, "score": "90"})], street_admin.user)
    assert not check.ok and "管理范围内没有手机号" in str(check.errors[0])


@pytest.mark.parametrize("name, data, message", [
    ("scores.pdf", b"%PDF", "请上传 .xlsx 或 .csv 文件"),
    ("scores.xlsx", b"not a zip", "不是有效的 XLSX"),
    ("scores.csv", b"", "文件为空"),
    ("scores.csv", "姓名,成绩\n张书记,90\n".encode(), "文件须有“手机号”或“工号”列"),
])
def test_it_refuses_unreadable_files_with_a_chinese_message(client_for, training_office, exam, learners, name, data,
                                                            message):
    response = upload(client_for(training_office), exam, data, name)
    assert response.status_code == 400 and message in response.content.decode()
    assert not OfflineScore.objects.exists()


def test_it_refuses_a_tampered_or_foreign_confirmation(client_for, training_office, exam, learners):
    client = client_for(training_office)
    response = client.post(reverse("assessments_offline_scores", args=[exam.pk]), {"action": "apply", "token": "x:y"})
    assert response.status_code == 400 and "请重新上传文件" in response.content.decode()
    assert not OfflineScore.objects.exists()


def test_it_saves_manual_entries_and_leaves_blanks_alone(client_for, training_office, exam, learners):
    secretary, second = learners
    client = client_for(training_office)
    url = reverse("assessments_offline_scores", args=[exam.pk])
    assert client.post(url, {"action": "manual", f"score-{secretary.pk}": "72", f"score-{second.pk}": ""}).status_code == 302
    assert list(OfflineScore.objects.values_list("person_id", "score")) == [(secretary.pk, Decimal("72.00"))]
    client.post(url, {"action": "manual", f"score-{secretary.pk}": "58"})
    score = OfflineScore.objects.get()
    assert score.score == Decimal("58.00") and not score.passed
    assert not ActivityResult.objects.get(person=secretary, activity__key=f"exam:{exam.pk}").done
    changes = list(ScoreChange.objects.order_by("pk").values_list("old_score", "new_score", "reason"))
    assert changes == [(None, Decimal("72.00"), "manual"), (Decimal("72.00"), Decimal("58.00"), "manual")]
    bad = client.post(url, {"action": "manual", f"score-{secretary.pk}": "abc"})
    assert bad.status_code == 400 and OfflineScore.objects.get().score == Decimal("58.00")


@pytest.mark.parametrize("who", ["secretary", "trainer", "hr"])
def test_it_refuses_the_score_screen_to_others(client_for, request, exam, learners, who):
    client = client_for(request.getfixturevalue(who))
    url = reverse("assessments_offline_scores", args=[exam.pk])
    assert client.get(url).status_code in (302, 403)
    assert client.post(url, {"action": "manual", f"score-{learners[0].pk}": "90"}).status_code in (302, 403)
    assert not OfflineScore.objects.exists()


def test_it_lets_a_street_admin_read_but_not_write_scores_of_their_street(client_for, street_admin, exam, learners,
                                                                           other_secretary, course):
    Enrollment.enrol(other_secretary, course, "bulk")
    client = client_for(street_admin)
    url = reverse("assessments_offline_scores", args=[exam.pk])
    html = client.get(url).content.decode()
    assert learners[0].name in html and other_secretary.name not in html
    assert client.post(url, {"action": "manual", f"score-{learners[0].pk}": "90"}).status_code == 403


def test_it_offers_a_score_sheet_of_the_enrolled_learners(client_for, training_office, exam, learners):
    response = client_for(training_office).get(reverse("assessments_offline_template", args=[exam.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:4] == ("姓名", "手机号", "工号", "成绩")
    assert {row[1] for row in rows[1:]} == {p.phone for p in learners}
