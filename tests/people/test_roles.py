"""Role groups, their permissions, page permissions and the publishing workflow (ensure_roles)."""

import pytest
from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupApprovalTask, GroupPagePermission, Page, Task, Workflow, WorkflowPage, WorkflowTask

from lms.people import roles

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "groups": sorted(Group.objects.values_list("name", flat=True)),
        "group_permissions": sorted(
            Group.permissions.through.objects.values_list("group__name", "permission__codename")),
        "page_permissions": sorted(
            GroupPagePermission.objects.values_list("group__name", "page_id", "permission__codename")),
        "workflows": Workflow.objects.count(),
        "tasks": Task.objects.count(),
        "workflow_tasks": WorkflowTask.objects.count(),
        "workflow_pages": sorted(WorkflowPage.objects.values_list("page_id", "workflow__name")),
    }


def test_it_is_idempotent():
    before = snapshot()
    roles.ensure_roles()
    roles.ensure_roles()
    assert snapshot() == before
    assert set(before["groups"]) >= {roles.LEARNER, roles.TRAINER, roles.TRAINING_OFFICE, roles.HR, roles.STREET_ADMIN}


def test_it_restores_a_removed_permission():
    hr = Group.objects.get(name=roles.HR)
    hr.permissions.remove(Permission.objects.get(content_type__app_label="people", codename="change_person"))
    roles.ensure_roles()
    assert hr.permissions.filter(content_type__app_label="people", codename="change_person").exists()


@pytest.mark.parametrize("role", list(roles.ROLE_PERMISSIONS))
def test_it_gives_every_role_all_its_declared_permissions(role):
    """A misspelt or not-yet-created permission must not be skipped silently."""
    granted = {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=role).permissions.values_list(
            "content_type__app_label", "codename")
    }
    assert granted == set(roles.ROLE_PERMISSIONS[role])


def test_it_gives_staff_roles_the_people_permissions(hr, street_admin, training_office):
    assert hr.user.has_perms(["people.view_person", "people.add_person", "people.change_person"])
    assert not hr.user.has_perm("people.delete_person")
    assert street_admin.user.has_perm("people.view_person")
    assert not street_admin.user.has_perm("people.change_person")
    assert training_office.user.has_perm("people.view_person")


def test_it_keeps_learners_out_of_the_admin(secretary):
    assert not secretary.user.has_perm("wagtailadmin.access_admin")


def test_it_lets_a_trainer_add_and_edit_pages_but_not_publish(trainer, home_page, program, course):
    for page in (home_page, program, course):
        permissions = page.permissions_for_user(trainer.user)
        assert permissions.can_add_subpage()
        assert permissions.can_edit()
        assert not permissions.can_publish()
        assert not permissions.can_unpublish()
    assert trainer.user.has_perm("wagtailadmin.access_admin")


def test_it_lets_the_training_office_publish(training_office, program, course):
    for page in (program, course):
        permissions = page.permissions_for_user(training_office.user)
        assert permissions.can_add_subpage()
        assert permissions.can_edit()
        assert permissions.can_publish()
        assert permissions.can_lock()


def test_it_gives_hr_and_street_admins_no_page_permissions(hr, street_admin, course):
    for person in (hr, street_admin):
        permissions = course.permissions_for_user(person.user)
        assert not permissions.can_edit()
        assert not permissions.can_publish()


def test_it_assigns_the_course_workflow_to_the_root_page(course):
    root = Page.get_first_root_node()
    workflow = WorkflowPage.objects.get(page=root).workflow
    assert workflow.name == roles.COURSE_WORKFLOW_NAME
    assert workflow.active
    tasks = [task.specific for task in workflow.tasks.all()]
    assert len(tasks) == 1
    assert isinstance(tasks[0], GroupApprovalTask)
    assert list(tasks[0].groups.values_list("name", flat=True)) == [roles.TRAINING_OFFICE]
    # Pages below the root inherit it: a course goes through the training office.
    assert course.get_workflow() == workflow


def test_it_lets_only_the_training_office_approve(trainer, training_office, course):
    task = WorkflowPage.objects.get(page=Page.get_first_root_node()).workflow.tasks.get().specific
    assert training_office.user.groups.filter(pk__in=task.groups.all()).exists()
    assert not trainer.user.groups.filter(pk__in=task.groups.all()).exists()


def test_it_reports_roles(secretary, hr, superuser):
    assert roles.user_roles(secretary.user) == {roles.LEARNER}
    assert roles.has_role(hr.user, *roles.STAFF_ROLES)
    assert not roles.has_role(secretary.user, *roles.STAFF_ROLES)
