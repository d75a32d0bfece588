"""
Benchmark: the leaderboards and the 积分 page at city size.

    .venv/bin/python bench/leaderboards.py [--members 10000] [--events 500000] [--runs 10]

Builds, in a throw-away SQLite database in a temporary folder (or DATABASE_URL
when set — use a scratch database), a city of ``--members`` members in 40 units
of 5 branches of unequal sizes and ``--events`` ledger rows over 60 days with
their balances and per-period totals (``tests/points/leaderboard_city.py``),
then times each leaderboard query, the API and the member's 积分 page and
leaderboard page. Prints milliseconds (median of the runs) and query counts,
then one JSON line with every figure.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch import django_in_scratch_dir  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    django_in_scratch_dir()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from backend.points import leaderboards as lb
    from backend.points.totals import totals_verify
    from tests.points.leaderboard_city import build_city

    started = time.perf_counter()
    city = build_city(members=args.members, events=args.events)
    build_seconds = time.perf_counter() - started
    sample = [m.pk for m in city["members"][:500]]
    assert totals_verify(member_ids=sample) == [], "totals differ from the ledger"
    member = city["members"][len(city["members"]) // 2]
    today = city["today"]
    month = lb.period_key("month", today)
    figures: dict[str, dict] = {}

    def measure(label, call, runs=args.runs):
        timings, queries = [], 0
        for _ in range(runs):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                call()
                timings.append((time.perf_counter() - started) * 1000)
            queries = len(captured)
        ms = statistics.median(timings)
        figures[label] = {"ms": round(ms, 1), "queries": queries}
        print(f"{label:<44} {ms:8.1f} ms   {queries:3d} queries")

    print(
        f"database: {connection.vendor}; {args.members} members, {args.events} ledger rows, "
        f"{city['totals']} period totals; built in {build_seconds:.1f} s {city['phases']}"
    )
    measure("city top 50, month", lambda: lb.member_ranking("city", None, month))
    measure("city top 50, all time", lambda: lb.member_ranking("city", None, "all"))
    measure("unit top 50, month", lambda: lb.member_ranking("unit", member.unit_id, month))
    measure("branch, month", lambda: lb.member_ranking("branch", member.branch_id, month))
    measure("a member's rank in the city", lambda: lb.member_rank(member, "city", None, month))
    measure("units by average, month", lambda: lb.group_ranking("units", month))
    measure("branches by average, month", lambda: lb.group_ranking("branches", month))
    measure(
        "a unit's branches, month",
        lambda: lb.group_ranking("branches", month, within_unit=member.unit_id),
    )
    measure("a member's 12 ranks + last week", lambda: lb.member_standing(member, today))
    client = Client()
    client.force_login(member)

    def get(url, params=None):
        def call():
            response = client.get(url, params or {})
            assert response.status_code == 200, response.status_code

        return call

    measure("API city members, month", get("/api/v1/leaderboards/", {"scope": "city"}))
    measure(
        "API units, quarter",
        get("/api/v1/leaderboards/", {"scope": "city", "period": "quarter", "of": "units"}),
    )
    measure("积分 page /me/points/", get("/me/points/"))
    measure("leaderboard page /me/points/ranking/", get("/me/points/ranking/"))
    measure("home page", get("/"))
    print(
        json.dumps(
            {
                "bench": "leaderboards",
                "database": connection.vendor,
                "members": args.members,
                "events": args.events,
                "build_seconds": round(build_seconds, 1),
                "figures": figures,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
