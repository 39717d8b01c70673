"""Video lessons: the page type, the media library reading durations from uploaded files, the
course's video settings, and the video file behind the login-checked /media/ view."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtailmedia.models import get_media_model

from courses.media import UnreadableMedia, read_media_info
from courses.models import CoursePage, VideoLessonPage
from lms.demo.videos import render_video
from lms.learning.models import Enrollment, EnrollmentSource

pytestmark = pytest.mark.django_db
Media = get_media_model()


@pytest.fixture(scope="session")
def small_video():
    """Three seconds of real H.264 MP4."""
    return render_video("测试", 3, (10, 80, 160))


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def test_it_reads_the_duration_and_size_of_a_video(small_video):
    duration, width, height = read_media_info(io.BytesIO(small_video))
    assert duration == pytest.approx(3, abs=0.2)
    assert (width, height) == (320, 180)


@pytest.mark.parametrize("data", [b"", b"not a video at all", b"\x00" * 4096, b"%PDF-1.4\n"])
def test_it_refuses_files_it_cannot_read(data):
    with pytest.raises(UnreadableMedia):
        read_media_info(io.BytesIO(data))


def test_it_fills_in_the_duration_when_media_is_saved_without_one(media_root, small_video):
    media = Media(title="片子", type="video")
    media.file.save("clip.mp4", ContentFile(small_video), save=False)
    media.save()
    media.refresh_from_db()
    assert media.duration == pytest.approx(3, abs=0.2)
    assert (media.width, media.height) == (320, 180)


def test_it_leaves_an_unreadable_file_without_a_duration_and_the_page_refuses_it(media_root, course):
    media = Media(title="坏文件", type="video")
    media.file.save("broken.mp4", ContentFile(b"garbage"), save=False)
    media.save()
    assert not media.duration
    page = VideoLessonPage(title="坏视频", slug="broken", video=media)
    with pytest.raises(ValidationError) as raised:
        page.clean()
    assert "video" in raised.value.message_dict


def test_the_upload_form_reads_the_duration(media_root, client_for, trainer, small_video):
    response = client_for(trainer).post(reverse("wagtailmedia:add", args=["video"]), {
        "title": "新视频", "file": SimpleUploadedFile("new.mp4", small_video, content_type="video/mp4"),
        "collection": 1, "tags": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    media = Media.objects.get(title="新视频")
    assert media.duration == pytest.approx(3, abs=0.2)
    assert media.file.name.startswith("media/")


def test_the_upload_form_refuses_an_unreadable_file_without_a_500(media_root, client_for, trainer):
    response = client_for(trainer).post(reverse("wagtailmedia:add", args=["video"]), {
        "title": "坏视频", "file": SimpleUploadedFile("bad.mp4", b"this is not a video", content_type="video/mp4"),
        "collection": 1, "tags": "",
    })
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not Media.objects.filter(title="坏视频").exists()


def test_it_refuses_audio_and_non_vtt_subtitles(course, media_root):
    audio = Media.objects.create(title="录音", type="audio", duration=30, file="media/a.mp3")
    page = VideoLessonPage(title="音频", slug="audio", video=audio)
    with pytest.raises(ValidationError) as raised:
        page.clean()
    assert "video" in raised.value.message_dict
    video = Media.objects.create(title="视频", type="video", duration=30, file="media/v.mp4")
    Document = get_document_model()
    pdf = Document(title="讲义")
    pdf.file.save("notes.pdf", ContentFile(b"%PDF-1.4"), save=False)
    pdf.save()
    page = VideoLessonPage(title="视频", slug="v", video=video, subtitles=pdf)
    with pytest.raises(ValidationError) as raised:
        page.clean()
    assert "subtitles" in raised.value.message_dict


def test_it_has_video_settings_per_course(course):
    assert course.video_completion_percent == 90
    assert float(course.video_max_playback_rate) == 1.25
    assert course.video_presence_check is False
    course.video_completion_percent = 0
    with pytest.raises(ValidationError):
        course.full_clean()
    assert "video_presence_check" in {f.name for f in CoursePage._meta.get_fields()}


def test_it_shows_the_player_to_an_enrolled_learner(client_for, secretary, course, video_lesson):
    Enrollment.enrol(secretary, course, EnrollmentSource.BULK)
    response = client_for(secretary).get(video_lesson.url)
    assert response.status_code == 200
    content = response.content.decode()
    assert '<video id="lesson-video"' in content and "controls" in content
    assert video_lesson.video.url in content and video_lesson.video.url.startswith("/media/")
    assert "js/video-player.js" in content
    player = response.context["player"]
    assert player["heartbeatUrl"] == reverse("lesson-heartbeat", args=[video_lesson.pk])
    assert player["maxRate"] == 1.25 and player["threshold"] == 90 and player["duration"] == 60
    assert "视频，时长 1:00" in content


@pytest.mark.parametrize("seconds, clock", [(0, "0:00"), (65, "1:05"), (3723, "1:02:03")])
def test_it_shows_the_duration_as_a_clock(video_lesson, seconds, clock):
    video_lesson.video.duration = seconds
    assert video_lesson.duration_clock == clock


def test_it_shows_the_video_without_tracking_to_someone_not_enrolled(client_for, other_secretary, video_lesson):
    response = client_for(other_secretary).get(video_lesson.url)
    assert response.status_code == 200
    assert response.context["player"]["heartbeatUrl"] == ""


def test_it_sends_anonymous_visitors_to_the_login_page(client, video_lesson):
    response = client.get(video_lesson.url)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_it_offers_subtitles_as_a_captions_track(client_for, secretary, course, make_video_lesson, media_root):
    Document = get_document_model()
    vtt = Document(title="字幕")
    vtt.file.save("subs.vtt", ContentFile(b"WEBVTT\n\n00:00.000 --> 00:02.000\n\xe4\xbd\xa0\xe5\xa5\xbd\n"),
                  save=False)
    vtt.save()
    lesson = make_video_lesson("有字幕的视频", subtitles=vtt)
    Enrollment.enrol(secretary, course, EnrollmentSource.BULK)
    client = client_for(secretary)
    content = client.get(lesson.url).content.decode()
    assert f'<track kind="subtitles" src="{vtt.file.url}"' in content
    response = client.get(vtt.file.url)
    assert response.status_code == 200 and response["Content-Type"] == "text/vtt"


def test_the_video_file_is_served_by_the_protected_media_view(client, client_for, secretary, media_root,
                                                              small_video):
    media = Media(title="片子", type="video")
    media.file.save("clip.mp4", ContentFile(small_video), save=False)
    media.save()
    assert media.url.startswith("/media/media/")
    anonymous = client.get(media.url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    response = client_for(secretary).get(media.url, HTTP_RANGE="bytes=0-99")
    assert response.status_code == 206 and response["Content-Type"] == "video/mp4"
    assert response["Content-Range"] == f"bytes 0-99/{len(small_video)}"


def test_it_asks_still_watching_when_the_course_enables_it(client_for, secretary, course, video_lesson):
    Enrollment.enrol(secretary, course, EnrollmentSource.BULK)
    client = client_for(secretary)
    assert 'id="presence-dialog"' not in client.get(video_lesson.url).content.decode()
    course.video_presence_check = True
    course.save_revision().publish()
    response = client.get(video_lesson.url)
    assert response.context["player"]["presenceCheck"] is True
    content = response.content.decode()
    assert 'id="presence-dialog"' in content and "data-presence-confirm" in content


def test_a_trainer_can_open_the_video_lesson_editor(client_for, trainer, course):
    url = reverse("wagtailadmin_pages:add", args=["courses", "videolessonpage", course.pk])
    response = client_for(trainer).get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="video"' in content and 'name="subtitles"' in content and 'name="poster"' in content
