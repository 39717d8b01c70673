from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo district and scale data. This app may import every other app; nothing imports it."""

    name = "lms.demo"
    label = "demo"
    verbose_name = "Demo data"
