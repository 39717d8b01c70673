"""The yearly training-record export (年度培训档案导出) for the annual cadre plan.

Three per-person tables: a per-person summary (required vs. earned 学时, compliance, certificates
and rotations), the per-activity detail (every 学时 ledger entry of the year) and the rotations that
overlap the year. XLSX has them as sheets (openpyxl write-only mode: rows go straight to the
file), followed by a fourth, plan-level sheet "年度计划班次": the plan's batches (分类分批) with
their target groups and planned vs. actual figures counted among the exported persons (see
lms.records.execution). CSV holds one per-person table per file, UTF-8 with a BOM so that Excel
reads the Chinese; the batches are not a CSV table (a dozen plan rows, not records of persons,
and the admin's CSV table choice is a stored field of ExportJob).

Memory stays constant whatever the number of persons: rows are read with .iterator() (a
server-side cursor on PostgreSQL) and written as they come; only the organization index (a few
hundred rows per 100,000 persons) and one chunk of rows are held. The CSV of the 学时 detail (two
million rows a year at province scale) lets the database format each row (labels, masked phone,
local time, 学时 as text) and writes chunks with `writerows`, so Python does no work per value. A sheet that reaches Excel's row limit continues on a
new sheet ("学时明细 (2)").

Phones are masked (138****5678): the file travels by e-mail and USB stick, and HR identifies
people by name, organization and staff number."""

import csv
import datetime
import re
from itertools import islice
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Count, F, Func, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat, Left, Length, Right
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from lms.learning import plans
from lms.learning.models import AnnualPlan, CreditEntry
from lms.people.models import CadreCategory, CadreLevel, Organization, OrgType, Person
from lms.rotations.models import Rotation

INVALID_TITLE = re.compile(r"[\\/*?:\[\]]")
EXCEL_MAX_ROWS = 1_048_576  # per sheet, header included
CHUNK = 2000
CSV_CHUNK = 10_000  # rows fetched (one server-side cursor FETCH) and written (one writerows) at a time
PROGRESS_EVERY = 5000
SUMMARY, ACTIVITIES, ROTATIONS, BATCHES = "summary", "activities", "rotations", "batches"
TABLES = (SUMMARY, ACTIVITIES, ROTATIONS)  # per-person tables: the CSV choices
XLSX_TABLES = (*TABLES, BATCHES)


def mask_phone(phone):
    return f"{phone[:3]}****{phone[-4:]}" if phone and len(phone) >= 7 else phone


def local(moment, zone=None):
    """A naive local datetime: Excel has no time zones."""
    return moment.astimezone(zone or timezone.get_current_timezone()).replace(tzinfo=None) if moment else None


def masked_phone_expression(field):
    """mask_phone() done by the database."""
    return Case(When(GreaterThanOrEqual(Length(field), 7),
                     then=Concat(Left(field, 3), Value("****"), Right(field, 4), output_field=CharField())),
                default=F(field), output_field=CharField())


def label_expression(field, choices):
    """The label of a choice in the active language, done by the database (unknown values as they are)."""
    return Case(*[When(**{field: value}, then=Value(str(label))) for value, label in choices],
                default=F(field), output_field=CharField())


class LocalMinuteText(Func):
    """A datetime as local "YYYY-MM-DD HH:MM" text (what `local(moment).isoformat(" ", "minutes")`
    gives), formatted by the database in the current time zone: no datetime object per row."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        tzname = timezone.get_current_timezone_name() if settings.USE_TZ else None
        sql, params = connection.ops.datetime_trunc_sql("minute", sql, tuple(params), tzname)
        if connection.vendor == "postgresql":
            return f"to_char({sql}, 'YYYY-MM-DD HH24:MI')", params
        return f"substr({sql}, 1, 16)", params  # SQLite's django_datetime_trunc returns "YYYY-MM-DD HH:MM:00"


class DecimalText(Func):
    """A DecimalField as text with its decimal places ("6.00", as str(Decimal) gives), formatted
    by the database: no Decimal object per row."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        expression = self.source_expressions[0]
        sql, params = compiler.compile(expression)
        if connection.vendor == "postgresql":  # numeric(p, s)::text keeps the scale
            return f"CAST({sql} AS text)", params
        places = expression.output_field.decimal_places  # SQLite stores a REAL
        return f"printf(%s, {sql})", (f"%.{places}f", *params)


def certificates_expression(year):
    """The number of valid certificates the person (the outer row) was issued in the year, as a
    correlated subquery: one scalar per row inside the export's single streaming query, no query
    per person. Superseded and revoked certificates do not count; the year is the issue date's."""
    from lms.certificates.models import Certificate, Status

    issued = (Certificate.objects.filter(person=OuterRef("pk"), status=Status.VALID,
                                         issued_on__gte=datetime.date(year, 1, 1),
                                         issued_on__lte=datetime.date(year, 12, 31))
              .order_by().values("person").annotate(n=Count("pk")).values("n")[:1])
    return Coalesce(Subquery(issued, output_field=IntegerField()), 0)


class ExportError(ValidationError):
    """A filter that names nothing we know (a street code, a category): shown as is."""


@dataclass
class ExportRequest:
    """What to export: a year, the persons in `persons` (already scoped to the requester),
    optionally one street and some cadre categories."""

    year: int
    persons: object  # Person queryset
    organizations: object  # Organization queryset the persons belong to (for names and streets)
    street: Organization | None = None
    categories: list = field(default_factory=list)

    @classmethod
    def build(cls, year, persons, organizations, street_code="", categories=()):
        """Validate the filters; ExportError with a message in the user's language if one is unknown."""
        street = None
        if street_code:
            street = organizations.filter(code=street_code, org_type=OrgType.STREET).first()
            if street is None:
                raise ExportError(_("No street with the code “%(code)s”.") % {"code": street_code})
        chosen = []
        labels = {str(label): value for value, label in CadreCategory.choices}
        for category in categories:
            value = category if category in CadreCategory.values else labels.get(category)
            if value is None:
                raise ExportError(_("Unknown cadre category “%(category)s”. Use one of: %(choices)s.") % {
                    "category": category, "choices": "、".join(f"{label}（{value}）" for value, label in CadreCategory.choices)})
            chosen.append(value)
        if not 2000 <= int(year) <= 2100:
            raise ExportError(_("The year must be between 2000 and 2100."))
        return cls(int(year), persons, organizations, street, chosen)

    def person_queryset(self):
        persons = self.persons
        if self.street is not None:
            persons = persons.filter(organization__path__startswith=self.street.path)
        if self.categories:
            persons = persons.filter(cadre_category__in=self.categories)
        return persons

    def entries(self):
        return CreditEntry.objects.filter(year=self.year, person__in=self.person_queryset())

    def rotations(self):
        start, end = datetime.date(self.year, 1, 1), datetime.date(self.year, 12, 31)
        return Rotation.objects.filter(person__in=self.person_queryset(), starts_on__lte=end, ends_on__gte=start)

    def batches(self):
        from lms.learning.models import PlannedBatch

        return PlannedBatch.objects.filter(plan__year=self.year)

    def total_rows(self, tables=TABLES):
        counters = {SUMMARY: self.person_queryset, ACTIVITIES: self.entries, ROTATIONS: self.rotations,
                    BATCHES: self.batches}
        return sum(counters[table]().count() for table in tables)


class Organizations:
    """Names and streets of organizations by pk, read once."""

    def __init__(self, organizations):
        rows = list(organizations.values_list("pk", "path", "name", "org_type"))
        streets = {path: name for _pk, path, name, org_type in rows if org_type == OrgType.STREET}
        step = Organization.steplen
        self.names, self.streets = {}, {}
        for pk, path, name, _type in rows:
            self.names[pk] = name
            self.streets[pk] = next((streets[path[:end]] for end in range(len(path), 0, -step)
                                     if path[:end] in streets), "")
        self.places = {pk: (name, self.streets[pk]) for pk, name in self.names.items()}  # (name, street)


# --- tables --------------------------------------------------------------------------------------

def summary_headers():
    return [_("Name"), _("Mobile phone"), _("Staff number"), _("Organization"), _("Street"), _("Cadre category"),
            _("Level"), _("Active"), _("Required 学时"), _("Earned 学时"), _("Online 学时"), _("In-person 学时"),
            _("Carried over"), _("Counted 学时"), _("Required online 学时"), _("Full-time days"),
            _("Required full-time days"), _("Mandatory courses done"), _("Mandatory courses"), _("Compliance"),
            _("Certificates"), _("Rotations")]


SUMMARY_WIDTHS = [10, 14, 12, 28, 14, 16, 12, 6, 10, 10, 10, 10, 10, 10, 12, 10, 12, 12, 10, 10, 8, 8]


def summary_rows(request):
    year = request.year
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    rotations = (Rotation.objects.filter(person=OuterRef("pk"), starts_on__lte=end, ends_on__gte=start)
                 .order_by().values("person").annotate(n=Count("pk")).values("n")[:1])
    rows = (plans.annotate_standings(request.person_queryset(), year)
            .annotate(export_rotations=Coalesce(Subquery(rotations, output_field=IntegerField()), 0),
                      export_certificates=certificates_expression(year))
            .order_by("organization__path", "name", "pk")
            .values_list("name", "phone", "staff_number", "organization_id", "cadre_category", "level", "is_active",
                         "plan_requirement", "plan_required_total", "plan_online", "plan_in_person", "plan_carried",
                         "plan_counted", "plan_required_online", "plan_required_days", "plan_mandatory_done",
                         "plan_mandatory_total", "plan_status", "export_certificates", "export_rotations"))
    orgs = Organizations(request.organizations)
    per_day = AnnualPlan.for_year(year).in_person_hours_per_day
    categories, levels = dict(CadreCategory.choices), dict(CadreLevel.choices)
    yes, no = _("Yes"), _("No")
    status_labels = {key: str(label) for key, label in plans.STATUS_LABELS.items()}
    for (name, phone, staff_number, organization_id, category, level, active, requirement, required, online,
         in_person, carried, counted, required_online, required_days, mandatory_done, mandatory_total, status,
         certificates, rotation_count) in rows.iterator(chunk_size=CHUNK):
        has = requirement is not None
        yield [name, mask_phone(phone), staff_number or "", orgs.names.get(organization_id, ""),
               orgs.streets.get(organization_id, ""), str(categories.get(category, category)),
               str(levels.get(level, level)), yes if active else no, required if has else None,
               online + in_person, online, in_person, carried, counted, required_online if has else None,
               plans.in_person_days(in_person, per_day), required_days if has else None,
               mandatory_done if mandatory_total else None, mandatory_total or None, status_labels[status],
               certificates, rotation_count]


def activity_headers():
    return [_("Name"), _("Mobile phone"), _("Organization"), _("Street"), _("Credited for"), _("Course"),
            _("Delivery"), _("学时"), _("Rule applied"), _("Earned at")]


ACTIVITY_WIDTHS = [10, 14, 28, 14, 36, 30, 8, 8, 22, 18]


def activity_queryset(request, typed=False):
    """The detail rows as one query, formatted by the database: labels, masked phone and, unless
    `typed` (XLSX wants numbers and datetimes), 学时 and the local time as text. The organization
    comes as its pk (name and street are looked up in the scoped index). This is also what the
    benchmark hands to PostgreSQL's COPY."""
    from lms.learning.models import CreditRule, Delivery

    entries = request.entries().order_by("person_id", "earned_at", "pk").annotate(
        export_phone=masked_phone_expression("person__phone"),
        export_delivery=label_expression("delivery", Delivery.choices),
        export_rule=label_expression("rule", CreditRule.choices))
    if typed:
        hours, earned_at = "hours", "earned_at"
    else:
        entries = entries.annotate(export_hours=DecimalText("hours"), export_earned_at=LocalMinuteText("earned_at"))
        hours, earned_at = "export_hours", "export_earned_at"
    return entries.values_list("person__name", "export_phone", "person__organization_id", "source_title",
                               "course__title", "export_delivery", hours, "export_rule", earned_at)


def activity_rows(request):
    places = Organizations(request.organizations).places
    blank = ("", "")
    zone = timezone.get_current_timezone()
    for name, phone, organization_id, source, course, delivery, hours, rule, earned_at in \
            activity_queryset(request, typed=True).iterator(chunk_size=CHUNK):
        yield [name, phone, *places.get(organization_id, blank), source, course or "", delivery, hours, rule,
               earned_at.astimezone(zone).replace(tzinfo=None)]


def activity_csv_chunks(request):
    """Lists of ready CSV rows (text from the database, None for empty): the only Python per row
    is putting the organization's name and street in."""
    places = Organizations(request.organizations).places
    blank = ("", "")
    rows = activity_queryset(request).iterator(chunk_size=CSV_CHUNK)
    while chunk := list(islice(rows, CSV_CHUNK)):
        yield [(name, phone, *places.get(organization_id, blank), source, course, delivery, hours, rule, earned_at)
               for name, phone, organization_id, source, course, delivery, hours, rule, earned_at in chunk]


def rotation_headers():
    return [_("Name"), _("Organization"), _("Street"), _("Direction"), _("Home organization"),
            _("Host organization"), _("Post held"), _("Starts on"), _("Ends on"), _("Mentor"),
            _("Mid-term evaluation"), _("Final evaluation"), _("Status")]


ROTATION_WIDTHS = [10, 28, 14, 22, 24, 24, 16, 12, 12, 10, 12, 12, 10]


def rotation_rows(request):
    from lms.rotations.models import Direction, Evaluation, Status

    orgs = Organizations(request.organizations)
    directions, evaluations, statuses = dict(Direction.choices), dict(Evaluation.choices), dict(Status.choices)
    rows = (request.rotations().order_by("person__organization__path", "person__name", "starts_on", "pk")
            .values_list("person__name", "person__organization_id", "direction", "home_organization__name",
                         "host_organization__name", "post_held", "starts_on", "ends_on", "mentor",
                         "midterm_evaluation", "final_evaluation", "status"))
    for (name, organization_id, direction, home, host, post, starts_on, ends_on, mentor, midterm, final,
         status) in rows.iterator(chunk_size=CHUNK):
        yield [name, orgs.names.get(organization_id, ""), orgs.streets.get(organization_id, ""),
               str(directions.get(direction, direction)), home, host, post, starts_on, ends_on, mentor,
               str(evaluations.get(midterm, "")), str(evaluations.get(final, "")), str(statuses.get(status, status))]


def batch_headers():
    return [_("Program"), _("Batch"), _("Target group"), _("Planned start"), _("Planned end"), _("Organizer"),
            _("Planned trainees"), _("Planned days"), _("Planned 学时"), _("Courses run"), _("Target group size"),
            pgettext("batch figure", "Enrolled"), pgettext("batch figure", "Completed"), _("Completion rate (%)"), _("学时 delivered"), _("Status"), _("Notes")]


BATCH_WIDTHS = [14, 30, 30, 12, 12, 22, 10, 10, 10, 36, 10, 10, 10, 10, 10, 8, 40]


def batch_rows(request):
    """The plan's batches, planned vs. actual among the exported persons (a fixed number of
    queries per batch, none per person)."""
    from .execution import execution_among

    _plan, rows = execution_among(request.person_queryset(), request.year)
    for row in rows:
        batch = row.batch
        yield [batch.program.title if batch.program else "", batch.name, batch.target_description(),
               batch.starts_on, batch.ends_on, batch.organizer, batch.planned_trainees, batch.planned_days,
               batch.planned_hours, "、".join(course.title for course in row.courses), row.target, row.enrolled,
               row.completed, row.completion_rate, row.hours, str(row.status_label), batch.notes]


def tables():
    """(key, sheet title, headers, widths, rows function) of each table, in sheet order."""
    return [
        (SUMMARY, pgettext("export sheet", "Summary"), summary_headers(), SUMMARY_WIDTHS, summary_rows),
        (ACTIVITIES, pgettext("export sheet", "学时 detail"), activity_headers(), ACTIVITY_WIDTHS, activity_rows),
        (ROTATIONS, pgettext("export sheet", "Rotations"), rotation_headers(), ROTATION_WIDTHS, rotation_rows),
        (BATCHES, pgettext("export sheet", "Planned batches"), batch_headers(), BATCH_WIDTHS, batch_rows),
    ]


# --- writers -------------------------------------------------------------------------------------

class Progress:
    """Calls `report(rows_written)` every PROGRESS_EVERY rows (and at the end)."""

    def __init__(self, report=None):
        self.report, self.rows = report, 0

    def tick(self):
        self.rows += 1
        if self.report and self.rows % PROGRESS_EVERY == 0:
            self.report(self.rows)

    def add(self, rows):
        """`rows` more rows written at once: reports if a multiple of PROGRESS_EVERY was crossed."""
        before, self.rows = self.rows, self.rows + rows
        if self.report and before // PROGRESS_EVERY != self.rows // PROGRESS_EVERY:
            self.report(self.rows)

    def done(self):
        if self.report:
            self.report(self.rows)


DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def write_xlsx(request, target, report=None, max_rows=None):
    """All the tables (XLSX_TABLES) as sheets of one workbook, written to `target` (a path or binary file)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    max_rows = max_rows or EXCEL_MAX_ROWS
    workbook = Workbook(write_only=True)
    progress = Progress(report)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE6F0")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def new_sheet(title, part, headers, widths):
        title = INVALID_TITLE.sub("-", title)[:25]
        sheet = workbook.create_sheet(title if part == 1 else f"{title} ({part})")
        sheet.freeze_panes = "A2"
        for column, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = width
        row = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=header)
            cell.font, cell.fill, cell.alignment = bold, fill, centre
            row.append(cell)
        sheet.append(row)
        return sheet

    for _key, title, headers, widths, rows in tables():
        part, written = 1, 0
        sheet = new_sheet(title, part, headers, widths)
        for values in rows(request):
            if written >= max_rows - 1:
                part, written = part + 1, 0
                sheet = new_sheet(title, part, headers, widths)
            sheet.append([_xlsx_cell(sheet, WriteOnlyCell, value) if isinstance(value, datetime.date) else value
                          for value in values])  # only dates need a cell with a number format
            written += 1
            progress.tick()
    workbook.save(target)
    progress.done()
    return progress.rows


def _xlsx_cell(sheet, cell_class, value):
    if isinstance(value, datetime.datetime):
        cell = cell_class(sheet, value=value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, datetime.date):
        cell = cell_class(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return value


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(" ", "minutes")
    return value  # dates write as ISO, numbers and text as they are


def csv_chunks(table, request):
    """Lists of CSV rows of one table: the 学时 detail formatted by the database, the other
    (smaller) tables from their typed rows."""
    if table == ACTIVITIES:
        yield from activity_csv_chunks(request)
        return
    _key, _title, _headers, _widths, rows = next(t for t in tables() if t[0] == table)
    rows = rows(request)
    while chunk := [[_csv_value(value) for value in values] for values in islice(rows, CHUNK)]:
        yield chunk


def write_csv(request, target, table=SUMMARY, report=None):
    """One table as CSV, UTF-8 with a BOM, to `target` (a path)."""
    progress = Progress(report)
    headers = next(t for t in tables() if t[0] == table)[2]
    with open(target, "w", encoding="utf-8", newline="") as out:
        out.write("\ufeff")  # the BOM; the "utf-8-sig" codec would encode each row in Python
        writer = csv.writer(out)
        writer.writerow(headers)
        for chunk in csv_chunks(table, request):
            writer.writerows(chunk)
            progress.add(len(chunk))
    progress.done()
    return progress.rows


def write(request, target, file_format, table=SUMMARY, report=None):
    if file_format == "xlsx":
        return write_xlsx(request, target, report=report)
    return write_csv(request, target, table=table, report=report)
