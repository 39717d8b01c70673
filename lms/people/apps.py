from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "lms.people"
    label = "people"
    verbose_name = _("People and organizations")

    def ready(self):
        from . import roles

        post_migrate.connect(roles.ensure_roles_after_migrate, sender=self)
