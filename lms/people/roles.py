"""Roles are Django groups. This module declares them with their admin permissions and keeps the
database in line after every migrate (idempotent), so production and tests have the same roles."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

LEARNER = "学员"
TRAINER = "培训师"
TRAINING_OFFICE = "培训科"
HR = "干部科"
STREET_ADMIN = "街道管理员"

# Roles whose members see people data, limited to their own organization's subtree.
STAFF_ROLES = (TRAINING_OFFICE, HR, STREET_ADMIN)

ROLE_PERMISSIONS = {
    LEARNER: [],
    TRAINER: [
        "wagtailadmin.access_admin",
        "wagtailimages.add_image", "wagtailimages.change_image", "wagtailimages.choose_image",
        "wagtaildocs.add_document", "wagtaildocs.change_document", "wagtaildocs.choose_document",
        "wagtailmedia.add_media", "wagtailmedia.change_media",
        "assessments.add_question", "assessments.change_question", "assessments.delete_question",
        "assessments.view_question", "assessments.add_questioncategory", "assessments.change_questioncategory",
        "assessments.view_questioncategory",
    ],
    TRAINING_OFFICE: [
        "wagtailadmin.access_admin",
        "wagtailimages.add_image", "wagtailimages.change_image", "wagtailimages.choose_image",
        "wagtaildocs.add_document", "wagtaildocs.change_document", "wagtaildocs.choose_document",
        "wagtailmedia.add_media", "wagtailmedia.change_media",
        "people.view_person", "people.view_organization",
        "attendance.add_session", "attendance.change_session", "attendance.delete_session", "attendance.view_session",
        # to read the audit log of the attendance they keep (lms.audit)
        "attendance.view_attendancerecord", "attendance.view_leaverequest", "attendance.view_withdrawalflag",
        "assessments.add_question", "assessments.change_question", "assessments.delete_question",
        "assessments.view_question", "assessments.add_questioncategory", "assessments.change_questioncategory",
        "assessments.view_questioncategory",
        "assessments.view_attempt", "assessments.grade_attempt",
        "assessments.add_offlineassessment", "assessments.change_offlineassessment",
        "assessments.view_offlineassessment", "assessments.add_offlinescore", "assessments.change_offlinescore",
        "assessments.view_offlinescore",
        "learning.view_enrollment", "learning.add_enrollment", "learning.change_enrollment",
        "learning.view_annualplan",
        "certificates.view_certificate", "certificates.add_certificate", "certificates.change_certificate",
        "certificates.view_certificatetemplate", "certificates.add_certificatetemplate",
        "certificates.change_certificatetemplate",
    ],
    HR: [
        "wagtailadmin.access_admin",
        "people.view_person", "people.add_person", "people.change_person",
        "people.view_organization",
        "rotations.view_rotation", "rotations.add_rotation", "rotations.change_rotation",
        "learning.view_annualplan", "learning.add_annualplan", "learning.change_annualplan",
    ],
    STREET_ADMIN: [
        "wagtailadmin.access_admin",
        "people.view_person", "people.view_organization",
        "assessments.view_attempt", "assessments.view_offlinescore",
        "learning.view_enrollment", "learning.add_enrollment", "learning.change_enrollment",
        "certificates.view_certificate",
    ],
}

# Page permissions on the whole page tree: trainers draft and submit, the training office publishes.
ROLE_PAGE_PERMISSIONS = {
    TRAINER: ["add_page", "change_page"],
    TRAINING_OFFICE: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}

COURSE_WORKFLOW_NAME = "课程发布审核"


def _permission(dotted):
    app_label, codename = dotted.split(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()


def _create_all_permissions():
    """Django creates each app's default permissions in that app's own post_migrate, app by app in
    INSTALLED_APPS order; people comes first, so on a fresh database the permissions named above
    (people.view_person, ...) do not exist yet when ensure_roles runs. Create them all first."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)


@transaction.atomic
def ensure_roles():
    """Create the role groups, their permissions and the publishing workflow. Safe to run again."""
    from wagtail.models import GroupApprovalTask, GroupPagePermission, Page, Workflow, WorkflowPage, WorkflowTask

    _create_all_permissions()
    groups = {}
    for name, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        groups[name] = group
        group.permissions.add(*[p for p in map(_permission, perms) if p is not None])

    root = Page.get_first_root_node()
    if root is None:
        return groups
    for name, codenames in ROLE_PAGE_PERMISSIONS.items():
        for codename in codenames:
            permission = _permission(f"wagtailcore.{codename}")
            GroupPagePermission.objects.get_or_create(group=groups[name], page=root, permission=permission)

    _ensure_collection_permissions(groups)

    workflow, created = Workflow.objects.get_or_create(name=COURSE_WORKFLOW_NAME)
    if created:
        task = GroupApprovalTask.objects.create(name="培训科审核")
        task.groups.set([groups[TRAINING_OFFICE]])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})
    return groups


def _ensure_collection_permissions(groups):
    """Images, documents and media are checked per collection in Wagtail (model permissions alone
    do not let anyone upload): grant each role's image/document/media permissions on the root
    collection, which covers every collection."""
    from wagtail.models import Collection, GroupCollectionPermission

    root = Collection.get_first_root_node()
    if root is None:
        return
    for name, perms in ROLE_PERMISSIONS.items():
        for dotted in perms:
            if dotted.split(".")[0] in {"wagtailimages", "wagtaildocs", "wagtailmedia"}:
                permission = _permission(dotted)
                if permission is not None:
                    GroupCollectionPermission.objects.get_or_create(
                        group=groups[name], collection=root, permission=permission)


def ensure_roles_after_migrate(sender, **kwargs):
    ensure_roles()


def user_roles(user):
    if not user.is_authenticated:
        return set()
    return set(user.groups.values_list("name", flat=True))


def has_role(user, *roles):
    return user.is_authenticated and user.groups.filter(name__in=roles).exists()
