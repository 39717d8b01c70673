"""The demo's six micro-videos: real, small, playable H.264 files made at load time, as video
lessons of the 党员教育微视频 course; loading again renders nothing."""

import io

import pytest
from django.core.management import call_command
from wagtailmedia.models import get_media_model

from courses.media import read_media_info
from courses.models import CoursePage, ProgramPage, VideoLessonPage
from lms.demo import curriculum
from lms.demo.catalogue import ensure_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="session")
def demo_media_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture
def media_root(settings, demo_media_dir):
    """One media directory for these tests, so the films are rendered once per run."""
    settings.MEDIA_ROOT = demo_media_dir
    return demo_media_dir


def micro_course():
    return CoursePage.objects.child_of(ProgramPage.objects.get(slug="micro-videos")).get(slug="2026")


def test_it_gives_the_micro_video_course_six_playable_films(media_root):
    call_command("load_demo_data", verbosity=0, stdout=io.StringIO())
    lessons = VideoLessonPage.objects.child_of(micro_course()).live().order_by("path")
    titles = [lesson.title for lesson in lessons]
    assert len(titles) == 6
    assert titles[:2] == ["《坚守平凡》", "《不忘初心、与你同行》"]
    for lesson, film in zip(lessons, curriculum.MICRO_VIDEOS):
        media = lesson.video
        assert media.type == "video" and media.url.startswith("/media/media/demo/")
        path = media_root / media.file.name
        assert 30_000 < path.stat().st_size < 1_000_000
        duration, width, height = read_media_info(open(path, "rb"))
        assert 30 <= duration <= 90 and duration == pytest.approx(film["seconds"], abs=0.5)
        assert media.duration == pytest.approx(duration, abs=0.01)
        assert (width, height) == (320, 180)
        assert lesson.subtitles.file.name.endswith(".vtt")
        assert lesson.subtitles.file.read().decode().startswith("WEBVTT")
        lesson.full_clean()


# The two tests below build only the catalogue (where the films are made; load_demo_data calls
# ensure_catalogue, as the first test shows): the rest of the demo takes most of a load's time.

def test_it_renders_the_films_only_once(media_root):
    ensure_catalogue()
    Media = get_media_model()
    files = {m.file.name: (media_root / m.file.name).stat().st_mtime_ns for m in Media.objects.all()}
    catalogue = ensure_catalogue()
    assert catalogue.videos_rendered == 0 and catalogue.pages_created == 0
    assert {m.file.name: (media_root / m.file.name).stat().st_mtime_ns for m in Media.objects.all()} == files
    assert Media.objects.count() == 6


def test_it_renders_a_missing_or_broken_file_again(media_root):
    ensure_catalogue()
    media = VideoLessonPage.objects.child_of(micro_course()).first().video
    (media_root / media.file.name).write_bytes(b"broken")
    assert ensure_catalogue().videos_rendered == 1
    read_media_info(open(media_root / media.file.name, "rb"))
