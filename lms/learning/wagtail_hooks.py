"""Enrolment in the Wagtail admin: the 报名管理 menu item, the per-course screen's URLs and an
"Enrolment" button on course pages (page header and the listing's "more" menu). Also: opening an
AUDIENCE-mode course (or one of its lessons) enrols a learner of its audience who is not enrolled
yet, so the page shows them enrolled even before the background task has reached them."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.models import Page
from wagtail.snippets.models import register_snippet

from courses.models import CoursePage, EnrolmentMode, LessonPage

from . import admin_views, credits, enrolment
from .models import AnnualPlan, EnrollmentSource
from .viewsets import AnnualPlanViewSet


@hooks.register("register_admin_urls")
def register_enrolment_urls():
    course = "learning/enrolment/<int:course_id>/"
    return [
        path("learning/enrolment/", admin_views.CourseIndexView.as_view(), name="learning_enrolment_index"),
        path("learning/enrolment/template.xlsx", admin_views.UploadTemplateView.as_view(),
             name="learning_enrolment_template"),
        path(course, admin_views.CourseEnrolmentView.as_view(), name="learning_enrolment_course"),
        path(course + "audience/", admin_views.EnrolAudienceView.as_view(), name="learning_enrolment_audience"),
        path(course + "filter/", admin_views.EnrolFilterView.as_view(), name="learning_enrolment_filter"),
        path(course + "upload/", admin_views.UploadView.as_view(), name="learning_enrolment_upload"),
        path(course + "upload/<str:token>/apply/", admin_views.UploadApplyView.as_view(),
             name="learning_enrolment_upload_apply"),
        path(course + "withdraw/", admin_views.WithdrawView.as_view(), name="learning_enrolment_withdraw"),
    ]


class EnrolmentMenuItem(MenuItem):
    def is_shown(self, request):
        return enrolment.can_manage_enrolment(request.user)


@hooks.register("register_admin_menu_item")
def register_enrolment_menu_item():
    return EnrolmentMenuItem(_("Enrolment management"), reverse("learning_enrolment_index"),
                             icon_name="clipboard-list", name="enrolment", order=240)


class CourseEnrolmentButton(PageMenuItem):
    label = _("Enrolment")
    icon_name = "clipboard-list"
    url_name = "learning_enrolment_course"


def _course_buttons(page, user, priority):
    if page.specific_class is CoursePage and enrolment.can_manage_enrolment(user):
        yield CourseEnrolmentButton(page=page, priority=priority)


@hooks.register("register_page_header_buttons")
def course_enrolment_header_button(page, user, view_name=None, next_url=None):
    yield from _course_buttons(page, user, priority=66)


@hooks.register("register_page_listing_more_buttons")
def course_enrolment_listing_button(page, user, next_url=None):
    yield from _course_buttons(page, user, priority=45)


@hooks.register("before_serve_page")
def enrol_audience_member_on_visit(page, request, serve_args, serve_kwargs):
    person = getattr(request.user, "person", None) if request.user.is_authenticated else None
    if person is None:
        return None
    if isinstance(page, CoursePage):
        course = page
    elif isinstance(page, LessonPage):
        course = CoursePage.objects.filter(path=page.path[: -Page.steplen], enrolment_mode=EnrolmentMode.AUDIENCE,
                                           live=True).first()
    else:
        return None
    if course is not None and enrolment.should_auto_enrol(person, course):
        enrolment.Enrollment.enrol(person, course, EnrollmentSource.AUDIENCE)
    return None


# --- the annual training plan (HR) ----------------------------------------------------------------

register_snippet(AnnualPlanViewSet)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def resync_credit_after_plan_change(request, instance):
    if isinstance(instance, AnnualPlan):
        credits.resync_year_later(instance.year)
