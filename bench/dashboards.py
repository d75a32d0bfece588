"""
Benchmark: the supervision dashboards and the quarterly report at city size.

    .venv/bin/python bench/dashboards.py [--members 10000] [--events 500000] [--runs 3]

Builds, in a throw-away SQLite database in a temporary folder (or DATABASE_URL when
set — use a scratch database), the leaderboards' benchmark city (``--members`` members
in 40 units of 5 branches, ``--events`` ledger rows over 60 days with their per-period
totals: ``tests/points/leaderboard_city.py``), publishes the current quarter, then
times the dashboard of the city admin, a unit admin and a secretary (cold: the cache
of past months emptied first; warm: the months already over come from the cache), the
/supervision/ page, and the report's .xlsx and PDF from the published snapshot. Prints
milliseconds (median of the runs) and query counts, then one JSON line with every figure.
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
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    django_in_scratch_dir()

    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from backend.accounts.models import Role, User
    from orglife.compliance import period_of
    from supervision import assessment as svc
    from supervision import dashboards, reports
    from tests.points.leaderboard_city import build_city

    started = time.perf_counter()
    city = build_city(members=args.members, events=args.events)
    build_seconds = time.perf_counter() - started
    some = city["members"][0]
    admin = User.objects.create(username="bench-city", role=Role.CITY_ADMIN)
    unit_admin = User.objects.create(username="bench-unit", role=Role.UNIT_ADMIN, unit=some.unit)
    secretary = User.objects.create(
        username="bench-secretary", role=Role.SECRETARY, unit=some.unit, branch=some.branch
    )
    quarter = period_of(city["today"], "quarter")
    figures: dict[str, dict] = {}

    def measure(label, call, runs=args.runs, cold=False):
        timings, queries = [], 0
        for _ in range(runs):
            if cold:
                cache.clear()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                call()
                timings.append((time.perf_counter() - started) * 1000)
            queries = len(captured)
        ms = statistics.median(timings)
        figures[label] = {"ms": round(ms, 1), "queries": queries}
        print(f"{label:<44} {ms:8.1f} ms   {queries:3d} queries")

    print(
        f"database: {connection.vendor}; {args.members} members, {args.events} ledger rows; "
        f"built in {build_seconds:.1f} s"
    )
    now = timezone.now()
    for name, user in (("city", admin), ("unit", unit_admin), ("branch", secretary)):
        run = lambda u=user: dashboards.dashboard(u, now=now)  # noqa: E731
        measure(f"dashboard {name} (cold)", run, cold=True)
        measure(f"dashboard {name} (warm)", run)
    client = Client()
    client.force_login(admin)
    measure("GET /supervision/ (city admin, warm)", lambda: client.get("/supervision/"))

    started = time.perf_counter()
    published = svc.publish(quarter, by=admin)
    print(f"{'publish ' + published.quarter:<44} {(time.perf_counter() - started) * 1000:8.1f} ms")
    body, row = svc.view_for(admin, quarter)
    row.view = body
    measure("report .xlsx (city)", lambda: reports.build(row, "xlsx"))
    if reports.fonts_available():
        measure("report PDF (city)", lambda: reports.build(row, "pdf"))
    print(json.dumps({"members": args.members, "events": args.events, "figures": figures}))


if __name__ == "__main__":
    main()
