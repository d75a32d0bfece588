"""
Demo ledger rows written in bulk (``manage.py seed_demo`` only).

A year of a demo city's activity is tens of thousands of awards; through
``services.points_award`` (a locked balance, a cap query and five period totals
per row) that takes minutes. ``ledger_bulk_add`` writes the rows at once and
then brings ``PointBalance`` and ``PointTotal`` to a recount of the ledger, so
the two invariants of the ledger hold afterwards as they do after any award:
balance == sum of the member's rows, totals == ``totals.ledger_totals()``.

The caller respects the kinds' daily caps itself (it knows its own rows). Rows
are keyed like real awards: (member, kind, source key) counts once, so a second
run adds nothing and touches nothing. Not for live use: run it while no awards
are being made (as ``totals.totals_rebuild`` says).
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from .models import PointBalance, PointEvent, PointRule
from .totals import totals_rebuild


@dataclass(frozen=True)
class DemoAward:
    member_id: int
    kind: str
    source_key: str
    points: int
    at: datetime


_deferred: list[bool] = []


@contextmanager
def ledger_resync_deferred() -> Iterator[None]:
    """Inside, ``ledger_bulk_add`` leaves the recount to the end of the block (once,
    if any row was added), so a seed made of several steps recounts once. Until
    then balances and totals may lag the ledger: read none of them inside."""
    _deferred.append(False)
    try:
        yield
    finally:
        if _deferred.pop():
            ledger_resync()


def ledger_bulk_add(awards: Iterable[DemoAward], *, batch_size: int = 2000) -> int:
    """Appends the awards not in the ledger yet; returns how many were new.
    When any was, balances and period totals are recounted from the ledger (at
    once, or at the end of an enclosing ``ledger_resync_deferred``)."""
    rules = dict(PointRule.objects.values_list("kind", "pk"))
    with transaction.atomic():
        before = PointEvent.objects.count()
        PointEvent.objects.bulk_create(
            (
                PointEvent(
                    member_id=a.member_id,
                    rule_id=rules[a.kind],
                    points=a.points,
                    requested_points=a.points,
                    source_key=a.source_key,
                    day=timezone.localdate(a.at),
                    created_at=a.at,
                )
                for a in awards
            ),
            batch_size=batch_size,
            ignore_conflicts=True,
        )
        added = PointEvent.objects.count() - before
        if added and _deferred:
            _deferred[-1] = True
        elif added:
            ledger_resync()
    return added


def ledger_resync() -> None:
    """Every member's balance and period totals set to the ledger's recount."""
    with transaction.atomic():
        _resync()


def _resync() -> None:
    sums = PointEvent.objects.values_list("member_id").annotate(s=Sum("points")).order_by()
    PointBalance.objects.bulk_create(
        [PointBalance(member_id=m, total=s or 0) for m, s in sums],
        update_conflicts=True,
        unique_fields=["member"],
        update_fields=["total", "updated_at"],
        batch_size=2000,
    )
    totals_rebuild()
