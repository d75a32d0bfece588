from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("Question banks and quizzes")

    def ready(self):
        from backend.accounts.scope import register_role_permissions

        from .scope import ROLE_PERMISSIONS

        for role, permissions in ROLE_PERMISSIONS.items():
            register_role_permissions(role, permissions)
