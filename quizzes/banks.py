"""Question banks for the admins who manage them: the list (a selector) and a new
bank (a validating service), both in the org tree's scope (``quizzes.scope``)."""

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from backend.accounts import scope as org_scope

from . import scope
from .models import QuestionBank

#: ``bank_create(unit_id=OWN_UNIT)``: the creator's own unit (a city admin: city-wide).
OWN_UNIT = object()


class BankError(Exception):
    """A bank that cannot be created; ``code``: ``unit_not_allowed``,
    ``duplicate_name``, ``invalid``."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def banks_for_manager(*, user) -> QuerySet[QuestionBank]:
    """The banks ``user`` manages, each with ``question_count``: one query."""
    return (
        scope.banks_manageable_by(user)
        .select_related("unit")
        .annotate(question_count=Count("questions"))
        .order_by("unit__name", "name", "id")
    )


def bank_create(*, user, name: str, unit_id=OWN_UNIT) -> QuestionBank:
    """Checks and creates a bank: a unit admin's belongs to the own unit (the only
    one allowed); a city admin's to any unit or, with ``unit_id=None``, the city.
    A name is unique per owner."""
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise BankError(_("A bank's name has 1 to 100 characters."), "invalid")
    city = org_scope.is_city_admin(user)
    if unit_id is OWN_UNIT:
        unit_id = None if city else user.unit_id
    if unit_id is None and not city:
        raise BankError(_("Only the city admin creates city-wide banks."), "unit_not_allowed")
    if unit_id is not None and not org_scope.units_manageable_by(user).filter(pk=unit_id).exists():
        raise BankError(_("You cannot create a bank for this unit."), "unit_not_allowed")
    if QuestionBank.objects.filter(name=name, unit_id=unit_id).exists():
        raise BankError(_("This owner already has a bank of this name."), "duplicate_name")
    try:
        with transaction.atomic():
            return QuestionBank.objects.create(name=name, unit_id=unit_id)
    except IntegrityError:  # created by someone else just now
        raise BankError(
            _("This owner already has a bank of this name."), "duplicate_name"
        ) from None
