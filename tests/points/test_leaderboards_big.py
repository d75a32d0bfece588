"""
Fixed query counts with 10,000 members and 500,000 ledger rows (bulk-inserted
with their totals; a sample checked against the recount). About 15 s on
SQLite, most of it building the city.
"""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.points import leaderboards as lb
from backend.points.models import PointEvent
from backend.points.totals import totals_verify

from .leaderboard_city import build_city


@pytest.mark.django_db
def test_leaderboards_cost_a_fixed_number_of_queries_at_city_size(client, settings):
    # given
    city = build_city(members=10_000, events=500_000)
    assert PointEvent.objects.count() == 500_000
    member = city["members"][123]
    assert totals_verify(member_ids=[m.pk for m in city["members"][:200]]) == []
    key = lb.period_key("month", city["today"])
    timings = {}

    def counted(name, expected, call):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            result = call()
        timings[name] = round((time.perf_counter() - started) * 1000)
        assert len(ctx.captured_queries) == expected, (name, ctx.captured_queries)
        return result

    # when / then
    rows = counted("city members", 1, lambda: lb.member_ranking("city", None, key))
    assert len(rows) == 50 and rows[0].rank == 1
    assert [r.points for r in rows] == sorted((r.points for r in rows), reverse=True)
    me = counted("me in the city", 2, lambda: lb.member_rank(member, "city", None, key))
    assert me[0] >= 1
    counted("unit members", 1, lambda: lb.member_ranking("unit", member.unit_id, "all"))
    units = counted("units", 1, lambda: lb.group_ranking("units", key))
    assert len(units) == 40 and sum(u.members for u in units) == 10_000
    counted("branches", 1, lambda: lb.group_ranking("branches", key))
    standing = counted("standing", 2, lambda: lb.member_standing(member, city["today"]))
    assert len(standing) == 12
    client.force_login(member)
    with CaptureQueriesContext(connection) as api_queries:
        response = client.get("/api/v1/leaderboards/", {"scope": "city", "period": "all"})
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as page_queries:
        response = client.get("/me/points/")
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as ranking_queries:
        response = client.get("/me/points/ranking/", {"scope": "city", "of": "units"})
    assert response.status_code == 200 and b'data-testid="me-row"' in response.content
    print(city["phases"], timings, len(api_queries), len(page_queries), len(ranking_queries))
    # whole requests, the session and the user included
    assert len(api_queries.captured_queries) <= 5
    assert len(page_queries.captured_queries) <= 8
    assert len(ranking_queries.captured_queries) <= 3
