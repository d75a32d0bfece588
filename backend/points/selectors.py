from datetime import date

from django.db.models import QuerySet, Sum
from django.utils import timezone

from backend.accounts import scope
from backend.accounts.models import User

from .models import PointBalance, PointEvent


def points_total(*, member: User) -> int:
    """The member's total from the balance row (0 before the first award)."""
    return (
        PointBalance.objects.filter(member_id=member.pk).values_list("total", flat=True).first()
        or 0
    )


def points_recount(*, member: User) -> int:
    """The member's total summed from the ledger itself, for audits and tests."""
    return PointEvent.objects.filter(member_id=member.pk).aggregate(s=Sum("points"))["s"] or 0


def points_on_day(*, member: User, day: date | None = None) -> int:
    day = day or timezone.localdate()
    return (
        PointEvent.objects.filter(member_id=member.pk, day=day).aggregate(s=Sum("points"))["s"] or 0
    )


def point_events_for_member(*, member: User) -> QuerySet[PointEvent]:
    return PointEvent.objects.filter(member_id=member.pk).select_related("rule")


def point_events_visible_to(*, user: User) -> QuerySet[PointEvent]:
    return PointEvent.objects.filter(member__in=scope.members_visible_to(user)).select_related(
        "rule", "member", "created_by"
    )
