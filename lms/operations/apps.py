from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Running the system: backup and restore of the database and the uploaded files."""

    name = "lms.operations"
    label = "operations"
    verbose_name = "Operations"
