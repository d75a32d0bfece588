"""
A city big enough to show the leaderboards' costs: ``members`` members in
units of branches of unequal sizes, ``events`` ledger rows over the last
``days`` days, and the balances and per-period totals that those rows give.
The rows go in with ``executemany`` (the ORM's object per row would take
minutes at 500,000) and the totals are summed in Python beside them, so they are
consistent by construction; the tests check a sample against ``totals_verify``.
Shared by ``tests/points/test_leaderboards_big.py`` and ``bench/leaderboards.py``.
"""

import random
import time
from collections import defaultdict
from datetime import datetime, timedelta
from datetime import time as clock

from django.db import connection, transaction
from django.utils import timezone

from backend.accounts.models import Branch, Role, Unit, User
from backend.points.models import PointBalance, PointEvent, PointRule, PointTotal
from backend.points.periods import period_keys


def _insert(model, columns, rows, batch=10_000):
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608 (our own names)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            cursor.executemany(sql, rows[start : start + batch])


def build_city(
    *,
    members: int = 10_000,
    events: int = 500_000,
    units: int = 40,
    branches_per_unit: int = 5,
    days: int = 60,
    seed: int = 14,
) -> dict:
    rnd = random.Random(seed)
    phases = {}
    started = time.perf_counter()
    today = timezone.localdate()
    unit_rows = Unit.objects.bulk_create(Unit(name=f"基准单位{u:03d}") for u in range(units))
    branch_rows = Branch.objects.bulk_create(
        Branch(unit=unit, name=f"第{b + 1}党支部")
        for unit in unit_rows
        for b in range(branches_per_unit)
    )
    # unequal sizes: some branches nine times the size of others
    weights = [1 + (i * 7919) % 9 for i in range(len(branch_rows))]
    homes = rnd.choices(branch_rows, weights=weights, k=members)
    people = User.objects.bulk_create(
        (
            User(
                username=f"lb{i:05d}",
                display_name=f"党员{i:05d}",
                role=Role.MEMBER,
                unit_id=homes[i].unit_id,
                branch=homes[i],
                password="!",
            )
            for i in range(members)
        ),
        batch_size=2000,
    )
    phases["members"] = time.perf_counter() - started

    started = time.perf_counter()
    rule_id = PointRule.objects.get(kind="correction").pk
    tz = timezone.get_current_timezone()
    ops = connection.ops
    day_list = [today - timedelta(days=d) for d in range(days)]
    day_values = {
        d: (
            ops.adapt_datefield_value(d),
            ops.adapt_datetimefield_value(datetime.combine(d, clock(9), tzinfo=tz)),
            period_keys(d),
        )
        for d in day_list
    }
    # some members far more active than others; a tenth earn nothing at all
    activity = [0.0 if rnd.random() < 0.1 else rnd.random() ** 2 for _ in people]
    earners = rnd.choices([p.pk for p in people], weights=activity, k=events)
    event_days = rnd.choices(day_list, k=events)
    event_points = rnd.choices(range(1, 6), k=events)
    # inserted in index order (member, then day): at this size the B-tree
    # inserts, not Python, are the cost
    order = sorted(range(events), key=lambda n: (earners[n], event_days[n]))
    balance: dict[int, int] = defaultdict(int)
    totals: dict[tuple[int, str], int] = defaultdict(int)
    rows = []
    for seq, n in enumerate(order):
        member_id, points = earners[n], event_points[n]
        day_value, created_value, keys = day_values[event_days[n]]
        balance[member_id] += points
        for key in keys:
            totals[(member_id, key)] += points
        rows.append(
            (member_id, rule_id, points, points, f"b:{seq:07d}", day_value, created_value, "基准")
        )
    phases["generate"] = time.perf_counter() - started

    started = time.perf_counter()
    with transaction.atomic():
        _insert(
            PointEvent,
            [
                "member_id",
                "rule_id",
                "points",
                "requested_points",
                "source_key",
                "day",
                "created_at",
                "reason",
            ],
            rows,
        )
        now = ops.adapt_datetimefield_value(timezone.now())
        _insert(
            PointBalance,
            ["member_id", "total", "updated_at"],
            [(m, t, now) for m, t in balance.items()],
        )
        _insert(
            PointTotal,
            ["member_id", "period", "points"],
            sorted((m, k, p) for (m, k), p in totals.items()),
        )
    phases["insert"] = time.perf_counter() - started
    return {
        "units": unit_rows,
        "branches": branch_rows,
        "members": people,
        "totals": len(totals),
        "today": today,
        "phases": {k: round(v, 2) for k, v in phases.items()},
    }
