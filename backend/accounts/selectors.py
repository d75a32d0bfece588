from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from . import scope
from .models import Branch, Unit, User


def member_list_for_user(
    *, user: User, query: str = "", branch_id: int | None = None
) -> QuerySet[User]:
    """The people ``user`` may see, with org and points joined in (no N+1)."""
    members = (
        scope.members_visible_to(user)
        .select_related("unit", "branch")
        .annotate(points=Coalesce(F("point_balance__total"), Value(0)))
        .order_by("unit__position", "branch__position", "username")
    )
    if query:
        members = members.filter(Q(display_name__icontains=query) | Q(username__icontains=query))
    if branch_id is not None:
        members = members.filter(branch_id=branch_id)
    return members


def branch_list_for_user(*, user: User) -> QuerySet[Branch]:
    return scope.branches_visible_to(user).select_related("unit")


def unit_list_for_user(*, user: User) -> QuerySet[Unit]:
    return scope.units_visible_to(user)
