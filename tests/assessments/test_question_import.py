"""Question bank import/export: XLSX (and GBK CSV) checked per row, nothing added unless every
row is sound, a dry run before adding; an export imports back without duplicates."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lms.assessments import question_io
from lms.assessments.models import Question, QuestionCategory, QuestionKind

pytestmark = pytest.mark.django_db

HEADER = ["题型", "分类", "难度", "分值", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "标签"]
GOOD = [
    ["单选", "党章党规", "易", 2, "党的最高理想是什么？", "实现共产主义", "小康社会", "", "", "A", "见党章总纲", "党章、理想"],
    ["多选题", "基层治理", "难", "", "基层治理要坚持哪些？", "党建引领", "群众参与", "闭门决策", "", "A、B", "", ""],
    ["判断", "党章党规", "", "", "支部每年召开组织生活会。", "", "", "", "", "对", "", ""],
    ["填空", "群众工作", "中", 1, "全心全意为____服务。", "", "", "", "", "人民|人民群众", "", ""],
    ["简答", "", "", 5, "谈谈如何做好群众工作。", "", "", "", "", "密切联系群众", "", ""],
]


def xlsx(rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def post_file(client, data, name="questions.xlsx"):
    return client.post(reverse("assessments_question_import"), {"action": "preview",
                                                                 "file": SimpleUploadedFile(name, data)})


def test_it_previews_then_adds_every_kind_of_question(client_for, trainer, category):
    client = client_for(trainer)
    preview = post_file(client, xlsx([HEADER, *GOOD]))
    html = preview.content.decode()
    assert preview.status_code == 200 and "将新增 5 道题目" in html and "基层治理" in html
    assert not Question.objects.exists()
    response = client.post(reverse("assessments_question_import"), {"action": "apply", "token": preview.context["token"]})
    assert response.status_code == 302
    assert Question.objects.count() == 5
    single = Question.objects.get(kind=QuestionKind.SINGLE)
    assert (single.points, single.difficulty, single.category, sorted(t.name for t in single.tags.all())) == (
        Decimal("2.00"), 1, category, ["党章", "理想"])
    assert [(o.text, o.is_correct) for o in single.options.order_by("sort_order")] == [
        ("实现共产主义", True), ("小康社会", False)]
    multiple = Question.objects.get(kind=QuestionKind.MULTIPLE)
    assert [o.is_correct for o in multiple.options.order_by("sort_order")] == [True, True, False]
    assert Question.objects.get(kind=QuestionKind.TRUE_FALSE).answer_true is True
    assert Question.objects.get(kind=QuestionKind.FILL_IN).accepted_answer_list() == ["人民", "人民群众"]
    assert "密切联系群众" in Question.objects.get(kind=QuestionKind.ESSAY).explanation
    assert set(QuestionCategory.objects.values_list("name", flat=True)) == {"党章党规", "基层治理", "群众工作"}
    # a replayed confirmation adds nothing more
    again = client.post(reverse("assessments_question_import"), {"action": "apply", "token": preview.context["token"]})
    assert again.status_code == 400 and Question.objects.count() == 5


def test_it_reports_every_bad_row_and_adds_nothing(client_for, trainer):
    rows = [HEADER,
            ["连线题", "", "", "", "题目一", "", "", "", "", "", "", ""],
            ["单选", "", "", "", "", "甲", "乙", "", "", "A", "", ""],
            ["单选", "", "", "", "题目三", "甲", "乙", "", "", "AB", "", ""],
            ["单选", "", "", "", "题目四", "甲", "乙", "", "", "E", "", ""],
            ["判断", "", "", "", "题目五", "", "", "", "", "可能", "", ""],
            ["填空", "", "", "", "题目六", "", "", "", "", "", "", ""],
            ["单选", "", "超难", "", "题目七", "甲", "乙", "", "", "A", "", ""],
            ["单选", "", "", "零", "题目八", "甲", "乙", "", "", "A", "", ""],
            GOOD[0]]
    response = post_file(client_for(trainer), xlsx(rows))
    html = response.content.decode()
    assert response.status_code == 400
    for message in ("第 2 行，题型", "第 3 行，题干", "第 4 行，答案：单选题必须有且只有一个正确选项", "第 5 行，答案",
                    "第 6 行，答案", "第 7 行，答案：请至少给出一个可接受的答案", "第 8 行，难度", "第 9 行，分值"):
        assert message in html, message
    assert "第 10 行" not in html
    assert not Question.objects.exists()


def test_it_reads_a_gbk_csv(trainer):
    data = "\n".join(",".join(str(c) for c in row) for row in [HEADER, GOOD[2]]).encode("gbk")
    check = question_io.check(question_io.read(data, "题库.csv"))
    assert check.ok and check.rows[0].values["answer_true"] is True


def test_it_exports_the_bank_and_an_export_imports_back_without_duplicates(client_for, trainer, make_question,
                                                                           category):
    make_question(QuestionKind.MULTIPLE, category=category, explanation="解析")
    make_question(QuestionKind.FILL_IN, "填空", accepted_answers="人民\n群众")
    client = client_for(trainer)
    exported = client.get(reverse("assessments_question_export"))
    assert exported.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(exported.content)).active.values)
    assert rows[0][:6] == ("编号", "题型", "分类", "难度", "分值", "题干")
    by_kind = {row[1]: row for row in rows[1:]}
    assert by_kind["多选"][14] == "ABC" and by_kind["填空"][14] == "人民|群众"
    preview = post_file(client, exported.content)
    assert preview.status_code == 200 and "2 行已在题库中" in preview.content.decode()
    client.post(reverse("assessments_question_import"), {"action": "apply", "token": preview.context["token"]})
    assert Question.objects.count() == 2


@pytest.mark.parametrize("who", ["secretary", "street_admin", "hr"])
def test_it_refuses_import_and_export_to_others(client_for, request, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("assessments_question_import")).status_code in (302, 403)
    assert post_file(client, xlsx([HEADER, GOOD[0]])).status_code in (302, 403)
    assert client.get(reverse("assessments_question_export")).status_code in (302, 403)
    assert not Question.objects.exists()
