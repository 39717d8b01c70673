from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "lms.people"
    label = "people"
    verbose_name = _("People and organizations")

    def ready(self):
        # password and totp: the login signals that decide on a forced password change and a second factor.
        from . import password, roles, totp  # noqa: F401

        post_migrate.connect(roles.ensure_roles_after_migrate, sender=self)
        post_migrate.connect(ensure_cache_table, sender=self)


def ensure_cache_table(sender, using="default", **kwargs):
    """The default cache is a database table (shared by web and task processes when there is no
    Redis); create it with every migrate, so no deployment step can forget it. Idempotent."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)
