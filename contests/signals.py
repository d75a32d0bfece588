"""Contests listen to one change elsewhere: a member who is deactivated leaves
every live contest at once (``runtime.drop_user``), after the commit."""

from django.db import transaction

from .runtime import drop_user


def drop_deactivated_member(sender, instance, **kwargs):
    if not instance.is_active and instance.pk:
        transaction.on_commit(lambda: drop_user(instance.pk))
