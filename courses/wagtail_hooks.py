"""Nothing learners did is lost by editing content: pages with learner records cannot be deleted
(they can be unpublished instead)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.models import Page

from lms.learning.records import learner_records_exist


def _refuse(request, page):
    messages.error(
        request,
        _("“%(title)s” cannot be deleted because learners have records in it. Unpublish it instead.")
        % {"title": page.get_admin_display_title()},
    )
    return redirect("wagtailadmin_explore", page.get_parent().id)


@hooks.register("before_delete_page")
def protect_pages_with_learner_records(request, page):
    if learner_records_exist(page):
        return _refuse(request, page)


@hooks.register("before_bulk_action")
def protect_pages_with_learner_records_in_bulk(request, action_type, objects, action_class_instance):
    if action_type != "delete":
        return None
    for page in objects:
        if isinstance(page, Page) and learner_records_exist(page):
            return _refuse(request, page)
