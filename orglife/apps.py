from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrglifeConfig(AppConfig):
    name = "orglife"
    verbose_name = _("Organisational life")

    def ready(self):
        from backend.accounts.models import Role
        from backend.accounts.scope import register_role_permissions

        # The city admin edits the compliance rules (and reads sessions) in the admin.
        register_role_permissions(
            Role.CITY_ADMIN,
            {
                "orglife.view_compliancerule",
                "orglife.change_compliancerule",
                "orglife.view_session",
                "orglife.view_leaverequest",
                "orglife.view_makeuptask",
                "orglife.view_partygroup",
                "orglife.add_partygroup",
                "orglife.change_partygroup",
                "orglife.delete_partygroup",
                "orglife.view_committeeseat",
                "orglife.add_committeeseat",
                "orglife.change_committeeseat",
                "orglife.delete_committeeseat",
            },
        )

        # Make-up tasks close when lecture progress, reading or a quiz attempt shows them done.
        from . import signals

        signals.connect()
