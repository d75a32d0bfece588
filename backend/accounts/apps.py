from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "backend.accounts"
    label = "accounts"
    verbose_name = _("Organisation and accounts")

    def ready(self):
        from . import scope

        for role, permissions in scope.ACCOUNTS_ROLE_PERMISSIONS.items():
            scope.register_role_permissions(role, permissions)
