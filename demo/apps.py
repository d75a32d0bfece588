from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo city (``manage.py seed_demo``). It sits above the apps: the one place
    that knows them all, so the foundation (``backend/``) need not."""

    name = "demo"
    verbose_name = "Demo city"
