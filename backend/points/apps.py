from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "backend.points"
    label = "points"
    verbose_name = _("Study points")

    def ready(self):
        from backend.accounts.models import Role
        from backend.accounts.scope import register_role_permissions

        # The ledger in the admin (rows limited by ``scope.members_manageable_by``).
        register_role_permissions(
            Role.CITY_ADMIN,
            {
                "points.view_pointrule",
                "points.change_pointrule",
                "points.view_pointevent",
                "points.add_pointevent",
            },
        )
        register_role_permissions(
            Role.UNIT_ADMIN,
            {"points.view_pointrule", "points.view_pointevent", "points.add_pointevent"},
        )
        register_role_permissions(Role.SECRETARY, {"points.view_pointevent"})
