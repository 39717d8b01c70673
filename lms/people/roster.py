"""Roster import: HR's spreadsheet (XLSX or CSV) of persons is the source of truth.

Four pure steps, each testable alone, used by the admin view and by `manage.py import_roster`:

    parse(data, filename)                 -> ParsedRoster (header map + raw rows), or RosterFileError
    validate(parsed, user)                -> (clean rows, row errors): every row checked, nothing written
    plan(clean rows, user, ...)           -> RosterPlan: create / update / deactivate / unchanged per row
    apply(plan, user)                     -> writes the plan in one transaction (all or nothing)

`run_import()` chains them and re-plans inside the transaction, so what is applied is computed from
the database as it is at that moment.

Decisions (documented in the admin screen too):
- Persons are matched by mobile number first, then by staff number. A row whose phone and staff
  number point at two different persons is an error.
- A blank optional cell means "leave unchanged" for an existing person (and the default for a new one).
- A new person gets a login account (username = mobile number) with an unusable password until the
  training office sets one, and the learner role.
- Rows marked inactive (状态 离职/停用/否...) deactivate the person. People missing from the file are
  left alone unless `deactivate_missing` is chosen: then every active person in the uploader's
  scope who is not in the file is deactivated (never the uploader or a superuser).
- Scope: the uploader may only touch persons and organizations in their scope (lms.people.scoping);
  the management command without --as-user runs with the whole tree (an operator's tool).
- Synchronous, bounded: at most MAX_ROWS rows and MAX_FILE_BYTES bytes.
"""

import csv
import datetime
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import roles
from .models import CadreCategory, CadreLevel, Organization, Person, Post
from .scoping import visible_organizations, visible_persons

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 40
# An XLSX is a zip: refuse archives that inflate beyond this (zip bombs) before openpyxl reads them.
MAX_XLSX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024

# Canonical Chinese header -> field; aliases HR spreadsheets commonly use.
COLUMNS = {
    "name": ("姓名", ["名字"]),
    "phone": ("手机号", ["手机号码", "手机", "联系电话", "电话"]),
    "staff_number": ("工号", ["人员编号", "编号"]),
    "organization": ("所属组织", ["组织", "单位", "所属单位", "所属党组织", "党组织", "组织代码"]),
    "post": ("职务", []),
    "cadre_category": ("干部类别", ["类别"]),
    "level": ("级别", ["职级"]),
    "appointed_on": ("任职日期", ["任职时间"]),
    "is_active": ("状态", ["是否在职", "在职状态"]),
}
REQUIRED = ("name", "phone", "organization")
TEMPLATE_HEADERS = [COLUMNS[key][0] for key in COLUMNS]
FIELDS = ("name", "phone", "staff_number", "organization", "post", "cadre_category", "level", "appointed_on",
          "is_active")

ACTIVE_WORDS = {"在职", "是", "在岗", "启用", "有效", "正常", "y", "yes", "true", "1", "active"}
INACTIVE_WORDS = {"离职", "否", "不在职", "停用", "无效", "调离", "退休", "离岗", "n", "no", "false", "0", "inactive"}

PHONE_RE = re.compile(r"^1\d{10}$")

# Sent once an import's transaction has committed, with `person_ids`: every person it created or
# changed (bulk writes send no post_save). Feature apps listen, e.g. learning enrols newcomers by
# its audience rules; people itself imports none of them.
roster_applied = Signal()


class RosterFileError(Exception):
    """The file as a whole cannot be read (wrong type, corrupt, empty, too big, missing columns)."""


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self):
        return _("Row %(row)s, %(column)s: %(message)s") % {
            "row": self.row, "column": self.column or "-", "message": self.message}


@dataclass
class ParsedRoster:
    headers: dict  # field -> header text as found in the file
    rows: list  # (row number, {field: raw value})
    ignored_headers: list = field(default_factory=list)


@dataclass
class CleanRow:
    number: int
    values: dict  # field -> python value; a field absent from the dict means "leave unchanged"
    person: Person | None = None


@dataclass
class Change:
    action: str  # create | update | deactivate | unchanged
    row: int | None  # None for "deactivated because missing from the file"
    name: str
    phone: str
    person: Person | None
    values: dict  # what to write
    diff: list  # (column label, old text, new text)


@dataclass
class RosterPlan:
    changes: list
    deactivate_missing: bool = False

    def count(self, action):
        return sum(1 for change in self.changes if change.action == action)

    @property
    def counts(self):
        return {action: self.count(action) for action in ("create", "update", "deactivate", "unchanged")}

    @property
    def has_changes(self):
        return any(change.action != "unchanged" for change in self.changes)

    def fingerprint(self):
        """A digest of what would be written: the confirm step refuses to apply a different plan
        than the one previewed (the database changed in between)."""
        text = repr([(c.action, c.row, c.person.pk if c.person else None, sorted(
            (k, str(getattr(v, "pk", v))) for k, v in c.values.items())) for c in self.changes])
        return hashlib.sha256(text.encode()).hexdigest()


# --- parse ------------------------------------------------------------------------------------


def _header_key(text, columns=COLUMNS):
    text = str(text or "").replace("\ufeff", "").strip().rstrip("*＊").strip()
    for key, (canonical, aliases) in columns.items():
        if text == canonical or text in aliases:
            return key
    return None


def _decode_csv(data):
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" (UTF-16, tab-separated)
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise RosterFileError(_("The file is not a valid CSV file.")) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # a superset of GBK and GB2312
    except UnicodeDecodeError:
        raise RosterFileError(_("The CSV file is neither UTF-8 nor GBK encoded.")) from None


def _csv_rows(data):
    text = _decode_csv(data)
    if "\x00" in text:
        raise RosterFileError(_("The file is not a valid CSV file."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        for row in csv.reader(io.StringIO(text, newline=""), dialect):
            yield row[:MAX_COLUMNS]
    except csv.Error:
        raise RosterFileError(_("The file is not a valid CSV file.")) from None


def _xlsx_rows(data):
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNCOMPRESSED_BYTES:
                raise RosterFileError(_("The spreadsheet is too large once uncompressed."))
    except zipfile.BadZipFile:
        raise RosterFileError(_("The file is not a valid XLSX spreadsheet.")) from None
    # openpyxl parses the XML with defusedxml when it is installed (it is: see requirements.txt).
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors on a damaged file
        raise RosterFileError(_("The file is not a valid XLSX spreadsheet.")) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return
        try:
            for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
                yield list(row)
        except RosterFileError:
            raise
        except Exception:
            raise RosterFileError(_("The file is not a valid XLSX spreadsheet.")) from None
    finally:
        workbook.close()


def parse(data, filename):
    """Read the roster's first sheet (or the CSV) into raw rows keyed by field. Raises RosterFileError."""
    return read_table(data, filename, COLUMNS, REQUIRED)


def read_table(data, filename, columns, required=()):
    """Read a spreadsheet's first sheet (or a CSV in UTF-8, UTF-8 with BOM, GBK or UTF-16) into raw
    rows keyed by field, for any import: `columns` maps field -> (canonical header, aliases) and the
    `required` fields must have a column. Row numbers are the spreadsheet's own (the header is row 1).
    Raises RosterFileError for a file that cannot be read as a whole."""
    if not data:
        raise RosterFileError(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise RosterFileError(_("The file is larger than %(size)s MB.") % {"size": MAX_FILE_BYTES // (1024 * 1024)})
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        if not data.startswith(b"PK"):
            raise RosterFileError(_("The file is not a valid XLSX spreadsheet."))
        source = _xlsx_rows(data)
    elif name.endswith(".csv"):
        source = _csv_rows(data)
    else:
        raise RosterFileError(_("Upload an .xlsx or .csv file."))

    headers, positions, rows, ignored = None, {}, [], []
    for number, raw in enumerate(source, start=1):
        cells = [("" if value is None else value) for value in raw]
        if headers is None:
            if not any(str(c).strip() for c in cells):
                continue  # leading blank lines
            headers = {}
            for index, cell in enumerate(cells):
                key = _header_key(cell, columns)
                if key and key not in headers:
                    headers[key] = str(cell).strip()
                    positions[key] = index
                elif str(cell).strip():
                    ignored.append(str(cell).strip())
            missing = [columns[key][0] for key in required if key not in headers]
            if missing:
                raise RosterFileError(_("Required columns are missing: %(columns)s.") % {"columns": "、".join(missing)})
            continue
        if not any(str(c).strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise RosterFileError(_("The file has more than %(max)s rows; split it into smaller files.")
                                  % {"max": MAX_ROWS})
        rows.append((number, {key: (cells[index] if index < len(cells) else "") for key, index in positions.items()}))
    if headers is None:
        raise RosterFileError(_("The file is empty."))
    if not rows:
        raise RosterFileError(_("The file has a header row but no data rows."))
    return ParsedRoster(headers=headers, rows=rows, ignored_headers=ignored)


# --- validate ---------------------------------------------------------------------------------


def cell_text(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value is not None else ""


def normalize_phone(value):
    """A mobile number as typed in a spreadsheet (spaces, dashes, +86) -> its 11 digits (unchecked)."""
    phone = re.sub(r"[\s\-]", "", cell_text(value))
    return phone[3:] if phone.startswith("+86") else phone


def _choice_lookup(choices):
    """Value, English label and Chinese label of each choice -> value."""
    lookup = {}
    for value, label in choices.choices:
        lookup[value.lower()] = value
        lookup[str(label).lower()] = value
        with translation.override("en"):
            lookup[str(label).lower()] = value
        with translation.override("zh-hans"):
            lookup[str(label).lower()] = value
    return lookup


EXTRA_LABELS = {
    "post": {"支部书记": Post.SECRETARY, "党组织书记": Post.SECRETARY, "支部副书记": Post.DEPUTY_SECRETARY,
             "支委": Post.COMMITTEE_MEMBER, "支委委员": Post.COMMITTEE_MEMBER},
    "cadre_category": {"社区书记": CadreCategory.COMMUNITY_SECRETARY, "村书记": CadreCategory.VILLAGE_SECRETARY,
                       "两新书记": CadreCategory.TWO_NEW_SECRETARY},
    "level": {"正科": CadreLevel.SECTION, "副科": CadreLevel.DEPUTY_SECTION, "无": CadreLevel.NONE},
}
CHOICES = {"post": Post, "cadre_category": CadreCategory, "level": CadreLevel}

DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def _parse_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    match = DATE_RE.match(text)
    if match is None and re.fullmatch(r"\d{8}", text):
        match = re.match(r"(\d{4})(\d{2})(\d{2})", text)
    if match is None:
        return None
    try:
        return datetime.date(*map(int, match.groups()))
    except ValueError:
        return None


def column_label(key):
    return COLUMNS[key][0]


class _OrgIndex:
    def __init__(self, user):
        self.by_code, self.by_name = {}, {}
        for org in Organization.objects.all():
            if org.code:
                self.by_code[org.code.strip().lower()] = org
            self.by_name.setdefault(org.name.strip(), []).append(org)
            if org.short_name:
                self.by_name.setdefault(org.short_name.strip(), []).append(org)
        self.visible_ids = None if user is None else set(visible_organizations(user).values_list("pk", flat=True))

    def in_scope(self, org):
        return self.visible_ids is None or org.pk in self.visible_ids

    def find(self, text):
        """(organization, error message)."""
        org = self.by_code.get(text.lower())
        if org is not None:
            return (org, None) if self.in_scope(org) else (None, _("The organization is outside your scope."))
        candidates = list({o.pk: o for o in self.by_name.get(text, [])}.values())
        if not candidates:
            return None, _("Unknown organization “%(org)s” (use its name or code).") % {"org": text}
        scoped = [o for o in candidates if self.in_scope(o)]
        if not scoped:
            return None, _("The organization is outside your scope.")
        if len(scoped) > 1:
            return None, _("Several organizations are called “%(org)s”: use its code.") % {"org": text}
        return scoped[0], None


def validate(parsed, user=None):
    """Check every row; returns (clean rows, errors). `user` None means the whole tree (operators)."""
    errors = []
    clean = []
    orgs = _OrgIndex(user)
    lookups = {key: {**_choice_lookup(choices), **EXTRA_LABELS.get(key, {})} for key, choices in CHOICES.items()}
    today = timezone.localdate()

    def error(number, key, message):
        errors.append(RowError(number, column_label(key) if key else "", message))

    # First pass: each row on its own.
    for number, raw in parsed.rows:
        values, ok = {}, True
        name = cell_text(raw.get("name"))
        if not name:
            error(number, "name", _("The name is required.")); ok = False
        elif len(name) > 60:
            error(number, "name", _("The name is longer than 60 characters.")); ok = False
        else:
            values["name"] = name
        phone = normalize_phone(raw.get("phone"))
        if not phone:
            error(number, "phone", _("The mobile number is required.")); ok = False
        elif not PHONE_RE.match(phone):
            error(number, "phone", _("“%(phone)s” is not an 11-digit mobile number starting with 1.")
                  % {"phone": phone}); ok = False
        else:
            values["phone"] = phone
        staff_number = cell_text(raw.get("staff_number"))
        if staff_number:
            if len(staff_number) > 40:
                error(number, "staff_number", _("The staff number is longer than 40 characters.")); ok = False
            else:
                values["staff_number"] = staff_number
        org_text = cell_text(raw.get("organization"))
        if not org_text:
            error(number, "organization", _("The organization is required.")); ok = False
        else:
            org, message = orgs.find(org_text)
            if org is None:
                error(number, "organization", message); ok = False
            else:
                values["organization"] = org
        for key, lookup in lookups.items():
            text = cell_text(raw.get(key))
            if not text:
                continue
            value = lookup.get(text.lower())
            if value is None:
                with translation.override("zh-hans"):
                    known = "、".join(str(label) for label in CHOICES[key].labels)
                error(number, key, _("Unknown value “%(value)s”; use one of: %(known)s.")
                      % {"value": text, "known": known}); ok = False
            else:
                values[key] = value
        raw_date = raw.get("appointed_on")
        if isinstance(raw_date, datetime.date) or cell_text(raw_date):
            date = _parse_date(raw_date)
            if date is None:
                error(number, "appointed_on", _("“%(value)s” is not a date (use e.g. 2024-03-01).")
                      % {"value": cell_text(raw_date)}); ok = False
            elif date > today:
                error(number, "appointed_on", _("The appointment date %(date)s is in the future.")
                      % {"date": date.isoformat()}); ok = False
            else:
                values["appointed_on"] = date
        status = cell_text(raw.get("is_active")).lower()
        if status:
            if status in ACTIVE_WORDS:
                values["is_active"] = True
            elif status in INACTIVE_WORDS:
                values["is_active"] = False
            else:
                error(number, "is_active", _("Unknown status “%(value)s”; use 在职 or 离职.")
                      % {"value": cell_text(raw.get("is_active"))}); ok = False
        if ok:
            clean.append(CleanRow(number=number, values=values))

    # Second pass: the rows against each other and against the database.
    seen_phone, seen_staff = {}, {}
    for row in clean:
        for key, seen in (("phone", seen_phone), ("staff_number", seen_staff)):
            value = row.values.get(key)
            if value is None:
                continue
            if value in seen:
                error(row.number, key, _("“%(value)s” already appears in row %(first)s of this file.")
                      % {"value": value, "first": seen[value]})
            else:
                seen[value] = row.number

    phones = set(seen_phone)
    staff_numbers = set(seen_staff)
    by_phone = {p.phone: p for p in _chunked(Person.objects.select_related("user", "organization"), "phone", phones)}
    by_staff = {p.staff_number: p for p in _chunked(
        Person.objects.select_related("user", "organization"), "staff_number", staff_numbers)}
    usernames = {u.username: u.pk for u in _chunked(get_user_model().objects.only("pk", "username"), "username", phones)}
    visible_ids = None if user is None else set(
        visible_persons(user).filter(pk__in=[p.pk for p in [*by_phone.values(), *by_staff.values()]])
        .values_list("pk", flat=True))
    matched_rows = {}
    error_rows = {e.row for e in errors}
    for row in clean:
        if row.number in error_rows:
            continue
        phone, staff = row.values["phone"], row.values.get("staff_number")
        person_by_phone = by_phone.get(phone)
        person_by_staff = by_staff.get(staff) if staff else None
        if person_by_phone and person_by_staff and person_by_phone.pk != person_by_staff.pk:
            error(row.number, "staff_number", _(
                "The mobile number and the staff number belong to two different persons."))
            continue
        person = person_by_phone or person_by_staff
        if person is not None:
            if visible_ids is not None and person.pk not in visible_ids:
                error(row.number, "phone", _("This person belongs to an organization outside your scope."))
                continue
            if person.pk in matched_rows:
                error(row.number, "phone", _("This row and row %(first)s are the same person.")
                      % {"first": matched_rows[person.pk]})
                continue
            matched_rows[person.pk] = row.number
        owner = usernames.get(phone)
        if owner is not None and (person is None or owner != person.user_id):
            error(row.number, "phone", _("The mobile number %(phone)s is already the login of another account.")
                  % {"phone": phone})
            continue
        row.person = person
    error_rows = {e.row for e in errors}
    errors.sort(key=lambda e: e.row)
    return [row for row in clean if row.number not in error_rows], errors


def _chunked(queryset, field_name, values, size=500):
    values = list(values)
    for start in range(0, len(values), size):
        yield from queryset.filter(**{f"{field_name}__in": values[start:start + size]})


# --- plan -------------------------------------------------------------------------------------


def _display(key, value):
    if value is None or value == "":
        return ""
    if key == "organization":
        return value.name
    if key == "is_active":
        return _("active") if value else _("inactive")
    if key in CHOICES:
        return str(dict(CHOICES[key].choices).get(value, value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def plan(clean_rows, user=None, *, deactivate_missing=False):
    """What applying would do, row by row, with old → new for every changed field."""
    changes = []
    for row in clean_rows:
        values = row.values
        person = row.person
        if person is None:
            diff = [(column_label(k), "", _display(k, values[k])) for k in FIELDS if k in values]
            changes.append(Change("create", row.number, values["name"], values["phone"], None, values, diff))
            continue
        to_write, diff = {}, []
        for key in FIELDS:
            if key not in values:
                continue
            old = getattr(person, key)
            new = values[key]
            if (old.pk if key == "organization" else old) != (new.pk if key == "organization" else new):
                to_write[key] = new
                diff.append((column_label(key), _display(key, old), _display(key, new)))
        if not to_write:
            action = "unchanged"
        elif to_write.get("is_active") is False:
            action = "deactivate"
        else:
            action = "update"
        changes.append(Change(action, row.number, values["name"], values["phone"], person, to_write, diff))

    if deactivate_missing:
        matched = {c.person.pk for c in changes if c.person is not None}
        candidates = (Person.objects.all() if user is None else visible_persons(user)).filter(is_active=True)
        candidates = candidates.exclude(pk__in=matched).exclude(user__is_superuser=True)
        if user is not None:
            candidates = candidates.exclude(user=user)
        for person in candidates.select_related("organization").order_by("organization__path", "name"):
            changes.append(Change("deactivate", None, person.name, person.phone, person, {"is_active": False},
                                  [(column_label("is_active"), _display("is_active", True),
                                    _display("is_active", False))]))
    return RosterPlan(changes=changes, deactivate_missing=deactivate_missing)


# --- apply ------------------------------------------------------------------------------------


class RosterConflict(Exception):
    """The database changed between planning and applying (e.g. someone took a phone number)."""


def apply(roster_plan):
    """Write the plan in one transaction: all rows or none. Bulk statements, so a few thousand rows
    take seconds. New accounts are what Person.create_account makes (username = mobile number),
    with an unusable password, in the learner role, and marked to change the first password the
    training office gives them."""
    User = get_user_model()
    creates = [c for c in roster_plan.changes if c.action == "create"]
    updates = [c for c in roster_plan.changes if c.action in ("update", "deactivate")]
    learner = Group.objects.filter(name=roles.LEARNER).first()
    changed_ids = []
    try:
        with transaction.atomic():
            if creates:
                accounts = []
                for change in creates:
                    account = User(username=change.values["phone"])
                    account.set_unusable_password()
                    accounts.append(account)
                User.objects.bulk_create(accounts, batch_size=500)
                if any(account.pk is None for account in accounts):  # backends that return no ids
                    ids = dict(User.objects.filter(username__in=[a.username for a in accounts])
                               .values_list("username", "pk"))
                    for account in accounts:
                        account.pk = ids[account.username]
                created = Person.objects.bulk_create(
                    [Person(user=account, must_change_password=True, **change.values)
                     for account, change in zip(accounts, creates)],
                    batch_size=500)
                if any(person.pk is None for person in created):
                    created = Person.objects.filter(phone__in=[person.phone for person in created])
                changed_ids = [person.pk for person in created]
                if learner is not None:
                    through = User.groups.through
                    through.objects.bulk_create(
                        [through(user_id=account.pk, group_id=learner.pk) for account in accounts], batch_size=500)
            if updates:
                persons, fields, renamed = [], set(), []
                for change in updates:
                    person = change.person
                    if "phone" in change.values and person.user.username == person.phone:
                        person.user.username = change.values["phone"]
                        renamed.append(person.user)
                    for key, value in change.values.items():
                        setattr(person, key, value)
                    fields.update(change.values)
                    persons.append(person)
                # validate() refuses any number already held by someone else, so there are no swaps.
                if renamed:
                    User.objects.bulk_update(renamed, ["username"], batch_size=500)
                Person.objects.bulk_update(persons, sorted(fields), batch_size=500)
                changed_ids += [person.pk for person in persons]
            if changed_ids:
                transaction.on_commit(lambda: roster_applied.send(sender=Person, person_ids=changed_ids))
    except IntegrityError:
        raise RosterConflict(_("The data changed while importing (a mobile or staff number is now taken). "
                               "Nothing was imported; please try again.")) from None


@dataclass
class ImportResult:
    errors: list
    plan: RosterPlan | None
    applied: bool = False


def run_import(data, filename, user=None, *, dry_run=True, deactivate_missing=False, expected_fingerprint=None):
    """parse → validate → plan (→ apply). File-level problems raise RosterFileError; row problems
    come back in `errors` and then nothing is applied. When applying, the plan is recomputed inside
    the transaction; with `expected_fingerprint` it must equal the plan that was previewed."""
    parsed = parse(data, filename)
    if dry_run:
        rows, errors = validate(parsed, user)
        if errors:
            return ImportResult(errors=errors, plan=None)
        return ImportResult(errors=[], plan=plan(rows, user, deactivate_missing=deactivate_missing))
    with transaction.atomic():
        rows, errors = validate(parsed, user)
        if errors:
            return ImportResult(errors=errors, plan=None)
        roster_plan = plan(rows, user, deactivate_missing=deactivate_missing)
        if expected_fingerprint is not None and roster_plan.fingerprint() != expected_fingerprint:
            raise RosterConflict(_("The data changed since the preview. Nothing was imported; "
                                   "please check the new preview."))
        apply(roster_plan)
    return ImportResult(errors=[], plan=roster_plan, applied=True)


def template_workbook():
    """An empty roster with the headers and one example row, as XLSX bytes."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "人员名单"
    sheet.append(TEMPLATE_HEADERS)
    sheet.append(["张三", "13800000000", "A001", "东湖社区", "书记", "社区党组织书记", "无职级", "2024-03-01", "在职"])
    for index, width in enumerate([10, 14, 10, 24, 10, 18, 10, 12, 8], start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
