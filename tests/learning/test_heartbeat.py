"""POST /me/lessons/<id>/heartbeat/: the video player's reports, credited by the rules of
lms.learning.heartbeat (unique seconds, wall-clock × rate cap, one active playback, completion)."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from lms.learning import coverage
from lms.learning.models import Enrollment, EnrollmentSource, LessonProgress

pytestmark = pytest.mark.django_db

TAB_A = "tab-a-0123456789"
TAB_B = "tab-b-0123456789"


def url(lesson):
    return reverse("lesson-heartbeat", args=[lesson.pk])


@pytest.fixture
def learner(secretary, course):
    Enrollment.enrol(secretary, course, EnrollmentSource.BULK)
    return secretary


@pytest.fixture
def player(client_for, learner, video_lesson, clock):
    """Sends reports as the enrolled learner; `beat(after, intervals)` advances the clock first."""

    class Player:
        def __init__(self, client, lesson, playback=TAB_A):
            self.client, self.lesson, self.playback = client, lesson, playback

        def send(self, event="beat", intervals=(), position=None, playback=None, **extra):
            data = {"playback": playback or self.playback, "event": event,
                    "intervals": json.dumps([list(i) for i in intervals])}
            if position is not None:
                data["position"] = position
            data.update(extra)
            return self.client.post(url(self.lesson), data)

        def start(self, **kwargs):
            return self.send("start", **kwargs)

        def beat(self, after, intervals, **kwargs):
            clock.advance(after)
            return self.send("beat", intervals, **kwargs)

    return Player(client_for(learner), video_lesson)


def progress_of(person, lesson):
    return LessonProgress.objects.get(person=person, lesson_id=lesson.pk)


# --- access ---------------------------------------------------------------------------------------

def test_it_refuses_anonymous_reports(client, video_lesson):
    response = client.post(url(video_lesson), {"playback": TAB_A, "event": "start"})
    assert response.status_code == 403
    assert response.json()["ok"] is False
    assert not LessonProgress.objects.exists()


def test_it_refuses_learners_not_enrolled(client_for, other_secretary, video_lesson):
    response = client_for(other_secretary).post(url(video_lesson), {"playback": TAB_A, "event": "start"})
    assert response.status_code == 403
    assert not LessonProgress.objects.exists()


def test_it_refuses_after_withdrawal(client_for, learner, course, video_lesson):
    Enrollment.objects.get(person=learner, course=course).withdraw()
    response = client_for(learner).post(url(video_lesson), {"playback": TAB_A, "event": "start"})
    assert response.status_code == 403


def test_it_refuses_a_user_without_a_person(client_for, superuser, video_lesson):
    superuser.person.delete()
    superuser.refresh_from_db()
    assert client_for(superuser).post(url(video_lesson), {"playback": TAB_A}).status_code == 403


def test_it_answers_404_for_other_pages_and_unpublished_lessons(client_for, learner, lesson, make_video_lesson):
    draft = make_video_lesson("草稿视频", publish=False)
    client = client_for(learner)
    for page_id in (lesson.pk, draft.pk, 999999):
        response = client.post(reverse("lesson-heartbeat", args=[page_id]), {"playback": TAB_A})
        assert response.status_code == 404
        assert response.json()["ok"] is False


def test_it_accepts_only_post(client_for, learner, video_lesson):
    assert client_for(learner).get(url(video_lesson)).status_code == 405


def test_it_requires_the_csrf_token(learner, video_lesson):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner.user)
    response = client.post(url(video_lesson), {"playback": TAB_A, "event": "start"})
    assert response.status_code == 403
    assert not LessonProgress.objects.exists()
    # with the token (as the player sends it in the FormData) it is accepted
    client.get(video_lesson.url)
    token = client.cookies["csrftoken"].value
    response = client.post(url(video_lesson), {"playback": TAB_A, "event": "start", "csrfmiddlewaretoken": token})
    assert response.status_code == 200


def test_it_keeps_each_learners_progress_apart(player, client_for, other_secretary, course, learner, video_lesson,
                                               clock):
    Enrollment.enrol(other_secretary, course, EnrollmentSource.BULK)
    other = client_for(other_secretary)
    player.start()
    other.post(url(video_lesson), {"playback": TAB_B, "event": "start"})
    player.beat(10, [(0, 10)])
    assert progress_of(learner, video_lesson).seconds_covered == 10
    assert progress_of(other_secretary, video_lesson).seconds_covered == 0
    # the other learner's reports never touch this learner's progress, whatever playback id they use
    other.post(url(video_lesson), {"playback": TAB_A, "event": "beat", "intervals": "[[10, 20]]"})
    assert progress_of(learner, video_lesson).seconds_covered == 10


# --- crediting ------------------------------------------------------------------------------------

def test_it_credits_the_seconds_played(player, learner, video_lesson):
    assert player.start().status_code == 200
    response = player.beat(15, [(0, 15)], position=15)
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] and body["credited"] == 15 and body["seconds"] == 15 and body["total"] == 60
    assert body["percent"] == 25 and body["completed"] is False
    progress = progress_of(learner, video_lesson)
    assert progress.seconds_covered == 15 == coverage.count(progress.coverage)
    assert progress.last_position == 15 and progress.duration == 60


def test_it_does_not_credit_rewatching(player, learner, video_lesson):
    player.start()
    player.beat(15, [(0, 15)])
    response = player.beat(15, [(0, 15)])
    assert response.json()["credited"] == 0
    assert progress_of(learner, video_lesson).seconds_covered == 15


def test_it_does_not_credit_a_replayed_report(player, learner, video_lesson):
    player.start()
    first = player.beat(15, [(0, 15)])
    for _ in range(5):
        player.beat(1, [(0, 15)])
    assert first.json()["seconds"] == progress_of(learner, video_lesson).seconds_covered == 15


def test_it_credits_no_more_than_wall_clock_time_times_the_rate(player, learner, video_lesson):
    player.start()
    response = player.beat(10, [(0, 60)])  # claims a minute after ten seconds
    assert response.json()["credited"] == int(10 * 1.25 + coverage.TOLERANCE_SECONDS)
    assert progress_of(learner, video_lesson).seconds_covered == 14


def test_it_does_not_let_rapid_reports_add_up_tolerance(player, learner, video_lesson):
    player.start()
    for i in range(50):  # 50 reports, 0.2 s apart: 10 s of wall time
        player.beat(0.2, [(i, i + 1)])
    assert progress_of(learner, video_lesson).seconds_covered <= 10 * 1.25 + coverage.TOLERANCE_SECONDS


def test_it_does_not_let_repeated_starts_grant_tolerance(player, learner, video_lesson, clock):
    player.start()
    for i in range(20):
        clock.advance(0.1)
        player.start(intervals=[(2 * i, 2 * i + 2)])
    assert progress_of(learner, video_lesson).seconds_covered <= 2 * 1.25 + coverage.TOLERANCE_SECONDS


def test_it_honours_the_courses_playback_rate(player, learner, course, video_lesson):
    course.video_max_playback_rate = 2
    course.save_revision().publish()
    player.start()
    assert player.beat(10, [(0, 40)]).json()["credited"] == 22


def test_it_clips_intervals_to_the_video(player, learner, video_lesson):
    player.start()
    response = player.beat(20, [(50, 500)], position=400)
    assert response.json()["credited"] == 10
    assert progress_of(learner, video_lesson).last_position == 60


@pytest.mark.parametrize("fields", [
    {"intervals": "not json"},
    {"intervals": "[[1]]"},
    {"intervals": "[[-5, 10]]"},
    {"intervals": "[[10, 5]]"},
    {"intervals": "[[NaN, 5]]"},
    {"intervals": "[[0, Infinity]]"},
    {"intervals": '[["0", "10"]]'},
    {"intervals": '{"start": 0, "end": 10}'},
    {"intervals": "[" * 5000 + "]" * 5000},
    {"intervals": json.dumps([[i, i + 0.5] for i in range(500)])},
    {"position": "somewhere"},
    {"position": "-3"},
    {"position": "nan"},
    {"event": "fast-forward"},
    {"playback": ""},
    {"playback": "short"},
    {"playback": "x" * 65},
    {"playback": "<script>alert(1)</script>"},
])
def test_it_rejects_garbage_without_crediting(player, learner, video_lesson, fields):
    player.start()
    player.beat(15, [(0, 5)])
    before = progress_of(learner, video_lesson)
    data = {"playback": TAB_A, "event": "beat", "intervals": "[[5, 15]]"}
    data.update(fields)
    response = player.client.post(url(video_lesson), data)
    assert response.status_code == 400
    assert response.json()["ok"] is False
    after = progress_of(learner, video_lesson)
    assert (after.seconds_covered, bytes(after.coverage), after.last_position) == (
        before.seconds_covered, bytes(before.coverage), before.last_position)


def test_it_accepts_a_report_without_intervals(player, learner, video_lesson):
    player.start()
    response = player.client.post(url(video_lesson), {"playback": TAB_A, "event": "pause", "position": "12.5"})
    assert response.status_code == 200
    assert progress_of(learner, video_lesson).last_position == 12.5


# --- one playback at a time -----------------------------------------------------------------------

def test_it_credits_only_the_latest_playback(player, learner, video_lesson):
    player.start()
    player.beat(10, [(0, 10)])
    assert player.start(playback=TAB_B).status_code == 200  # the same learner starts on a phone
    stale = player.beat(10, [(10, 20)])
    assert stale.status_code == 409
    body = stale.json()
    assert body["superseded"] is True and body["action"] == "pause" and body["message"]
    assert body["credited"] == 0
    fresh = player.beat(0, [(30, 40)], playback=TAB_B)
    assert fresh.status_code == 200 and fresh.json()["credited"] == 10
    assert progress_of(learner, video_lesson).seconds_covered == 20


def test_it_lets_the_first_tab_take_over_again(player, learner, video_lesson):
    player.start()
    player.start(playback=TAB_B)
    assert player.start().status_code == 200  # pressing play again in the first tab
    assert player.beat(5, [(0, 5)]).status_code == 200
    assert player.beat(5, [(5, 10)], playback=TAB_B).status_code == 409


# --- completion -----------------------------------------------------------------------------------

def test_it_completes_the_lesson_once_at_the_threshold(player, learner, video_lesson, clock):
    player.start()
    for start in range(0, 50, 10):
        player.beat(10, [(start, start + 10)])
    progress = progress_of(learner, video_lesson)
    assert progress.seconds_covered == 50 and progress.completed_at is None  # 83%
    response = player.beat(4, [(50, 54)])  # 54/60 = 90%
    assert response.json()["completed"] is True
    completed_at = progress_of(learner, video_lesson).completed_at
    assert completed_at == clock.now
    player.beat(10, [(54, 60)])
    progress = progress_of(learner, video_lesson)
    assert progress.completed_at == completed_at and progress.seconds_covered == 60


def test_it_honours_the_courses_threshold(player, learner, course, video_lesson):
    course.video_completion_percent = 50
    course.save_revision().publish()
    player.start()
    player.beat(15, [(0, 15)])
    assert player.beat(15, [(15, 30)]).json()["completed"] is True


def test_seeking_to_the_end_does_not_complete(player, learner, video_lesson):
    player.start()
    response = player.beat(2, [(58.5, 60)], position=60)
    body = response.json()
    assert body["completed"] is False and body["seconds"] <= 2
    assert progress_of(learner, video_lesson).completed_at is None


def test_it_resumes_from_the_last_position(player, learner, video_lesson):
    player.start()
    player.beat(15, [(0, 15)], position=15)
    response = player.client.get(video_lesson.url)
    assert response.status_code == 200
    assert response.context["player"]["resumeAt"] == 15
    assert response.context["player"]["percent"] == 25


def test_it_stores_a_one_hour_video_in_under_a_kilobyte(player, learner, make_video_lesson, clock):
    hour = make_video_lesson("一小时的视频", duration=3600.0)
    player.lesson = hour
    player.start()
    for start in range(0, 3600, 15):
        player.beat(15, [(start, start + 15)])
    progress = progress_of(learner, hour)
    assert progress.seconds_covered == 3600 and progress.completed_at is not None
    assert len(progress.coverage) == 450


def test_it_recomputes_when_another_report_wrote_in_between(player, learner, video_lesson, monkeypatch):
    from lms.learning import heartbeat

    player.start()
    player.beat(10, [(0, 10)])
    real = heartbeat._write
    revisions = []

    def racing(pk, revision, changes):
        if not revisions:  # another report lands between our read and our write
            LessonProgress.objects.filter(pk=pk).update(revision=revision + 1)
        revisions.append(revision)
        return real(pk, revision, changes)

    monkeypatch.setattr(heartbeat, "_write", racing)
    response = player.beat(10, [(10, 20)])
    assert response.status_code == 200 and response.json()["credited"] == 10
    assert len(revisions) == 2 and revisions[1] == revisions[0] + 1
    assert progress_of(learner, video_lesson).seconds_covered == 20


def test_it_answers_503_when_the_row_keeps_changing(player, learner, video_lesson, monkeypatch):
    from lms.learning import heartbeat

    player.start()
    real = heartbeat._write

    def always_racing(pk, revision, changes):
        LessonProgress.objects.filter(pk=pk).update(revision=revision + 1)
        return real(pk, revision, changes)

    monkeypatch.setattr(heartbeat, "_write", always_racing)
    response = player.beat(10, [(0, 10)])
    assert response.status_code == 503 and response.json()["retry"] is True
    assert progress_of(learner, video_lesson).seconds_covered == 0
