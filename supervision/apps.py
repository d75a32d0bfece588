from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision and assessment")

    def ready(self):
        from backend.accounts.models import Role
        from backend.accounts.scope import register_role_permissions

        # The city admin sets the year's indicators and settings in the admin and reads
        # the published assessments and explanations there.
        register_role_permissions(
            Role.CITY_ADMIN,
            {
                "supervision.view_indicator",
                "supervision.add_indicator",
                "supervision.change_indicator",
                "supervision.view_assessmentsetting",
                "supervision.add_assessmentsetting",
                "supervision.change_assessmentsetting",
                "supervision.view_assessment",
                "supervision.view_explanation",
            },
        )
