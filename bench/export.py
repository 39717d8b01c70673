#!/usr/bin/env python
"""Yearly training-record export at province scale (issue 7).

On `generate_scale_data --people N` (default 100,000) plus ~20 学时 ledger entries per person
(2,000,000 rows, inserted here with one INSERT ... SELECT), on PostgreSQL:

- CSV of the 学时 detail (lms.records.export.write_csv) vs PostgreSQL `COPY (same query) TO
  STDOUT` into a file, in the same run (goal: ratio ≤ 3); the same for the per-person summary.
  The detail's query is export.activity_queryset, which has the database format the row
  (labels, masked phone, local time), so COPY writes nearly the final file;
- the XLSX workbook (three sheets) vs openpyxl write-only mode writing the same number of rows of
  the same values (taken from the export's own first rows, cycled) with nothing else (goal ≤ 1.5);
- peak memory (ru_maxrss of a fresh process) of the XLSX export and of the CSV detail for the
  first 10,000 persons vs all N (goal: within 1.2×, i.e. constant memory).

    .venv/bin/python bench/export.py [--people 100000] [--entries-per-person 20] \
        [--database-url postgres://postgres@127.0.0.1:5432/touyan_bench_export]

The database is dropped and recreated. Each measurement runs in its own process."""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
RESULTS = ROOT / "bench" / "results"
YEAR = 2026


def _setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")
    import django

    django.setup()


def recreate(url):
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(env, *args):
    started = time.perf_counter()
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def child(env, *args):
    out = subprocess.run([PY, __file__, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- inside Django -------------------------------------------------------------------------------

def fill(entries_per_person):
    """The year's plan and ~entries_per_person ledger entries per scale person, in one statement."""
    _setup_django()
    from decimal import Decimal

    from django.db import connection

    from lms.demo.scale import USERNAME_PREFIX
    from lms.learning.models import AnnualPlan, CreditEntry, PlanRequirement
    from lms.people.models import CadreCategory

    plan, _ = AnnualPlan.objects.get_or_create(year=YEAR, defaults={"carry_over_limit": Decimal("8")})
    for category, total, online, days in [(CadreCategory.COMMUNITY_SECRETARY, 56, 10, 4),
                                          (CadreCategory.VILLAGE_SECRETARY, 56, 10, 4),
                                          (CadreCategory.PARTY_MEMBER, 32, 12, 0)]:
        PlanRequirement.objects.get_or_create(plan=plan, cadre_category=category, level="", defaults={
            "total_hours": total, "online_hours": online, "in_person_days": days})
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO {CreditEntry._meta.db_table}
                (person_id, year, course_id, source_key, source_title, delivery, hours, rule, earned_at,
                 created_at, updated_at)
            SELECT p.id, %s, NULL, 'bench:' || g, '基层治理专题学习第' || g || '讲',
                   CASE WHEN g %% 4 = 0 THEN 'in_person' ELSE 'online' END,
                   CASE WHEN g %% 4 = 0 THEN 6 ELSE 0.5 * (1 + (p.id + g) %% 3) END, 'manual',
                   timestamp with time zone '2026-01-05 01:00+00' + g * interval '15 day' + (p.id %% 600) * interval '1 minute',
                   now(), now()
            FROM people_person p JOIN auth_user u ON u.id = p.user_id
            CROSS JOIN generate_series(1, %s) AS g
            WHERE u.username LIKE %s AND (p.id + g) %% 10 <> 0
        """, [YEAR, entries_per_person + entries_per_person // 9, USERNAME_PREFIX + "%"])
        inserted = cursor.rowcount
        cursor.execute(f"ANALYZE {CreditEntry._meta.db_table}")
    print(json.dumps({"entries": inserted, "seconds": time.perf_counter() - started}))


def _request(limit=None):
    from lms.demo.scale import scale_root
    from lms.people.models import Person
    from lms.records import export

    root = scale_root()
    persons = Person.objects.filter(organization__path__startswith=root.path)
    if limit:
        last = persons.order_by("pk").values_list("pk", flat=True)[limit - 1]
        persons = persons.filter(pk__lte=last)
    return export.ExportRequest.build(YEAR, persons, root.subtree())


def _maxrss_mb():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_csv(table, path, limit=0):
    _setup_django()
    from lms.records import export

    request = _request(limit or None)
    started = time.perf_counter()
    rows = export.write_csv(request, path, table=table)
    print(json.dumps({"rows": rows, "seconds": time.perf_counter() - started, "maxrss_mb": _maxrss_mb()}))


def measure_copy(table, path):
    """PostgreSQL COPY of the query the CSV export reads, straight into a file."""
    _setup_django()
    from django.db import connection
    from psycopg import ClientCursor

    from lms.learning import plans
    from lms.records import export

    request = _request()
    if table == "activities":
        queryset = export.activity_queryset(request)
    else:
        queryset = (plans.annotate_standings(request.person_queryset(), YEAR).order_by("organization__path", "name", "pk")
                    .values_list("name", "phone", "organization_id", "cadre_category", "plan_required_total",
                                 "plan_online", "plan_in_person", "plan_counted", "plan_status"))
    sql, params = queryset.query.sql_with_params()
    connection.ensure_connection()
    started = time.perf_counter()
    with ClientCursor(connection.connection) as cursor:
        statement = cursor.mogrify(sql, params)
        with open(path, "wb") as out, cursor.copy(f"COPY ({statement}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
            for data in copy:
                out.write(data)
    print(json.dumps({"seconds": time.perf_counter() - started}))


def measure_xlsx(path, limit):
    _setup_django()
    from lms.records import export

    request = _request(limit or None)
    started = time.perf_counter()
    rows = export.write_xlsx(request, path)
    print(json.dumps({"rows": rows, "seconds": time.perf_counter() - started, "maxrss_mb": _maxrss_mb()}))


def measure_openpyxl(path):
    """The floor: openpyxl write-only writing the same number of rows of the same values per sheet
    (the export's own first rows, cycled, read before the clock starts), headers included."""
    _setup_django()
    import itertools

    from openpyxl import Workbook

    from lms.records import export

    request = _request()
    sheets = []
    for table, title, headers, _widths, rows in export.tables():
        counts = request.total_rows((table,))  # every sheet, the plan's batches included
        sample = list(itertools.islice(rows(request), 5000)) or [[None] * len(headers)]
        sheets.append((title, headers, sample, counts))
    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    for title, headers, sample, count in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(headers)
        for row in itertools.islice(itertools.cycle(sample), count):
            sheet.append(row)
    workbook.save(path)
    print(json.dumps({"rows": sum(s[3] for s in sheets), "seconds": time.perf_counter() - started}))


# --- orchestration -------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000, help="Persons in the small memory run.")
    parser.add_argument("--entries-per-person", type=int, default=20)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/touyan_bench_export")
    parser.add_argument("--keep", action="store_true", help="Reuse the database if it already has the data.")
    args = parser.parse_args()

    RESULTS.mkdir(exist_ok=True)
    env = {**os.environ, "DATABASE_URL": args.database_url, "DJANGO_SETTINGS_MODULE": "lms.settings.test"}
    env.pop("REDIS_URL", None)
    if not args.keep:
        recreate(args.database_url)
        print(f"migrate: {manage(env, 'migrate', '-v0'):.1f} s", flush=True)
        print(f"generate_scale_data --people {args.people}: "
              f"{manage(env, 'generate_scale_data', '--people', str(args.people), '-v0'):.1f} s", flush=True)
        filled = child(env, "--fill", str(args.entries_per_person))
        print(f"ledger entries: {filled['entries']} in {filled['seconds']:.1f} s", flush=True)

    results = {}
    for table in ("activities", "summary"):
        ours = child(env, "--csv", table, str(RESULTS / f"export-{table}.csv"))
        floor = child(env, "--copy", table, str(RESULTS / f"copy-{table}.csv"))
        results[f"csv-{table}"] = (ours, floor)
        print(f"CSV {table}: {ours['rows']} rows in {ours['seconds']:.2f} s; COPY {floor['seconds']:.2f} s; "
              f"ratio {ours['seconds'] / floor['seconds']:.2f} (goal ≤ 3)", flush=True)
    big = child(env, "--xlsx", str(RESULTS / "export.xlsx"), "0")
    floor = child(env, "--openpyxl", str(RESULTS / "openpyxl.xlsx"))
    print(f"XLSX: {big['rows']} rows in {big['seconds']:.1f} s; openpyxl alone {floor['rows']} rows in "
          f"{floor['seconds']:.1f} s; ratio {big['seconds'] / floor['seconds']:.2f} (goal ≤ 1.5)", flush=True)
    small = child(env, "--xlsx", str(RESULTS / "export-small.xlsx"), str(args.small))
    print(f"peak memory (ru_maxrss) of the XLSX export: {args.small} persons ({small['rows']} rows) "
          f"{small['maxrss_mb']:.0f} MB; {args.people} persons ({big['rows']} rows) {big['maxrss_mb']:.0f} MB; "
          f"ratio {big['maxrss_mb'] / small['maxrss_mb']:.2f} (goal ≤ 1.2)", flush=True)
    csv_big = results["csv-activities"][0]
    csv_small = child(env, "--csv", "activities", str(RESULTS / "export-small-activities.csv"), str(args.small))
    print(f"peak memory of the CSV detail export: {args.small} persons ({csv_small['rows']} rows) "
          f"{csv_small['maxrss_mb']:.0f} MB; {args.people} persons ({csv_big['rows']} rows) "
          f"{csv_big['maxrss_mb']:.0f} MB; ratio {csv_big['maxrss_mb'] / csv_small['maxrss_mb']:.2f} (goal ≤ 1.2)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--fill":
        fill(int(sys.argv[2]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--csv":
        measure_csv(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 0)
    elif len(sys.argv) > 1 and sys.argv[1] == "--copy":
        measure_copy(sys.argv[2], sys.argv[3])
    elif len(sys.argv) > 1 and sys.argv[1] == "--xlsx":
        measure_xlsx(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--openpyxl":
        measure_openpyxl(sys.argv[2])
    else:
        main()
