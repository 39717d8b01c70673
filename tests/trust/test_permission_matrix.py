"""The permission matrix (issue 8, item 1): every URL the project serves, for every persona.

The resolver is walked (tests/trust/matrix.py), so a URL nobody thought about cannot hide:
  * every URL outside /admin/, and every admin URL of ours (views registered by our
    `register_admin_urls` hooks, and the Wagtail viewsets over our models), must have a row in
    ROWS below — a pattern without a row fails test_it_has_a_rule_for_every_url, naming it;
  * Wagtail's own admin URLs (pages, images, users, ...) follow one rule, checked on all of them:
    anonymous users are sent to the admin login and learners (no admin access) never get in.
    What each staff role may do there is Wagtail's permission system, configured in
    lms.people.roles and tested in tests/people/test_roles.py.

Persona order in every expectation string:
  anonymous  secretary  other_secretary  trainer  training_office  hr  street_admin  superuser
Outcomes are defined in matrix.py (ok, login, home, redir, 400, 403, 404, 405).

Objects named by the URLs are street A's (the secretary's, see conftest.py) unless the row says
`b.`: those rows are the IDOR checks — another street's object asked for by id."""

import functools
import os
import time

import pytest
from django.urls import reverse

from .conftest import PERSONAS
from .matrix import Case, all_routes, outcome, request_as

pytestmark = pytest.mark.django_db

a = lambda attr: (lambda w: getattr(w.a, attr))  # noqa: E731
b = lambda attr: (lambda w: getattr(w.b, attr))  # noqa: E731


def pk(getter, name="pk"):
    return lambda w: {name: getter(w).pk}


ROWS = {}


@functools.lru_cache(maxsize=1)
def _names():
    return {route.key for route in all_routes()}


def row(name, *cases):
    assert name not in ROWS, name
    ROWS[name] = list(cases)


# Shorthands for rows that repeat.
ANY_USER = "login ok ok ok ok ok ok ok"  # any logged-in user
EVERYONE = "ok ok ok ok ok ok ok ok"


def each(value, count=8):
    return " ".join([value] * count)


# --- public and account URLs -------------------------------------------------------------------
row("healthz", Case(expect=EVERYONE))
row("set_language", Case(method="post", data=lambda w: {"language": "en", "next": "/"}, expect=each("redir")))
row("login", Case(expect="ok redir redir redir redir redir redir redir"))
row("logout", Case(expect=each("405")), Case(method="post", expect=each("redir")))
row("wagtailcore_login", Case(expect=EVERYONE))  # Wagtail's page-privacy login form
row("wagtailcore_authenticate_with_password", Case(kwargs=lambda w: {
    "page_view_restriction_id": 999999, "page_id": w.a.course.pk}, expect=each("404")))
# course handouts: a login, then any user (see lms.protected_media.documents_need_a_login)
row("wagtaildocs_serve", Case(url=lambda w: f"/documents/{w.document.pk}/{w.document.filename}", expect=ANY_USER))
row("wagtaildocs_authenticate_with_password", Case(kwargs=lambda w: {"restriction_id": 999999}, expect=each("404")))
row("profile", Case(expect=ANY_USER))
row("two-factor", Case(expect="login 403 403 ok ok ok ok ok"))  # a second factor is for staff
row("two-factor-verify", Case(expect="login " + each("redir", 7)))  # nothing to verify: sent on
row("password-change", Case(expect=ANY_USER))

# --- the catalogue (Wagtail serves our page models): home public, the rest for members ----------
row("wagtail_serve",
    Case(url=lambda w: "/", expect=EVERYONE),
    Case(url=lambda w: w.a.course.url, expect=ANY_USER),
    Case(url=lambda w: w.a.lesson.url, expect=ANY_USER),
    Case(url=lambda w: w.a.video_lesson.url, expect=ANY_USER),
    Case(url=lambda w: w.a.quiz.url, expect=ANY_USER))

# --- the learner's own pages (/me/...): each shows only the viewer's own records -----------------
for name in ("my-learning", "my-credits", "my-archive", "my-archive-pdf", "my-sessions"):
    row(name, Case(expect=ANY_USER))
# course A enrols by assignment: self-enrolment is refused with a message (a redirect) for everyone
row("self-enrol", Case(method="post", kwargs=pk(a("course"), "course_id"), expect="login " + each("redir", 7)),
    Case(method="post", kwargs=pk(b("course"), "course_id"), expect="login " + each("redir", 7)))
row("lesson-heartbeat",  # 400: the enrolled learner, an empty beat
    Case(method="post", kwargs=pk(a("video_lesson"), "lesson_id"), expect="403 400 403 403 403 403 403 403"),
    Case(method="post", kwargs=pk(b("video_lesson"), "lesson_id"), expect="403 403 400 403 403 403 403 403"))
row("lesson-done",
    Case(method="post", kwargs=pk(a("lesson"), "lesson_id"), expect="403 redir 403 403 403 403 403 403"),
    Case(method="post", kwargs=pk(b("lesson"), "lesson_id"), expect="403 403 redir 403 403 403 403 403"))
# the calendar feed is reached by its secret token alone (calendar apps cannot log in)
row("calendar-feed", Case(kwargs=lambda w: {"token": w.a.calendar.token}, expect=EVERYONE),
    Case(kwargs=lambda w: {"token": "not-a-token"}, expect=each("404")))

# --- sessions, as a learner (the training office may preview) -------------------------------------
row("session-detail", Case(kwargs=pk(a("session"), "session_id"), expect="login ok 403 403 ok 403 403 ok"),
    Case(kwargs=pk(b("session"), "session_id"), expect="login 403 ok 403 ok 403 403 ok"))
row("session-presence",
    Case(method="post", kwargs=pk(a("session"), "session_id"), expect="403 ok 403 403 403 403 403 403"),
    Case(method="post", kwargs=pk(b("session"), "session_id"), expect="403 403 ok 403 403 403 403 403"))
row("session-leave", Case(method="post", kwargs=pk(a("session"), "session_id"), data=lambda w: {"reason": "出差"},
                          expect="login redir 403 403 403 403 403 403"),
    Case(method="post", kwargs=pk(b("session"), "session_id"), data=lambda w: {"reason": "出差"},
         expect="login 403 redir 403 403 403 403 403"))
row("session-leave-cancel",
    Case(method="post", kwargs=lambda w: {"session_id": w.a.session.pk, "leave_id": w.a.leave.pk},
         expect="login redir 403 403 403 403 403 403"),
    Case(method="post", kwargs=lambda w: {"session_id": w.b.session.pk, "leave_id": w.b.leave.pk},
         expect="login 403 redir 403 403 403 403 403"),
    # IDOR: the secretary's own session, another person's leave request id
    Case(method="post", kwargs=lambda w: {"session_id": w.a.session.pk, "leave_id": w.b.leave.pk},
         expect="login 404 403 403 403 403 403 403"))
row("checkin-done", Case(kwargs=pk(a("session"), "session_id"), expect="login redir 403 403 redir 403 403 redir"),
    Case(kwargs=pk(b("session"), "session_id"), expect="login 403 redir 403 redir 403 403 redir"))
# a guessed token is refused before anything else (a valid one survives the login redirect)
row("checkin", Case(kwargs=lambda w: {"session_id": w.a.session.pk, "token": "guessed"}, expect=each("400")))

# --- sessions, the training office in the hall (district-wide; street admins do not run sessions) ----
for name in ("checkin-display", "checkin-display-state", "roll-call", "sign-in-sheet"):
    row(name, Case(kwargs=pk(a("session"), "session_id"), expect="login 403 403 403 ok 403 403 ok"),
        Case(kwargs=pk(b("session"), "session_id"), expect="login 403 403 403 ok 403 403 ok"))
for name in ("roll-call-rest-absent", "roll-call-walk-in"):
    row(name, Case(method="post", kwargs=pk(a("session"), "session_id"), expect="login 403 403 403 redir 403 403 redir"),
        Case(method="post", kwargs=pk(b("session"), "session_id"), expect="login 403 403 403 redir 403 403 redir"))

# --- quizzes: a learner's own attempts only ---------------------------------------------------------
row("quiz-start", Case(method="post", kwargs=pk(a("quiz"), "quiz_id"), expect="login redir 403 403 403 403 403 403"),
    Case(method="post", kwargs=pk(b("quiz"), "quiz_id"), expect="login 403 redir 403 403 403 403 403"))
row("quiz-attempt", Case(kwargs=pk(a("attempt"), "attempt_id"), expect="login ok 404 404 404 404 404 404"),
    Case(kwargs=pk(b("attempt"), "attempt_id"), expect="login 404 ok 404 404 404 404 404"))
row("quiz-attempt-save",
    Case(method="post", kwargs=pk(a("open_attempt"), "attempt_id"), expect="login ok 404 404 404 404 404 404"),
    Case(method="post", kwargs=pk(b("open_attempt"), "attempt_id"), expect="login 404 ok 404 404 404 404 404"))
row("quiz-attempt-submit",
    Case(method="post", kwargs=pk(a("open_attempt"), "attempt_id"), expect="login redir 404 404 404 404 404 404"),
    Case(method="post", kwargs=pk(b("open_attempt"), "attempt_id"), expect="login 404 redir 404 404 404 404 404"))

# --- rotations: the person, HR in scope; staff who see the person but do not manage rotations 403 ---
row("rotation-record-pdf", Case(kwargs=pk(a("rotation")), expect="login ok 404 404 403 ok 403 ok"),
    Case(kwargs=pk(b("rotation")), expect="login 404 ok 404 403 ok 404 ok"))

# --- media (the generic view; every rule in tests/test_protected_media_access.py) -------------------
row("media",
    Case(kwargs=lambda w: {"path": "images/cover.png"}, expect=EVERYONE),
    Case(kwargs=lambda w: {"path": w.a.video_lesson.video.file.name}, expect=ANY_USER),
    Case(kwargs=lambda w: {"path": w.hr_export.file.name}, expect=each("404")))  # only via its download view

# --- admin: our hook-registered staff screens ---------------------------------------------------------
# Anonymous users and learners (no admin access) are sent to the admin login by Wagtail.
OUT = "login login login"
row("people_roster_import", Case(expect=OUT + " 403 403 ok 403 ok"))
row("people_roster_template", Case(expect=OUT + " 403 403 ok 403 ok"))
row("people_roster_import_apply", Case(method="post", kwargs=lambda w: {"token": "guessed"},
                                       expect=OUT + " 403 403 redir 403 redir"))
row("people_roster_import_status", Case(kwargs=lambda w: {"token": "guessed"}, expect=OUT + " 403 403 redir 403 redir"))

# enrolment: courses are not scoped, persons are (another street's course shows none of its people)
ENROL = OUT + " 403 ok 403 ok ok"
ENROL_POST = OUT + " 403 redir 403 redir redir"
row("learning_enrolment_index", Case(expect=ENROL))
row("learning_enrolment_template", Case(expect=ENROL))
row("learning_enrolment_course", Case(kwargs=pk(a("course"), "course_id"), expect=ENROL),
    Case(kwargs=pk(b("course"), "course_id"), expect=ENROL))
for name in ("learning_enrolment_filter", "learning_enrolment_upload"):  # POST only; 400: an empty form
    row(name, Case(method="post", kwargs=pk(a("course"), "course_id"), expect=OUT + " 403 400 403 400 400"),
        Case(method="post", kwargs=pk(b("course"), "course_id"), expect=OUT + " 403 400 403 400 400"))
for name in ("learning_enrolment_audience", "learning_enrolment_withdraw"):
    row(name, Case(method="post", kwargs=pk(a("course"), "course_id"), expect=ENROL_POST),
        Case(method="post", kwargs=pk(b("course"), "course_id"), expect=ENROL_POST))
row("learning_enrolment_upload_apply",
    Case(method="post", kwargs=lambda w: {"course_id": w.a.course.pk, "token": "guessed"}, expect=ENROL_POST))

row("attendance_leave_requests", Case(expect=OUT + " home ok home home ok"))
row("attendance_withdrawals", Case(expect=OUT + " home ok home home ok"))
row("attendance_reports", Case(expect=OUT + " home ok ok ok ok"))

GRADERS = OUT + " 403 ok 403 403 ok"
RESULTS = OUT + " 403 ok 403 ok ok"
row("assessments_grading_queue", Case(expect=GRADERS))
row("assessments_grade_answer", Case(kwargs=pk(a("essay_answer")), expect=GRADERS),
    Case(kwargs=pk(b("essay_answer")), expect=GRADERS))
row("assessments_attempt_sheet", Case(kwargs=pk(a("attempt")), expect=RESULTS),
    Case(kwargs=pk(b("attempt")), expect=OUT + " 403 ok 403 404 ok"))
row("assessments_quiz_index", Case(expect=RESULTS))
# statistics and scores of any quiz or exam, counting only the persons in the viewer's scope
row("assessments_quiz_statistics", Case(kwargs=pk(a("quiz")), expect=RESULTS), Case(kwargs=pk(b("quiz")), expect=RESULTS))
row("assessments_offline_scores", Case(kwargs=pk(a("offline")), expect=RESULTS),
    Case(kwargs=pk(b("offline")), expect=RESULTS))
row("assessments_offline_template", Case(kwargs=pk(a("offline")), expect=GRADERS),
    Case(kwargs=pk(b("offline")), expect=GRADERS))
row("assessments_question_import", Case(expect=OUT + " ok ok 403 403 ok"))
row("assessments_question_export", Case(expect=OUT + " ok ok 403 403 ok"))

RECORDS = OUT + " 403 ok ok ok ok"
row("records_compliance", Case(expect=RECORDS))
row("records_compliance_group", Case(kwargs=lambda w: {"org_id": w.orgs["street_a"].pk}, expect=RECORDS),
    Case(kwargs=lambda w: {"org_id": w.orgs["street_b"].pk}, expect=OUT + " 403 ok ok 404 ok"))
row("records_export", Case(expect=RECORDS))
# an export job is its requester's (and a superuser's): HR's job, then the training office's
for name in ("records_export_status", "records_export_download"):
    row(name, Case(kwargs=lambda w: {"pk": w.hr_export.pk}, expect=OUT + " 403 404 ok 404 ok"),
        Case(kwargs=lambda w: {"pk": w.office_export.pk}, expect=OUT + " 403 ok 404 404 ok"))
row("records_export_retry", Case(method="post", kwargs=lambda w: {"pk": w.hr_export.pk},
                                 expect=OUT + " 403 404 redir 404 redir"),
    Case(method="post", kwargs=lambda w: {"pk": w.office_export.pk}, expect=OUT + " 403 redir 404 404 redir"))
for name in ("records_person_archive", "records_person_archive_pdf"):
    row(name, Case(kwargs=lambda w: {"person_id": w.a.learner.pk}, expect=RECORDS),
        Case(kwargs=lambda w: {"person_id": w.b.learner.pk}, expect=OUT + " 403 ok ok 404 ok"))


# --- certificates: public verification, the learner's own, staff screens ------------------------------
# (the files themselves are never served by /media/: see the media rows and test_idor.py)
row("certificate-verify-form", Case(expect=EVERYONE))
row("certificate-verify", Case(kwargs=lambda w: {"code": w.a.certificate.code}, expect=EVERYONE),
    Case(kwargs=lambda w: {"code": "guessed-code"}, expect=each("404")))
row("certificate-verify-json", Case(kwargs=lambda w: {"code": w.a.certificate.code}, expect=EVERYONE),
    Case(kwargs=lambda w: {"code": "guessed-code"}, expect=each("404")))
row("my-certificates", Case(expect=ANY_USER))
# the holder, and certificate staff who may see the person (training office: district; street admin: street)
row("certificate-download", Case(kwargs=pk(a("certificate")), expect="login ok 404 404 ok 404 ok ok"),
    Case(kwargs=pk(b("certificate")), expect="login 404 ok 404 ok 404 404 ok"))
CERTS = OUT + " 403 ok 403 ok ok"  # certificate staff (street admins view only)
CERTS_B = OUT + " 403 ok 403 404 ok"
CERTS_CHANGE = OUT + " 403 redir 403 403 redir"
row("certificates_courses", Case(expect=CERTS))
row("certificates_search", Case(expect=CERTS))
row("certificates_course", Case(kwargs=pk(a("course"), "course_id"), expect=CERTS),
    Case(kwargs=pk(b("course"), "course_id"), expect=CERTS))  # courses unscoped; persons scoped
for name in ("certificates_course_zip", "certificates_course_merged"):
    row(name, Case(kwargs=pk(a("course"), "course_id"), expect=CERTS),
        Case(kwargs=pk(b("course"), "course_id"), expect=CERTS_B))
row("certificates_issue_all", Case(method="post", kwargs=pk(a("course"), "course_id"), expect=CERTS_CHANGE),
    Case(method="post", kwargs=pk(b("course"), "course_id"), expect=CERTS_CHANGE))
# a batch is its requester's (the training office's here)
for name in ("certificates_batch", "certificates_batch_status"):
    row(name, Case(kwargs=lambda w: {"pk": w.batch.pk}, expect=OUT + " 403 ok 403 404 ok"))
row("certificates_batch_retry", Case(method="post", kwargs=lambda w: {"pk": w.batch.pk}, expect=CERTS_CHANGE))
row("certificates_download", Case(kwargs=pk(a("certificate")), expect=CERTS),
    Case(kwargs=pk(b("certificate")), expect=CERTS_B))
row("certificates_revoke", Case(kwargs=pk(a("certificate")), expect=OUT + " 403 ok 403 403 ok"),
    Case(kwargs=pk(b("certificate")), expect=OUT + " 403 ok 403 403 ok"))
row("certificates_reissue", Case(method="post", kwargs=pk(a("certificate")), expect=CERTS_CHANGE),
    Case(method="post", kwargs=pk(b("certificate")), expect=CERTS_CHANGE))

# --- audit trail and plan execution ---------------------------------------------------------------------
# a record's history needs the model's view/change permission and the person in scope
row("audit_log", Case(expect=RECORDS))
row("audit_record",
    Case(kwargs=lambda w: {"kind": "attendance.leaverequest", "pk": w.a.leave.pk}, expect=OUT + " 403 ok 403 403 ok"),
    Case(kwargs=lambda w: {"kind": "attendance.leaverequest", "pk": w.b.leave.pk}, expect=OUT + " 403 ok 403 403 ok"),
    Case(kwargs=lambda w: {"kind": "assessments.attempt", "pk": w.b.attempt.pk}, expect=OUT + " 403 ok 403 404 ok"),
    Case(kwargs=lambda w: {"kind": "rotations.rotation", "pk": w.b.rotation.pk}, expect=OUT + " 403 403 ok 403 ok"))
row("records_plan_execution", Case(kwargs=lambda w: {"year": 2026}, expect=RECORDS))
row("records_plan_execution_current", Case(expect=OUT + " 403 redir redir redir redir"))


# --- admin: Wagtail viewsets over our models (snippets) -------------------------------------------
# Each viewset's views that the resolver lists, by action: a string (one object, or a listing), or
# a list with one string per object in `objects` (street A's, then street B's). An action the
# viewset has and the table lacks fails test_it_has_a_rule_for_every_url.
# Wagtail answers a missing model permission with a redirect to the dashboard ("home"); our
# scoped viewsets (persons, organizations, rotations) answer an object outside the scope with 404.
CHOOSERS = {"choose", "choose_results", "chosen", "chosen_multiple", "create"}


def snippet_rows(model, objects, expect):
    app, name = model.split(".")
    names = _names()
    for action, outcomes in expect.items():
        namespace = f"wagtailsnippetchoosers_{app}_{name}" if action in CHOOSERS else f"wagtailsnippets_{app}_{name}"
        key = f"{namespace}:{action}"
        if key not in names:
            continue  # the viewset has no such view (e.g. no copy for persons)
        if action in ("list", "list_results", "add", "choose", "choose_results", "chosen_multiple", "create",
                      "preview_on_add"):
            row(key, Case(expect=outcomes))
        elif action in ("revisions_compare", "revisions_revert"):
            row(key, *[Case(kwargs=_revision_kwargs(getter, action), expect=outcome)
                       for getter, outcome in zip(objects, outcomes, strict=True)])
        else:
            outcomes = [outcomes] * len(objects) if isinstance(outcomes, str) else outcomes
            row(key, *[Case(kwargs=pk(getter), expect=outcome) for getter, outcome in zip(objects, outcomes, strict=True)])


def _revision_kwargs(getter, action):
    if action == "revisions_compare":
        return lambda w: {"pk": getter(w).pk, "revision_id_a": "earliest", "revision_id_b": "latest"}
    return lambda w: {"pk": getter(w).pk, "revision_id": getter(w).latest_revision_id}


def viewset(listing, add, change, delete, view, chooser, *, create=None, chosen=None, extra=()):
    """The expectations of a viewset whose object views follow three rules (change-like, delete,
    view-like): a string for one object, or a list with one string per object."""
    return {"list": listing, "list_results": listing, "add": add, "edit": change, "usage": change,
            "history": change, "history_results": change, "copy": change, "delete": delete, "inspect": view,
            "choose": chooser, "choose_results": chooser, "chosen_multiple": chooser, "chosen": chosen or view,
            "create": create or add, **dict(extra)}


# Scoped viewsets: the chooser lists only the persons/organizations/rotations in scope (none for
# the trainer), and an object outside the scope is a 404.
STAFF_CHOOSE = OUT + " ok ok ok ok ok"
snippet_rows("people.person", [a("learner"), b("learner")], viewset(
    listing=OUT + " home ok ok ok ok", add=OUT + " home home ok home ok",
    change=[OUT + " 404 home ok home ok", OUT + " 404 home ok 404 ok"],
    delete=[OUT + " 404 home home home redir", OUT + " 404 home home 404 redir"],  # superuser: refused, records
    view=[OUT + " 404 ok ok ok ok", OUT + " 404 ok ok 404 ok"], chooser=STAFF_CHOOSE))
snippet_rows("people.organization", [lambda w: w.orgs["street_a"], lambda w: w.orgs["street_b"]], viewset(
    listing=OUT + " home ok ok ok ok", add=OUT + " home home home home ok",
    change=[OUT + " 404 home home home ok", OUT + " 404 home home 404 ok"],
    delete=[OUT + " 404 home home home redir", OUT + " 404 home home 404 redir"],
    view=[OUT + " 404 ok ok ok ok", OUT + " 404 ok ok 404 ok"], chooser=STAFF_CHOOSE))
ROTATION = OUT + " 404 404 ok 404 ok"
snippet_rows("rotations.rotation", [a("rotation"), b("rotation")], viewset(
    listing=OUT + " home home ok home ok", add=OUT + " home home ok home ok",
    change=[ROTATION, ROTATION], delete=[OUT + " 404 404 home 404 ok"] * 2, view=[ROTATION, ROTATION],
    chooser=STAFF_CHOOSE, extra={"revisions_compare": [ROTATION, ROTATION], "revisions_revert": [ROTATION, ROTATION]}))

# Unscoped models: the chooser asks for one of the model's permissions
# (lms.people.admin_choosers), 403 without.
SESSION = OUT + " home ok home home ok"
SESSION_CHOOSE = OUT + " 403 ok 403 403 ok"
snippet_rows("attendance.session", [a("session")], viewset(
    listing=SESSION, add=SESSION, change=SESSION, delete=OUT + " home redir home home redir", view=SESSION,
    chooser=SESSION_CHOOSE, create=SESSION_CHOOSE, chosen=SESSION_CHOOSE,
    extra={"attendance": SESSION, "import": SESSION}))
snippet_rows("learning.annualplan", [lambda w: w.plan], viewset(
    listing=OUT + " home ok ok home ok", add=OUT + " home home ok home ok", change=OUT + " home home ok home ok",
    delete=OUT + " home home home home ok", view=None, chooser=OUT + " 403 ok ok 403 ok",
    create=OUT + " 403 home ok 403 ok", chosen=OUT + " 403 ok ok 403 ok"))
BANK = OUT + " ok ok home home ok"
BANK_CHOOSE = OUT + " ok ok 403 403 ok"
snippet_rows("assessments.question", [lambda w: w.question], viewset(
    listing=BANK, add=BANK, change=BANK, delete=OUT + " redir redir home home redir", view=BANK,
    chooser=BANK_CHOOSE, create=BANK_CHOOSE, chosen=BANK_CHOOSE))
snippet_rows("assessments.questioncategory", [lambda w: w.category], viewset(
    listing=BANK, add=BANK, change=BANK, delete=OUT + " home home home home redir", view=BANK,
    chooser=BANK_CHOOSE, create=BANK_CHOOSE, chosen=BANK_CHOOSE))
snippet_rows("certificates.certificatetemplate", [lambda w: w.certificate_template], viewset(
    listing=SESSION, add=SESSION, change=SESSION, delete=OUT + " home home home home redir", view=SESSION,
    chooser=SESSION_CHOOSE, create=SESSION_CHOOSE, chosen=SESSION_CHOOSE,
    extra={"preview_on_add": SESSION, "preview_on_edit": SESSION}))
snippet_rows("assessments.offlineassessment", [a("offline")], viewset(
    listing=SESSION, add=SESSION, change=SESSION, delete=OUT + " home home home home ok", view=SESSION,
    chooser=SESSION_CHOOSE, create=SESSION_CHOOSE, chosen=SESSION_CHOOSE))


# --- the tests ------------------------------------------------------------------------------------


def must_have_a_row(route):
    return route.is_ours or not route.is_admin


def test_it_has_a_rule_for_every_url():
    """A URL pattern the project serves without a row here is a view nobody decided the access
    of: add a row to ROWS (and, if it takes an id, a case with another street's object)."""
    missing = sorted({f"{route.key}  ({route.route} -> {route.view})" for route in all_routes()
                      if must_have_a_row(route) and route.key not in ROWS})
    assert not missing, "URLs without a row in the permission matrix:\n  " + "\n  ".join(missing)


def test_it_has_no_row_for_a_url_that_is_gone():
    names = _names()
    stale = sorted(name for name in ROWS if name not in names)
    assert not stale, f"rows for URLs the project no longer serves: {stale}"


def _strangers(world, persona):
    """Names and phone numbers of persons `persona` must never see on any page: the other
    street's secretary for a secretary or the street admin, both secretaries for the trainer."""
    others = {"secretary": [world.b.learner], "other_secretary": [world.a.learner],
              "street_admin": [world.b.learner], "trainer": [world.a.learner, world.b.learner]}.get(persona, [])
    return [value for person in others for value in (person.name, person.phone)]


def _text(response):
    if response.streaming or not response["Content-Type"].startswith(("text/", "application/json")):
        return ""
    return response.content.decode(response.charset or "utf-8", "replace")


# URLs naming an object that have a single case, and why one is enough. Every other URL that takes
# an id, code or token must also be asked for an object outside the persona's scope (a second case).
ONE_OBJECT_ENOUGH = {
    "checkin": "a guessed token; the token is an HMAC of the session and the time (tests/attendance)",
    "calendar-feed": "two cases already: a real token and a guessed one",
    "people_roster_import_apply": "a guessed token; pending imports are bound to their uploader (tests/people)",
    "people_roster_import_status": "as above",
    "learning_enrolment_upload_apply": "as above (tests/learning)",
    "certificates_batch": "one batch, asked for by its requester and by everyone else",
    "certificates_batch_status": "as above",
    "certificates_batch_retry": "as above",
    "wagtailcore_authenticate_with_password": "Wagtail's page-privacy form, unknown restriction id",
    "wagtaildocs_authenticate_with_password": "Wagtail's document-privacy form, unknown restriction id",
    "wagtaildocs_serve": "documents are course material for any logged-in user",
    "records_plan_execution": "a year, not an object",
}
ONE_OBJECT_MODELS = ("_session:", "_annualplan:", "_question:", "_questioncategory:", "_offlineassessment:",
                     "_certificatetemplate:")


def test_it_asks_every_url_that_names_an_object_for_one_outside_the_scope():
    """Each URL with an id (or code, token) kwarg has a case with another street's (or another
    owner's) object, unless ONE_OBJECT_ENOUGH says why not; snippet viewsets of unscoped models
    (sessions, plans, the question bank, offline exams: district-wide, no owner) are exempt."""
    single = []
    for route in all_routes():
        if route.key not in ROWS or not route.converters or route.key in ONE_OBJECT_ENOUGH:
            continue
        if route.key.startswith("wagtailsnippet") and any(model in route.key for model in ONE_OBJECT_MODELS):
            continue
        if route.key == "media":
            continue  # every rule of the media view is in tests/test_protected_media_access.py
        if len(ROWS[route.key]) < 2:
            single.append(route.key)
    assert not single, f"URLs naming an object with no case for an object outside the scope: {single}"


def _url(case, name, world):
    if case.url is not None:
        return case.url(world)
    return reverse(name, kwargs=case.kwargs(world) if case.kwargs else {})


def test_it_gives_every_persona_the_expected_answer_on_every_url(world, client_for, settings):
    # The verification rate limit counts in the shared cache, which a savepoint does not roll back
    # when it is Redis: the matrix's own lookups must not trip it (tests/certificates test it).
    settings.CERTIFICATE_VERIFY_LIMIT_PER_MINUTE = 100_000
    # a view that fails shows as "500" in its row instead of stopping the walk
    clients = {persona: client_for(world.personas[persona], raise_request_exception=False) for persona in PERSONAS}
    names = _names()
    wrong, table, leaks = [], [], []
    only = os.environ.get("MATRIX_ONLY", "")  # debugging: a comma-separated list of name prefixes
    for name, cases in ROWS.items():
        if name not in names or (only and not name.startswith(tuple(only.split(",")))):
            continue
        for index, case in enumerate(cases):
            url = _url(case, name, world)
            started = time.process_time()
            got = []
            for persona in PERSONAS:
                data = case.data(world) if case.data else None
                response = request_as(clients[persona], case.method, url, data)
                got.append(outcome(response))
                for stranger in _strangers(world, persona):
                    if stranger in _text(response):
                        leaks.append(f"{name}[{index}] {url}: {persona} sees {stranger}")
            observed = " ".join(got)
            table.append(f"{time.process_time() - started:.2f}s {name}[{index}] {case.method.upper()} {url}: {observed}")
            if observed.split() != case.expect.split():
                wrong.append(f"{name}[{index}] {case.method.upper()} {url}\n    expected {case.expect}\n    got      {observed}")
    if os.environ.get("MATRIX_DUMP"):
        with open(os.environ["MATRIX_DUMP"], "w") as out:
            out.write("\n".join(table) + "\n")
    assert not wrong, f"{len(wrong)} cases differ:\n" + "\n".join(wrong)
    assert not leaks, "persons shown outside the viewer's scope:\n" + "\n".join(leaks)
