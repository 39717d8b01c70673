"""/media/<path>: uploaded files behind a login check, with HTTP Range support for video seeking,
and hand-off to the proxy (X-Accel-Redirect / X-Sendfile) in production."""

import pytest

pytestmark = pytest.mark.django_db

CONTENT = bytes(range(256)) * 4  # 1024 bytes, every offset distinguishable
SIZE = len(CONTENT)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    (settings.MEDIA_ROOT / "media").mkdir()
    (settings.MEDIA_ROOT / "media" / "lecture.mp4").write_bytes(CONTENT)
    (settings.MEDIA_ROOT / "images").mkdir()
    (settings.MEDIA_ROOT / "images" / "cover.png").write_bytes(b"\x89PNG fake image")
    (settings.MEDIA_ROOT / "documents").mkdir()
    (settings.MEDIA_ROOT / "documents" / "notes.pdf").write_bytes(b"%PDF-1.4 private")
    (tmp_path / "secret.txt").write_bytes(b"outside the media root")
    return settings.MEDIA_ROOT


@pytest.fixture
def learner(client_for, secretary):
    return client_for(secretary)


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_it_serves_a_file_to_a_logged_in_user(media_root, learner):
    response = learner.get("/media/media/lecture.mp4")
    assert response.status_code == 200
    assert body(response) == CONTENT
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Length"] == str(SIZE)
    assert response["Accept-Ranges"] == "bytes"
    assert "private" in response["Cache-Control"]


def test_it_sends_anonymous_users_to_the_login_page(media_root, client):
    for path in ("/media/media/lecture.mp4", "/media/documents/notes.pdf"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={path}"


def test_it_serves_public_images_to_anonymous_users(media_root, client):
    response = client.get("/media/images/cover.png")
    assert response.status_code == 200
    assert body(response) == b"\x89PNG fake image"
    assert response["Content-Type"] == "image/png"


def test_it_404s_a_missing_file(media_root, learner, client):
    assert learner.get("/media/media/missing.mp4").status_code == 404
    assert client.get("/media/images/missing.png").status_code == 404


def test_it_404s_a_directory(media_root, learner):
    assert learner.get("/media/media").status_code == 404
    assert learner.get("/media/media/").status_code == 404


@pytest.mark.parametrize("path", ["/media/../secret.txt", "/media/media/../../secret.txt",
                                  "/media/%2e%2e/secret.txt", "/media//etc/passwd"])
def test_it_refuses_paths_outside_the_media_root(media_root, learner, path):
    assert learner.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/media/images/../documents/notes.pdf", "/media/images/%2e%2e/documents/notes.pdf",
                                  "/media/images/../media/lecture.mp4"])
def test_it_does_not_let_the_public_prefix_reach_private_files(media_root, client, path):
    response = client.get(path)
    assert response.status_code in (302, 404)
    assert b"private" not in body(response)
    assert b"PDF" not in body(response)


def test_it_serves_a_byte_range(media_root, learner):
    response = learner.get("/media/media/lecture.mp4", HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 0-9/{SIZE}"
    assert response["Content-Length"] == "10"
    assert body(response) == CONTENT[:10]


def test_it_serves_a_range_in_the_middle(media_root, learner):
    response = learner.get("/media/media/lecture.mp4", HTTP_RANGE="bytes=300-555")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 300-555/{SIZE}"
    assert body(response) == CONTENT[300:556]


def test_it_serves_a_suffix_range(media_root, learner):
    response = learner.get("/media/media/lecture.mp4", HTTP_RANGE="bytes=-5")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {SIZE - 5}-{SIZE - 1}/{SIZE}"
    assert body(response) == CONTENT[-5:]


def test_it_serves_a_suffix_longer_than_the_file_whole(media_root, learner):
    response = learner.get("/media/media/lecture.mp4", HTTP_RANGE=f"bytes=-{SIZE * 2}")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 0-{SIZE - 1}/{SIZE}"
    assert body(response) == CONTENT


def test_it_serves_an_open_ended_range(media_root, learner):
    response = learner.get("/media/media/lecture.mp4", HTTP_RANGE="bytes=10-")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 10-{SIZE - 1}/{SIZE}"
    assert response["Content-Length"] == str(SIZE - 10)
    assert body(response) == CONTENT[10:]


def test_it_clamps_a_range_past_the_end(media_root, learner):
    response = learner.get("/media/media/lecture.mp4", HTTP_RANGE=f"bytes=1000-{SIZE + 500}")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 1000-{SIZE - 1}/{SIZE}"
    assert body(response) == CONTENT[1000:]


def test_it_streams_a_range_instead_of_reading_it_into_memory(media_root, learner):
    response = learner.get("/media/media/lecture.mp4", HTTP_RANGE="bytes=0-")
    assert response.status_code == 206
    assert response.streaming
    assert body(response) == CONTENT


@pytest.mark.parametrize("header", [f"bytes={SIZE}-", f"bytes={SIZE + 10}-{SIZE + 20}", "bytes=-0", "bytes=9-3"])
def test_it_answers_416_to_an_unsatisfiable_range(media_root, learner, header):
    response = learner.get("/media/media/lecture.mp4", HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"


@pytest.mark.parametrize("header", ["bytes=abc", "items=0-9", "bytes=-", "bytes=0-9,20-29", "garbage"])
def test_it_ignores_a_malformed_or_multi_range(media_root, learner, header):
    response = learner.get("/media/media/lecture.mp4", HTTP_RANGE=header)
    assert response.status_code == 200
    assert body(response) == CONTENT


def test_it_answers_head(media_root, learner):
    response = learner.head("/media/media/lecture.mp4")
    assert response.status_code == 200
    assert response["Content-Length"] == str(SIZE)
    assert body(response) == b""


def test_it_answers_head_with_a_range(media_root, learner):
    response = learner.head("/media/media/lecture.mp4", HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 0-9/{SIZE}"
    assert body(response) == b""


def test_it_refuses_other_methods(media_root, learner):
    assert learner.post("/media/media/lecture.mp4").status_code == 405


def test_it_hands_the_file_to_nginx_with_x_accel_redirect(media_root, learner, settings):
    settings.MEDIA_SERVE_METHOD = "x-accel-redirect"
    settings.MEDIA_INTERNAL_PREFIX = "/protected-media/"
    response = learner.get("/media/media/lecture.mp4", HTTP_RANGE="bytes=0-9")
    assert response.status_code == 200  # nginx answers the range itself
    assert response["X-Accel-Redirect"] == "/protected-media/media/lecture.mp4"
    assert response["Content-Type"] == "video/mp4"
    assert body(response) == b""


def test_it_checks_access_before_handing_off(media_root, client, settings):
    settings.MEDIA_SERVE_METHOD = "x-accel-redirect"
    response = client.get("/media/media/lecture.mp4")
    assert response.status_code == 302
    assert "X-Accel-Redirect" not in response


def test_it_does_not_hand_off_a_path_outside_the_media_root(media_root, learner, settings):
    settings.MEDIA_SERVE_METHOD = "x-accel-redirect"
    response = learner.get("/media/media/../../secret.txt")
    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response


def test_it_hands_the_file_to_apache_with_x_sendfile(media_root, learner, settings):
    settings.MEDIA_SERVE_METHOD = "x-sendfile"
    response = learner.get("/media/media/lecture.mp4")
    assert response.status_code == 200
    assert response["X-Sendfile"] == str((media_root / "media" / "lecture.mp4").resolve())
    assert body(response) == b""
