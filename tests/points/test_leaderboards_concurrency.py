"""
The per-period totals equal a recount of the ledger after concurrent awards.

Each thread has its own database connection. On PostgreSQL (``DATABASE_URL``)
the awards race for the balance row lock; on SQLite the IMMEDIATE transactions
serialise them, and the test still checks the same sums.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from backend.points import leaderboards as lb
from backend.points.models import PointTotal
from backend.points.services import points_award, points_correct
from backend.points.totals import totals_verify

from ..factories import make_branch, make_user
from .test_ledger import run_concurrently

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db(transaction=True)
def test_totals_equal_recount_after_concurrent_awards():
    # given: six members of two branches, and awards spread over a month boundary
    # and two weeks, from 24 threads at once (several per member, same keys too)
    branches = [make_branch(), make_branch()]
    members = [make_user(branch=branches[i % 2]) for i in range(6)]
    start = datetime(2026, 11, 28, 9, tzinfo=SHANGHAI)

    def work(i):
        member = members[i % 6]
        for n in range(6):
            when = start + timedelta(days=(i + n) % 5, minutes=n)
            points_award(
                member=member, kind="daily_practice", source_key=f"p:{n}:{i % 3}", now=when
            )
            points_award(member=member, kind="daily_login", source_key=f"l:{(i + n) % 5}", now=when)
        points_correct(member=member, points=3 - i % 5 or 7, reason="抽查更正", by=None, now=start)

    # when
    assert run_concurrently(24, work) == []

    # then: every member's every period equals the ledger, and the ranks follow
    assert connection.vendor in ("postgresql", "sqlite")
    assert totals_verify() == []
    assert PointTotal.objects.filter(period="all").count() == 6
    rows = lb.member_ranking("city", None, "all")
    assert [r.points for r in rows] == sorted((r.points for r in rows), reverse=True)
    for member in members:
        row = next(r for r in rows if r.member_id == member.pk)
        assert lb.member_rank(member, "city", None, "all") == (row.rank, row.points)
