"""
Awarding points: the one entry point every capability calls.

``points_award`` is idempotent per (member, kind, source key) and respects the
kind's daily cap, also under concurrent calls: it takes the member's balance row
with ``SELECT … FOR UPDATE`` (on SQLite the IMMEDIATE transaction serialises
writers), so the cap check, the ledger insert and the balance update happen as
one step per member.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User

from .models import PointBalance, PointEvent, PointRule, PointTotal
from .periods import period_keys

CORRECTION_KIND = "correction"


class PointsError(Exception):
    """A call the ledger refuses; the message is fit to show."""


@dataclass(frozen=True)
class Award:
    event: PointEvent | None
    created: bool

    @property
    def points(self) -> int:
        return self.event.points if self.event else 0


def _lock_balance(member_id: int) -> PointBalance:
    """Creates the balance row if missing and locks it; call inside a transaction."""
    PointBalance.objects.bulk_create([PointBalance(member_id=member_id)], ignore_conflicts=True)
    return PointBalance.objects.select_for_update().get(member_id=member_id)


def _append(balance: PointBalance, *, created_at: datetime, **fields) -> PointEvent:
    """
    Writes one ledger row and moves the locked balance and the member's period
    totals (month, quarter, year, week, all: ``PointTotal``) by its points, together.
    """
    day = timezone.localdate(created_at)
    event = PointEvent.objects.create(
        member_id=balance.member_id,
        day=day,
        created_at=created_at,
        **fields,
    )
    balance.total += event.points
    balance.save(update_fields=["total", "updated_at"])
    if event.points:
        keys = period_keys(day)
        PointTotal.objects.bulk_create(
            [PointTotal(member_id=balance.member_id, period=k) for k in keys],
            ignore_conflicts=True,
        )
        PointTotal.objects.filter(member_id=balance.member_id, period__in=keys).update(
            points=F("points") + event.points
        )
    return event


@transaction.atomic
def points_award(
    *,
    member: User,
    kind: str,
    source_key: str,
    points: int | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> Award:
    """
    Credits ``member`` for one event of ``kind`` that ``source_key`` names.

    ``points`` defaults to the rule's points. Returns the ledger entry and
    whether it was new; a repeated key returns the first entry unchanged. An
    inactive kind awards nothing (``Award(None, False)``). When the daily cap is
    reached the entry is still written, with the points cut (possibly to 0), so
    a retry stays idempotent and the member can see why.
    """
    try:
        rule = PointRule.objects.get(kind=kind)
    except PointRule.DoesNotExist:
        raise PointsError(_("Unknown point kind: %(kind)s") % {"kind": kind}) from None
    if kind == CORRECTION_KIND:
        raise PointsError(_("Corrections are made with points_correct()."))
    requested = rule.points if points is None else points
    if requested < 0:
        raise PointsError(_("Awards cannot be negative; make a correction instead."))
    if not source_key:
        raise PointsError(_("An award needs a source key."))

    balance = _lock_balance(member.pk)
    existing = PointEvent.objects.filter(member=member, rule=rule, source_key=source_key).first()
    if existing is not None:
        return Award(existing, created=False)
    if not rule.is_active:
        return Award(None, created=False)

    now = now or timezone.now()
    day = timezone.localdate(now)
    granted = requested
    if rule.daily_cap is not None:
        earned = (
            PointEvent.objects.filter(member=member, rule=rule, day=day).aggregate(s=Sum("points"))[
                "s"
            ]
            or 0
        )
        granted = max(0, min(requested, rule.daily_cap - earned))

    event = _append(
        balance,
        rule=rule,
        points=granted,
        requested_points=requested,
        source_key=source_key,
        created_at=now,
        reason=reason,
    )
    return Award(event, created=True)


@transaction.atomic
def points_correct(
    *,
    member: User,
    points: int,
    reason: str,
    by: User | None,
    corrects: PointEvent | None = None,
    source_key: str | None = None,
    now: datetime | None = None,
) -> PointEvent:
    """
    Adds a signed correction to the ledger (no cap applies). Validates that a
    reason is given, the amount is not zero and the corrected entry is the
    member's own. Idempotent when the caller passes a ``source_key``.
    """
    if points == 0:
        raise PointsError(_("A correction must change the total."))
    if not reason.strip():
        raise PointsError(_("A correction needs a reason."))
    if corrects is not None and corrects.member_id != member.pk:
        raise PointsError(_("The corrected entry belongs to another member."))
    rule = PointRule.objects.get(kind=CORRECTION_KIND)
    key = source_key or f"correction:{uuid.uuid4()}"

    balance = _lock_balance(member.pk)
    existing = PointEvent.objects.filter(member=member, rule=rule, source_key=key).first()
    if existing is not None:
        return existing
    return _append(
        balance,
        rule=rule,
        points=points,
        requested_points=points,
        source_key=key,
        created_at=now or timezone.now(),
        reason=reason.strip(),
        corrects=corrects,
        created_by=by,
    )
