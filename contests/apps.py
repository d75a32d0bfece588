from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContestsConfig(AppConfig):
    name = "contests"
    verbose_name = _("Live contests")

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import post_save

        from .signals import drop_deactivated_member

        post_save.connect(
            drop_deactivated_member,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="contests.drop_deactivated_member",
        )
