"""The question bank as a spreadsheet, the way trainers keep it: export to XLSX and import from
XLSX/CSV. An import checks every row first (row, column, reason) and adds nothing unless every
row is sound; then it adds all its questions in one transaction.

Columns: 编号, 题型, 分类, 难度, 分值, 题干, 选项A…选项H, 答案, 解析, 标签, 启用.
- 答案: letters for choice questions (A, ACD, "A,C"), 对/错 for true or false, accepted answers
  separated by | for fill in the blank; for an essay it is the reference answer (kept in 解析).
- A row whose 编号 is a question already in the bank is left alone, so an exported file can be
  edited and imported again to add its new rows (changing a question is done in the admin, where
  its sheets are regraded).
- A category named in the file that does not exist yet is created."""

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from lms.people import roster
from lms.people.roster import RosterFileError, RowError  # noqa: F401 (re-exported for the views)

from .models import Difficulty, Question, QuestionCategory, QuestionKind, QuestionOption

LETTERS = "ABCDEFGH"
COLUMNS = {
    "id": ("编号", ["题号", "ID", "id"]),
    "kind": ("题型", ["类型", "题目类型"]),
    "category": ("分类", ["题目分类", "类别", "知识点"]),
    "difficulty": ("难度", []),
    "points": ("分值", ["分数"]),
    "text": ("题干", ["题目", "试题", "题目内容"]),
    **{f"option_{letter}": (f"选项{letter}", [letter, f"选项 {letter}"]) for letter in LETTERS},
    "answer": ("答案", ["正确答案", "参考答案"]),
    "explanation": ("解析", ["答案解析", "说明"]),
    "tags": ("标签", []),
    "is_active": ("启用", ["状态", "是否启用"]),
}
HEADERS = [COLUMNS[key][0] for key in COLUMNS]

KIND_WORDS = {
    QuestionKind.SINGLE: {"单选", "单选题", "single"},
    QuestionKind.MULTIPLE: {"多选", "多选题", "multiple"},
    QuestionKind.TRUE_FALSE: {"判断", "判断题", "true_false", "是非题"},
    QuestionKind.FILL_IN: {"填空", "填空题", "fill_in"},
    QuestionKind.ESSAY: {"简答", "简答题", "问答", "问答题", "论述题", "essay"},
}
DIFFICULTY_WORDS = {Difficulty.EASY: {"易", "简单", "容易", "1"}, Difficulty.MEDIUM: {"中", "一般", "中等", "2"},
                    Difficulty.HARD: {"难", "困难", "较难", "3"}}
TRUE_WORDS, FALSE_WORDS = {"对", "正确", "是", "√", "t", "true", "y"}, {"错", "错误", "否", "×", "x", "f", "false", "n"}
ACTIVE_WORDS, INACTIVE_WORDS = {"", "是", "启用", "y", "yes", "1"}, {"否", "停用", "n", "no", "0"}


@dataclass
class QuestionRow:
    row: int
    values: dict
    options: list  # [(text, is_correct)]
    category: str
    tags: list = field(default_factory=list)


@dataclass
class QuestionCheck:
    rows: list
    errors: list
    skipped: list  # row numbers already in the bank
    new_categories: list

    @property
    def ok(self):
        return not self.errors


def read(data, filename):
    parsed = roster.read_table(data, filename, COLUMNS, required=("kind", "text"))
    return [(number, {key: roster.cell_text(value) for key, value in values.items()}) for number, values in parsed.rows]


def _lookup(words, text):
    text = text.strip().lower()
    return next((value for value, names in words.items() if text in names), None)


def check(entries):
    """Check every entry (row number, {field: text}); nothing is written."""
    errors, rows, skipped = [], [], []
    existing_ids = set(Question.objects.filter(
        pk__in=[int(e["id"]) for _n, e in entries if e.get("id", "").isdigit()]).values_list("pk", flat=True))
    categories = {c.name for c in QuestionCategory.objects.all()}
    new_categories = []
    for number, entry in entries:
        def error(key, message):
            errors.append(RowError(number, COLUMNS[key][0] if key else "", message))

        if entry.get("id", "").isdigit() and int(entry["id"]) in existing_ids:
            skipped.append(number)
            continue
        kind = _lookup(KIND_WORDS, entry.get("kind", ""))
        if kind is None:
            error("kind", _("Unknown question type “%(value)s”: use 单选, 多选, 判断, 填空 or 简答.")
                  % {"value": entry.get("kind", "")})
            continue
        text = entry.get("text", "").strip()
        if not text:
            error("text", _("The question text is missing."))
            continue
        difficulty = _lookup(DIFFICULTY_WORDS, entry.get("difficulty", "") or "中")
        if difficulty is None:
            error("difficulty", _("Unknown difficulty “%(value)s”: use 易, 中 or 难.") % {"value": entry["difficulty"]})
            continue
        try:
            points = Decimal(entry.get("points") or "1")
            if not points.is_finite() or points < Decimal("0.5") or points > 100:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            error("points", _("The points must be a number from 0.5 to 100."))
            continue
        active = entry.get("is_active", "").strip().lower()
        if active not in ACTIVE_WORDS | INACTIVE_WORDS:
            error("is_active", _("Write 是 or 否."))
            continue
        answer = entry.get("answer", "").strip()
        option_texts = [(letter, entry.get(f"option_{letter}", "").strip()) for letter in LETTERS]
        while option_texts and not option_texts[-1][1]:
            option_texts.pop()
        values = {"kind": kind, "text": text, "difficulty": difficulty, "points": points,
                  "explanation": entry.get("explanation", "").strip(), "is_active": active not in INACTIVE_WORDS,
                  "answer_true": None, "accepted_answers": ""}
        options = []
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            letters = set(re.sub(r"[\s,，、;；]", "", answer).upper())
            known = {letter for letter, _t in option_texts}
            if not letters or not letters <= known:
                error("answer", _("The answer must be the letters of the correct options (for example A or ACD)."))
                continue
            options = [(option_text, letter in letters) for letter, option_text in option_texts]
        elif kind == QuestionKind.TRUE_FALSE:
            word = answer.lower()
            if word not in TRUE_WORDS | FALSE_WORDS:
                error("answer", _("The answer of a true-or-false question must be 对 or 错."))
                continue
            values["answer_true"] = word in TRUE_WORDS
        elif kind == QuestionKind.FILL_IN:
            values["accepted_answers"] = "\n".join(a.strip() for a in re.split(r"[|｜\n]", answer) if a.strip())
        elif answer:
            values["explanation"] = "\n".join(filter(None, [_("Reference answer: %(answer)s") % {"answer": answer},
                                                            values["explanation"]]))
        if kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and any(t for _l, t in option_texts):
            error("option_A", _("Only choice questions have options."))
            continue
        key_errors = Question.key_errors(kind, options, answer_true=values["answer_true"],
                                         accepted_answers=values["accepted_answers"])
        if key_errors:
            error("answer", " ".join(key_errors))
            continue
        category = entry.get("category", "").strip()[:60]
        if category and category not in categories and category not in new_categories:
            new_categories.append(category)
        tags = [t.strip() for t in re.split(r"[,，、;；]", entry.get("tags", "")) if t.strip()]
        rows.append(QuestionRow(number, values, options, category, tags))
    return QuestionCheck(rows, errors, skipped, new_categories)


@transaction.atomic
def apply(question_check):
    """Add the checked questions (nothing when any row has an error). Returns how many."""
    if not question_check.ok:
        return 0
    categories = {}
    for row in question_check.rows:
        category = None
        if row.category:
            category = categories.get(row.category) or QuestionCategory.objects.get_or_create(name=row.category)[0]
            categories[row.category] = category
        question = Question.objects.create(category=category, **row.values)
        QuestionOption.objects.bulk_create([
            QuestionOption(question=question, text=text, is_correct=correct, sort_order=order)
            for order, (text, correct) in enumerate(row.options)])
        if row.tags:
            question.tags.add(*row.tags)
            question.save()
    return len(question_check.rows)


def export_workbook(questions):
    """The questions as an XLSX in the import's columns."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("Questions")
    sheet.append(HEADERS)
    kind_names = {QuestionKind.SINGLE: "单选", QuestionKind.MULTIPLE: "多选", QuestionKind.TRUE_FALSE: "判断",
                  QuestionKind.FILL_IN: "填空", QuestionKind.ESSAY: "简答"}
    difficulty_names = {Difficulty.EASY: "易", Difficulty.MEDIUM: "中", Difficulty.HARD: "难"}
    for question in questions.select_related("category").prefetch_related("options", "tags"):
        options = list(question.options.all())[:len(LETTERS)]
        if question.is_choice:
            answer = "".join(LETTERS[i] for i, option in enumerate(options) if option.is_correct)
        elif question.kind == QuestionKind.TRUE_FALSE:
            answer = "对" if question.answer_true else "错"
        elif question.kind == QuestionKind.FILL_IN:
            answer = "|".join(question.accepted_answer_list())
        else:
            answer = ""
        sheet.append([question.pk, kind_names[question.kind], question.category.name if question.category else "",
                      difficulty_names.get(question.difficulty, "中"), float(question.points), question.text,
                      *[(options[i].text if i < len(options) else "") for i in range(len(LETTERS))],
                      answer, question.explanation, "、".join(t.name for t in question.tags.all()),
                      "是" if question.is_active else "否"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
