"""Scores of offline assessments (written exams, the secretary class's 结业考核): imported from the
training office's spreadsheet or typed in by hand. Both go through the same two steps:

    check(assessment, entries, viewer)  -> ScoreCheck: every row checked, nothing written
    apply(assessment, check, by, reason) -> writes every line in one transaction (all or nothing)

An import with any bad row applies nothing and reports every bad row (row, column, reason).
Persons are found by mobile number or staff number, only among the persons the viewer may see
(someone outside their scope reads as unknown), and must be enrolled in the assessment's course.
Every change is logged (ScoreChange) and reported to learning (pass = done, in person)."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lms.learning.models import Enrollment
from lms.people import roster
from lms.people.models import Person
from lms.people.roster import RosterFileError, RowError  # noqa: F401 (re-exported for the views)
from lms.people.scoping import visible_persons

from . import learning_feed
from .models import OfflineScore, ScoreChange, ScoreChangeReason, attribute_history, quantize

COLUMNS = {
    "name": ("姓名", ["名字"]),
    "phone": ("手机号", ["手机号码", "手机", "联系电话", "电话"]),
    "staff_number": ("工号", ["人员编号", "编号"]),
    "score": ("成绩", ["分数", "得分", "考试成绩", "考核成绩"]),
    "note": ("备注", ["说明"]),
}
TEMPLATE_HEADERS = [COLUMNS[key][0] for key in ("name", "phone", "staff_number", "score", "note")]


@dataclass
class ScoreLine:
    row: int
    person: Person
    score: Decimal
    note: str
    current: OfflineScore | None

    @property
    def action(self):
        if self.current is None:
            return "create"
        if self.current.score != self.score or self.current.note != self.note:
            return "update"
        return "unchanged"


@dataclass
class ScoreCheck:
    lines: list
    errors: list

    @property
    def ok(self):
        return not self.errors

    def count(self, action):
        return sum(1 for line in self.lines if line.action == action)

    @property
    def counts(self):
        return {action: self.count(action) for action in ("create", "update", "unchanged")}


def plain_number(value):
    """100.00 -> "100", 72.50 -> "72.5"."""
    return format(Decimal(value).normalize(), "f")


def read(data, filename):
    """The file's rows as entries [(row number, {field: text})]. Raises RosterFileError."""
    parsed = roster.read_table(data, filename, COLUMNS, required=("score",))
    if "phone" not in parsed.headers and "staff_number" not in parsed.headers:
        raise RosterFileError(_("The file needs a column %(phone)s or %(staff)s (the first row holds the headers).")
                              % {"phone": COLUMNS["phone"][0], "staff": COLUMNS["staff_number"][0]})
    return [(number, {key: roster.cell_text(value) for key, value in values.items()}) for number, values in parsed.rows]


def _label(key):
    return COLUMNS[key][0]


def check(assessment, entries, viewer, *, skip_blank=False):
    """Check every entry: (row, {"phone"|"staff_number"|"person_id", "name", "score", "note"}).
    `skip_blank` (manual entry) passes over rows without a score instead of reporting them."""
    errors, lines, seen = [], [], {}
    visible = visible_persons(viewer)
    enrolled = set(Enrollment.objects.current().filter(course_id=assessment.course_id)
                   .values_list("person_id", flat=True))
    current = {s.person_id: s for s in OfflineScore.objects.filter(assessment=assessment)}
    phones = {roster.normalize_phone(e.get("phone")) for _n, e in entries if e.get("phone")}
    staff = {roster.cell_text(e.get("staff_number")) for _n, e in entries if e.get("staff_number")}
    ids = {int(e["person_id"]) for _n, e in entries if str(e.get("person_id", "")).isdigit()}
    by_phone = {p.phone: p for p in roster._chunked(visible, "phone", phones)}
    by_staff = {p.staff_number: p for p in roster._chunked(visible, "staff_number", staff)}
    by_id = {p.pk: p for p in roster._chunked(visible, "pk", ids)}

    for number, entry in entries:
        def error(key, message):
            errors.append(RowError(number, _label(key) if key else "", message))

        raw_score = roster.cell_text(entry.get("score"))
        if not raw_score and skip_blank:
            continue
        phone = roster.normalize_phone(entry.get("phone")) if entry.get("phone") else ""
        staff_number = roster.cell_text(entry.get("staff_number"))
        if entry.get("person_id") is not None:
            person = by_id.get(int(entry["person_id"])) if str(entry["person_id"]).isdigit() else None
            if person is None:
                error(None, _("This person is not in your scope."))
                continue
        elif phone:
            person = by_phone.get(phone)
            if person is None:
                error("phone", _("No one in your scope has the mobile number %(phone)s.") % {"phone": phone})
                continue
            if staff_number and person.staff_number != staff_number:
                error("staff_number", _("The mobile number and the staff number belong to two different persons."))
                continue
        elif staff_number:
            person = by_staff.get(staff_number)
            if person is None:
                error("staff_number", _("No one in your scope has the staff number %(staff)s.") % {"staff": staff_number})
                continue
        else:
            error("phone", _("Give the mobile number or the staff number."))
            continue
        name = roster.cell_text(entry.get("name"))
        if name and name != person.name:
            error("name", _("The name %(name)s does not match %(person)s of this mobile number.")
                  % {"name": name, "person": person.name})
            continue
        if person.pk not in enrolled:
            error(None, _("%(person)s is not enrolled in the course of this assessment.") % {"person": person.name})
            continue
        if person.pk in seen:
            error(None, _("%(person)s is already on row %(row)s.") % {"person": person.name, "row": seen[person.pk]})
            continue
        if not raw_score:
            error("score", _("Give the score."))
            continue
        try:
            score = quantize(Decimal(raw_score))
        except (InvalidOperation, ValueError):
            error("score", _("“%(value)s” is not a number.") % {"value": raw_score})
            continue
        if not score.is_finite() or score < 0 or score > assessment.max_score:
            error("score", _("The score must be between 0 and %(max)s.") % {"max": plain_number(assessment.max_score)})
            continue
        seen[person.pk] = number
        note = roster.cell_text(entry.get("note"))[:200]
        lines.append(ScoreLine(number, person, score, note, current.get(person.pk)))
    return ScoreCheck(lines, errors)


def _locked_score(assessment, person, values, by, reason):
    """The person's score row, locked, or a new one made from `values` (created=True). Like
    get_or_create, a concurrent insert of the same row is read back instead of failing."""
    score = OfflineScore.objects.select_for_update().filter(assessment=assessment, person=person).first()
    if score is not None:
        return score, False
    try:
        with transaction.atomic():
            score = attribute_history(OfflineScore(assessment=assessment, person=person, **values), user=by,
                                      reason=reason)
            score.save(force_insert=True)
            return score, True
    except IntegrityError:
        return OfflineScore.objects.select_for_update().get(assessment=assessment, person=person), False


@transaction.atomic
def apply(assessment, score_check, by, reason=ScoreChangeReason.IMPORT):
    """Write a checked set of scores (nothing if it has any error). Returns the number of changed
    scores."""
    if not score_check.ok:
        return 0
    changed = 0
    for line in score_check.lines:
        if line.action == "unchanged":
            continue
        values = {"score": line.score, "passed": assessment.passes(line.score), "note": line.note, "recorded_by": by}
        score, created = _locked_score(assessment, line.person, values, by, reason)
        old = None if created else score.score
        if not created:
            for name, value in values.items():
                setattr(score, name, value)
            # The history row (lms.audit) says who and why, also when this runs outside a request.
            attribute_history(score, user=by, reason=reason)
            score.save()
        if old != line.score:
            ScoreChange.objects.create(person=line.person, subject=assessment.activity_key, old_score=old,
                                       new_score=line.score, reason=reason, changed_by=by)
        learning_feed.report_exam(score)
        changed += 1
    return changed
