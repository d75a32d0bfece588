"""
The per-period totals (``PointTotal``) recounted from the ledger.

``ledger_totals`` sums the ledger by member and period in two grouped queries
(by month and by ISO week; quarters, years and ``all`` follow from the months);
``totals_rebuild`` replaces the stored rows with it (the data migration and
``manage.py points_totals --rebuild`` use it) and ``totals_verify`` lists every
difference between the stored rows and the recount (``manage.py points_totals``
and the tests: after any sequence of awards it must be empty).
"""

from collections import defaultdict

from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import TruncMonth, TruncWeek

from .periods import period_key


def ledger_totals(event_model=None, *, member_ids=None) -> dict[tuple[int, str], int]:
    """``{(member_id, period key): points}`` summed from the ledger (zero sums kept)."""
    if event_model is None:
        from .models import PointEvent

        event_model = PointEvent
    events = event_model.objects.all()
    if member_ids is not None:
        events = events.filter(member_id__in=member_ids)
    totals: dict[tuple[int, str], int] = defaultdict(int)
    by_month = (
        events.annotate(m=TruncMonth("day"))
        .values_list("member_id", "m")
        .annotate(s=Sum("points"))
        .order_by()
    )
    for member_id, month, points in by_month:
        for kind in ("month", "quarter", "year", "all"):
            totals[(member_id, period_key(kind, month))] += points
    by_week = (
        events.annotate(w=TruncWeek("day"))
        .values_list("member_id", "w")
        .annotate(s=Sum("points"))
        .order_by()
    )
    for member_id, monday, points in by_week:
        totals[(member_id, period_key("week", monday))] += points
    return dict(totals)


def totals_rebuild(event_model=None, total_model=None, *, batch_size: int = 5000) -> int:
    """Replaces every stored total with the ledger's recount; returns the rows written.

    Run it while no awards are being made (a migration, maintenance): an award
    committed between the recount and the write would be lost from the totals.
    """
    if total_model is None:
        from .models import PointTotal

        total_model = PointTotal
    with transaction.atomic():
        totals = ledger_totals(event_model)
        total_model.objects.all().delete()
        total_model.objects.bulk_create(
            (total_model(member_id=m, period=k, points=p) for (m, k), p in totals.items()),
            batch_size=batch_size,
        )
    return len(totals)


def totals_verify(*, member_ids=None) -> list[tuple[int, str, int, int]]:
    """Every ``(member_id, period, stored, recounted)`` that differ; empty when all agree."""
    from .models import PointTotal

    expected = ledger_totals(member_ids=member_ids)
    stored_rows = PointTotal.objects.all()
    if member_ids is not None:
        stored_rows = stored_rows.filter(member_id__in=member_ids)
    stored = {(m, k): p for m, k, p in stored_rows.values_list("member_id", "period", "points")}
    diffs = []
    for key in sorted(expected.keys() | stored.keys()):
        a, b = stored.get(key, 0), expected.get(key, 0)
        if a != b:
            diffs.append((key[0], key[1], a, b))
    return diffs
