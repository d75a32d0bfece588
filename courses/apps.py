from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Lectures and reading")

    def ready(self):
        from backend.accounts.models import Role
        from backend.accounts.scope import register_role_permissions

        # The city admin runs the lecture series in the admin.
        register_role_permissions(
            Role.CITY_ADMIN,
            {
                f"courses.{action}_{model}"
                for action in ("view", "add", "change", "delete")
                for model in ("lecture", "attachment", "readinglist", "readingitem")
            },
        )
