"""/media/<path> serves only the content libraries' directories: public catalogue images to anyone,
course material (videos, thumbnails, documents) to logged-in users, and nothing else — owner-only
files (certificates, HR exports, any directory a later app adds) are 404 for everyone here, with
no path trick reaching them. Wagtail's document view needs a login too."""

import os

import pytest
from django.core.files.base import ContentFile

pytestmark = pytest.mark.django_db

FILES = {
    "images/cover.png": b"\x89PNG public",
    "original_images/cover.png": b"\x89PNG original",
    "media/lecture.mp4": b"video bytes",
    "media_thumbnails/lecture.jpg": b"thumbnail bytes",
    "documents/notes.pdf": b"%PDF-1.4 handout",
    "certificates/2026/TY-2026-000001.pdf": b"%PDF-1.4 certificate of record",
    "records/exports/abc/training-records-2026.xlsx": b"PK export",
    "imports/roster.xlsx": b"PK roster",
    "other/secret.txt": b"owner-only",
}
SECRET_MARKERS = (b"certificate of record", b"PK export", b"PK roster", b"owner-only")


@pytest.fixture
def media_root(settings, tmp_path):
    root = tmp_path / "media"
    for name, content in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    settings.MEDIA_ROOT = root
    return root


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def clients(client_for, secretary, training_office, hr, superuser):
    return {"anonymous": client_for(None), "secretary": client_for(secretary),
            "training_office": client_for(training_office), "hr": client_for(hr), "superuser": client_for(superuser)}


@pytest.mark.parametrize("path", ["images/cover.png", "original_images/cover.png"])
def test_it_serves_catalogue_images_to_anyone(media_root, clients, path):
    for client in clients.values():
        response = client.get(f"/media/{path}")
        assert response.status_code == 200
        assert body(response) == FILES[path]


@pytest.mark.parametrize("path", ["media/lecture.mp4", "media_thumbnails/lecture.jpg", "documents/notes.pdf"])
def test_it_serves_course_material_to_logged_in_users_only(media_root, clients, path):
    assert clients["anonymous"].get(f"/media/{path}").status_code == 302
    for who in ("secretary", "training_office", "superuser"):
        response = clients[who].get(f"/media/{path}")
        assert response.status_code == 200, who
        assert body(response) == FILES[path]


@pytest.mark.parametrize("path", ["certificates/2026/TY-2026-000001.pdf",
                                  "records/exports/abc/training-records-2026.xlsx",
                                  "imports/roster.xlsx", "other/secret.txt"])
def test_it_never_serves_owner_only_files(media_root, clients, path):
    """Not even to a superuser or the export's own HR: their apps serve them through views that
    check the owner; anonymous users get the same 404 (no login redirect hinting it exists)."""
    for who, client in clients.items():
        response = client.get(f"/media/{path}")
        assert response.status_code == 404, who
        assert not any(marker in body(response) for marker in SECRET_MARKERS)


@pytest.mark.parametrize("path", [
    "/media/images/../certificates/2026/TY-2026-000001.pdf",
    "/media/media/../certificates/2026/TY-2026-000001.pdf",
    "/media/documents/%2e%2e/records/exports/abc/training-records-2026.xlsx",
    "/media/media/%2E%2E/%2E%2E/media/../certificates/2026/TY-2026-000001.pdf",
    "/media/media%2F..%2Fcertificates%2F2026%2FTY-2026-000001.pdf",
    "/media/media/..%2fcertificates/2026/TY-2026-000001.pdf",
    "/media//certificates/2026/TY-2026-000001.pdf",
    "/media/media//../certificates/2026/TY-2026-000001.pdf",
    "/media/./certificates/2026/TY-2026-000001.pdf",
    "/media/certificates//2026/TY-2026-000001.pdf",
    "/media/media/..\\certificates/2026/TY-2026-000001.pdf",
    "/media/media%5C..%5Ccertificates/2026/TY-2026-000001.pdf",
    "/media/media/lecture.mp4%00/../../certificates/2026/TY-2026-000001.pdf",
    "/media/Certificates/2026/TY-2026-000001.pdf",
])
def test_it_lets_no_path_trick_reach_an_owner_only_file(media_root, clients, path):
    for who, client in clients.items():
        response = client.get(path)
        assert response.status_code in (302, 404), (who, response.status_code)
        assert not any(marker in body(response) for marker in SECRET_MARKERS), who


def test_it_follows_a_symlink_to_where_the_file_really_is(media_root, clients):
    os.symlink(media_root / "certificates", media_root / "media" / "linked")
    response = clients["secretary"].get("/media/media/linked/2026/TY-2026-000001.pdf")
    assert response.status_code == 404
    assert body(response) != FILES["certificates/2026/TY-2026-000001.pdf"]


def test_it_keeps_owner_only_files_behind_the_proxy_hand_off_too(media_root, clients, settings):
    settings.MEDIA_SERVE_METHOD = "x-accel-redirect"
    assert clients["superuser"].get("/media/certificates/2026/TY-2026-000001.pdf").status_code == 404
    response = clients["secretary"].get("/media/media/lecture.mp4")
    assert response["X-Accel-Redirect"] == "/protected-media/media/lecture.mp4"


def test_it_serves_an_export_only_through_its_download_view(media_root, clients, hr, training_office):
    """The HR export's own file: 404 at /media/ for its owner too; its download view serves it to
    the person who asked for it and nobody else on staff."""
    from django.urls import reverse

    from lms.records.models import ExportJob, ExportStatus

    job = ExportJob.objects.create(requested_by=hr.user, year=2026, status=ExportStatus.DONE)
    job.file.save(job.filename(), ContentFile(b"PK the real export"), save=True)
    assert clients["hr"].get(f"/media/{job.file.name}").status_code == 404
    download = reverse("records_export_download", args=[job.pk])
    assert body(clients["hr"].get(download)) == b"PK the real export"
    assert clients["training_office"].get(download).status_code == 404


def test_it_asks_anonymous_users_to_log_in_for_a_wagtail_document(media_root, clients):
    from wagtail.documents import get_document_model

    document = get_document_model().objects.create(title="讲义", file=ContentFile(b"%PDF-1.4 handout",
                                                                                   name="handout.pdf"))
    url = f"/documents/{document.pk}/{document.filename}"
    response = clients["anonymous"].get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    response = clients["secretary"].get(url)
    assert response.status_code == 200
    assert body(response) == b"%PDF-1.4 handout"
