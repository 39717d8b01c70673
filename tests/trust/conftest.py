"""A small world for the permission matrix: every persona of tests/conftest.py, and for each of
street A (the secretary's) and street B (the other secretary's) one of every object a URL can
name — course, lessons, quiz, attempt, essay answer, session, leave request, rotation, offline
assessment, export job (with its file), withdrawal flag, calendar feed — so that every URL's
kwargs resolve to a real object and "another street's object" can be asked for by id.

The world is built once per test function; the matrix test walks all personas and URLs inside
that one test (each request in its own rolled-back savepoint), which keeps it fast."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

PERSONAS = ("anonymous", "secretary", "other_secretary", "trainer", "training_office", "hr", "street_admin",
            "superuser")


@dataclass
class Side:
    """The objects of one street (A or B)."""

    learner: object = None
    course: object = None
    lesson: object = None
    video_lesson: object = None
    quiz: object = None
    attempt: object = None  # finished, awaiting grading (it has an essay)
    open_attempt: object = None  # in progress, on a second quiz
    essay_answer: object = None
    session: object = None
    leave: object = None
    rotation: object = None
    offline: object = None
    withdrawal: object = None
    calendar: object = None
    certificate: object = None


@dataclass
class World:
    personas: dict = field(default_factory=dict)
    a: Side = field(default_factory=Side)
    b: Side = field(default_factory=Side)
    orgs: dict = field(default_factory=dict)
    plan: object = None
    question: object = None
    category: object = None
    hr_export: object = None
    office_export: object = None
    document: object = None
    certificate_template: object = None
    batch: object = None  # a bulk certificate issue asked for by the training office


def _quiz(course, questions, title, slug):
    from lms.assessments.models import QuizFixedQuestion, QuizPage

    quiz = QuizPage(title=title, slug=slug, shuffle_questions=False, shuffle_options=False, max_attempts=0)
    for order, question in enumerate(questions):
        quiz.fixed_questions.add(QuizFixedQuestion(question=question, sort_order=order))
    course.add_child(instance=quiz)
    quiz.save_revision().publish()
    return QuizPage.objects.get(pk=quiz.pk)


def _export(user, settings_media_root):
    from lms.records.models import ExportJob, ExportStatus

    job = ExportJob.objects.create(requested_by=user, year=2026, status=ExportStatus.DONE)
    job.file.save(job.filename(), ContentFile(b"PK fake xlsx of " + user.username.encode()), save=True)
    return job


def _blank_pdf():
    import io

    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return out.getvalue()


def _certificates(w, training_office):
    from lms.certificates.models import Certificate, CertificateTemplate, IssueBatch, SerialCounter

    template = w.certificate_template = CertificateTemplate.objects.create(name="结业证书模板")
    for side in (w.a, w.b):
        certificate = Certificate(
            person=side.learner, course=side.course, template=template, version=1,
            serial=SerialCounter.allocate("QX", 2026), status="valid", title="结业证书",
            holder_name=side.learner.name, course_title=side.course.title, starts_on=side.course.starts_on,
            ends_on=side.course.ends_on, credit_hours=Decimal("6"), issuing_organization="中共示范区委组织部",
            issued_on=datetime.date(2026, 3, 21), issued_at=timezone.now())
        certificate.pdf.save(certificate.filename(), ContentFile(_blank_pdf()), save=False)
        certificate.save()
        side.certificate = certificate
    w.batch = IssueBatch.objects.create(course=w.a.course, requested_by=training_office.user)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def world(org_tree, secretary, other_secretary, trainer, training_office, hr, street_admin, superuser,
          make_course, make_lesson, make_video_lesson, media_root):
    from courses.models import EnrolmentMode
    from lms.assessments.models import (
        AttemptStatus, OfflineAssessment, Question, QuestionCategory, QuestionKind, QuestionOption,
    )
    from lms.attendance.models import CalendarFeed, LeaveRequest, Session, SessionMode, WithdrawalFlag
    from lms.learning.models import AnnualPlan, Enrollment, EnrollmentSource
    from lms.people.models import OrgType
    from lms.rotations.models import Direction, Rotation, Status

    w = World()
    w.orgs = org_tree
    w.personas = {"anonymous": None, "secretary": secretary, "other_secretary": other_secretary,
                  "trainer": trainer, "training_office": training_office, "hr": hr, "street_admin": street_admin,
                  "superuser": superuser}
    w.category = QuestionCategory.objects.create(name="党章党规")
    single = Question.objects.create(kind=QuestionKind.SINGLE, text="党的最高理想是什么？", category=w.category,
                                     points=Decimal("1"))
    QuestionOption.objects.create(question=single, text="实现共产主义", is_correct=True, sort_order=0)
    QuestionOption.objects.create(question=single, text="消除贫困", is_correct=False, sort_order=1)
    essay = Question.objects.create(kind=QuestionKind.ESSAY, text="谈谈体会。", category=w.category, points=Decimal("2"))
    w.question = single
    w.plan = AnnualPlan.objects.create(year=2026, title="2026年度干部教育培训计划")
    now = timezone.now()

    for side, learner, street, slug in ((w.a, secretary, org_tree["street_a"], "a"),
                                       (w.b, other_secretary, org_tree["street_b"], "b")):
        side.learner = learner
        side.course = make_course(f"课程{slug}", slug=f"course-{slug}", streets=[street],
                                  audience_org_types=[OrgType.COMMUNITY], enrolment_mode=EnrolmentMode.ASSIGNED)
        Enrollment.enrol(learner, side.course, EnrollmentSource.BULK)
        side.lesson = make_lesson(f"阅读{slug}", parent=side.course, slug=f"lesson-{slug}")
        side.video_lesson = make_video_lesson(f"视频{slug}", parent=side.course, slug=f"video-{slug}")
        side.quiz = _quiz(side.course, [single, essay], f"测验{slug}", f"quiz-{slug}")
        side.attempt = side.quiz.start_attempt(learner)
        answers = {a.question_id: a for a in side.attempt.answers.all()}
        side.attempt.submit({answers[single.pk].field_name: str(next(iter(single.correct_option_ids()))),
                             answers[essay.pk].field_name: "密切联系群众。"})
        side.attempt.refresh_from_db()
        assert side.attempt.status == AttemptStatus.AWAITING_GRADING
        side.essay_answer = side.attempt.answers.get(question=essay)
        second = _quiz(side.course, [single], f"小测{slug}", f"quiz2-{slug}")
        side.open_attempt = second.start_attempt(learner)
        starts = now + datetime.timedelta(days=2)
        side.session = Session.objects.create(course=side.course, title=f"场次{slug}", mode=SessionMode.HYBRID,
                                              starts_at=starts, ends_at=starts + datetime.timedelta(hours=2),
                                              stream_url="https://live.example.cn/player/1", venue="党校")
        side.leave = LeaveRequest.objects.create(session=side.session, person=learner, reason="出差")
        side.rotation = Rotation.objects.create(
            person=learner, direction=Direction.SECONDMENT, host_organization=org_tree["agency"],
            starts_on=datetime.date(2026, 3, 1), ends_on=datetime.date(2026, 8, 31), post_held="组织员",
            status=Status.IN_PROGRESS)
        side.offline = OfflineAssessment.objects.create(
            course=side.course, title=f"结业考核{slug}", held_on=datetime.date(2026, 3, 20),
            max_score=Decimal("100"), pass_score=Decimal("60"))
        side.withdrawal = WithdrawalFlag.objects.create(person=learner, course=side.course, leave_days=Decimal("2"),
                                                        course_days=Decimal("7"))
        side.calendar = CalendarFeed.for_person(learner)
        side.rotation.save_revision(user=hr.user)
        side.rotation.refresh_from_db()
        video = media_root / side.video_lesson.video.file.name
        video.parent.mkdir(parents=True, exist_ok=True)
        video.write_bytes(b"\x00\x00\x00\x18ftypmp42 video of " + slug.encode())
    _certificates(w, training_office)
    w.hr_export = _export(hr.user, media_root)
    w.office_export = _export(training_office.user, media_root)
    (media_root / "images").mkdir()
    (media_root / "images" / "cover.png").write_bytes(b"\x89PNG fake image")
    from wagtail.documents import get_document_model

    w.document = get_document_model().objects.create(title="讲义", file=ContentFile(b"%PDF-1.4 notes", name="notes.pdf"))
    return w
