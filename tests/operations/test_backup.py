"""`manage.py backup` / `restore` round-trip the database and the uploaded files, and refuse
archives that are not a complete Touyan backup of this engine."""

import io
import json
import tarfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from lms.people.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "certificates").mkdir(parents=True)
    return settings.MEDIA_ROOT


def test_it_round_trips_the_database_and_the_media(media, tmp_path, secretary, other_secretary):
    certificate = media / "certificates" / "QX-2026-000001.pdf"
    certificate.write_bytes(b"%PDF-1.7 certificate of record")
    archive = tmp_path / "backup.tar.gz"
    out = io.StringIO()
    call_command("backup", output=archive, stdout=out)
    assert "backup.tar.gz" in out.getvalue()

    # Everything after the backup is lost by the restore: a deletion, a new row, a changed and a new file.
    deleted_pk = other_secretary.pk
    Person.objects.filter(pk=deleted_pk).delete()
    Person.objects.filter(pk=secretary.pk).update(name="改过的名字")
    certificate.write_bytes(b"changed")
    (media / "stray.txt").write_text("after the backup")

    call_command("restore", archive, yes=True, stdout=io.StringIO())
    assert Person.objects.get(pk=secretary.pk).name == secretary.name
    assert Person.objects.filter(pk=deleted_pk).exists()
    assert certificate.read_bytes() == b"%PDF-1.7 certificate of record"
    assert not (media / "stray.txt").exists()


def test_the_manifest_counts_the_rows_of_the_dump(media, tmp_path, secretary):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = tar.getnames()
    assert manifest["engine"] == connection.vendor
    assert manifest["tables"]["people_person"] == Person.objects.count() >= 1
    assert {"manifest.json", "media", "media/certificates"} <= set(names)


def _rewrite(archive, target, change):
    """Copy `archive` to `target`, passing the manifest through `change`."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            data = source.extractfile(member) if member.isfile() else None
            if member.name == "manifest.json":
                content = json.dumps(change(json.load(data))).encode()
                member.size, data = len(content), io.BytesIO(content)
            copy.addfile(member, data)


def test_it_refuses_a_backup_whose_rows_do_not_match_its_manifest(media, tmp_path, secretary):
    archive, damaged = tmp_path / "backup.tar.gz", tmp_path / "damaged.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    _rewrite(archive, damaged, lambda manifest: {**manifest, "tables": {**manifest["tables"], "people_person": 999}})
    with pytest.raises(CommandError, match="people_person"):
        call_command("restore", damaged, yes=True, stdout=io.StringIO())


def test_it_refuses_a_backup_of_the_other_engine(media, tmp_path, secretary):
    archive, other = tmp_path / "backup.tar.gz", tmp_path / "other.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    other_engine = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    _rewrite(archive, other, lambda manifest: {**manifest, "engine": other_engine})
    with pytest.raises(CommandError, match=other_engine):
        call_command("restore", other, yes=True, stdout=io.StringIO())
    assert Person.objects.filter(pk=secretary.pk).exists()


def test_it_refuses_what_is_not_a_backup(media, tmp_path, secretary):
    not_a_backup = tmp_path / "photos.tar.gz"
    with tarfile.open(not_a_backup, "w:gz") as tar:
        content = b"just a file"
        member = tarfile.TarInfo("photo.jpg")
        member.size = len(content)
        tar.addfile(member, io.BytesIO(content))
    with pytest.raises(CommandError, match="manifest.json"):
        call_command("restore", not_a_backup, yes=True, stdout=io.StringIO())
    with pytest.raises(CommandError, match="No such backup"):
        call_command("restore", tmp_path / "missing.tar.gz", yes=True, stdout=io.StringIO())
    assert Person.objects.filter(pk=secretary.pk).exists()
