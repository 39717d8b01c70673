"""Backup and restore: the database and MEDIA_ROOT in one .tar.gz archive.

    python manage.py backup --output /var/backups/touyan-2026-11-30.tar.gz
    python manage.py restore /var/backups/touyan-2026-11-30.tar.gz --yes

The archive holds:
- `database.sqlite3` (SQLite, copied with SQLite's online backup API, so a running server's writes
  never leave it half-written) or `database.pgdump` (PostgreSQL, `pg_dump --format=custom`, itself
  a consistent snapshot);
- `media/`, every uploaded file: certificates of record, videos, documents, images, exports;
- `manifest.json`: when, which engine, and the row count of every table, which `restore` checks
  after restoring so a damaged or partial archive fails loudly instead of silently losing rows.

Restoring replaces the database and the media folder with the archive's: stop the web and task
processes first. A restore into the other engine is refused (dumpdata/loaddata move data between
engines)."""

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

MANIFEST = "manifest.json"
MEDIA_DIR = "media"
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why (shown to the operator)."""


def table_counts(cursor, tables):
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def live_table_counts():
    """Row count of every table of the configured database."""
    with connection.cursor() as cursor:
        return table_counts(cursor, connection.introspection.table_names(cursor))


def _engine():
    vendor = connection.vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(f"Unsupported database engine: {vendor}")
    return vendor


def _pg_env():
    """libpq environment for pg_dump/pg_restore from Django's connection settings (no password on
    the command line)."""
    db = connection.settings_dict
    env = dict(os.environ)
    for key, value in (("PGHOST", db.get("HOST")), ("PGPORT", db.get("PORT")), ("PGUSER", db.get("USER")),
                       ("PGPASSWORD", db.get("PASSWORD")), ("PGDATABASE", db.get("NAME"))):
        if value:
            env[key] = str(value)
    return env


def _run(command):
    result = subprocess.run(command, env=_pg_env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def _dump_database(engine, target: Path) -> dict:
    """Write a consistent copy of the database to `target`; return the row counts of that copy
    (taken from the same snapshot, so a server writing meanwhile cannot make them disagree)."""
    if engine == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
            cursor = copy.cursor()
            tables = [name for (name,) in cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
            return table_counts(cursor, tables)
        finally:
            copy.close()
    with transaction.atomic(), connection.cursor() as cursor:
        # pg_dump reads the snapshot this transaction exports, so the counts match the dump.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = table_counts(cursor, connection.introspection.table_names(cursor))
        _run(["pg_dump", "--format=custom", "--no-owner", "--snapshot", snapshot, "--file", str(target)])
        return counts


def _restore_database(engine, source: Path):
    if engine == "sqlite":
        connection.ensure_connection()
        origin = sqlite3.connect(source)
        try:
            origin.backup(connection.connection)
        finally:
            origin.close()
    else:
        connection.close()  # no open transaction or cached state of the tables about to be replaced
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--dbname", connection.settings_dict["NAME"], str(source)])


def backup(output: Path) -> dict:
    """Write the archive to `output` and return its manifest."""
    engine = _engine()
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / DUMP_NAMES[engine]
        manifest = {"created_at": datetime.datetime.now(datetime.timezone.utc).isoformat(), "engine": engine,
                    "tables": _dump_database(engine, dump)}
        (Path(scratch) / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(Path(scratch) / MANIFEST, arcname=MANIFEST)
            archive.add(dump, arcname=dump.name)
            if media_root.is_dir():
                archive.add(media_root, arcname=MEDIA_DIR, filter=_skip_dotfiles)
        partial.replace(output)  # a crash mid-way never leaves something that looks like a backup
    return manifest


def _skip_dotfiles(member):
    return None if Path(member.name).name.startswith(".") else member


def restore(archive_path: Path) -> dict:
    """Replace the database and MEDIA_ROOT with the archive's; check the row counts; return the
    manifest."""
    engine = _engine()
    with tempfile.TemporaryDirectory() as scratch, tarfile.open(archive_path, "r:gz") as archive:
        archive.extractall(scratch, filter="data")  # refuses absolute paths, "..", devices and links out
        scratch = Path(scratch)
        try:
            manifest = json.loads((scratch / MANIFEST).read_text())
        except (FileNotFoundError, ValueError) as error:
            raise BackupError(f"Not a Touyan backup (no readable {MANIFEST}): {error}") from error
        if manifest.get("engine") != engine:
            raise BackupError(f"The backup is of a {manifest.get('engine')} database; this one is {engine}.")
        dump = scratch / DUMP_NAMES[engine]
        if not dump.is_file():
            raise BackupError(f"The archive has no {dump.name}.")
        _restore_database(engine, dump)
        _replace_media(scratch / MEDIA_DIR)
    restored = live_table_counts()
    differences = {table: (count, restored.get(table)) for table, count in manifest["tables"].items()
                   if restored.get(table) != count}
    if differences:
        raise BackupError(f"Restored row counts differ from the backup's (table: expected, found): {differences}")
    return manifest


def _replace_media(source: Path):
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    for child in media_root.iterdir():
        if child.name.startswith("."):
            continue  # .gitignore and the like belong to the checkout, not to the data
        shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    if source.is_dir():
        shutil.copytree(source, media_root, dirs_exist_ok=True)
