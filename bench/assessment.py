"""
Benchmark: the quarterly assessment (考核) at city size.

    .venv/bin/python bench/assessment.py [--members 10000] [--events 500000] [--runs 5]

Builds, in a throw-away SQLite database in a temporary folder (or DATABASE_URL
when set — use a scratch database), the leaderboards' benchmark city
(``tests/points/leaderboard_city.py``: ``--members`` members in 200 branches of
unequal sizes, ``--events`` ledger rows over 60 days with their per-period
totals), plus this quarter's lecture of the month read by half the members and
a daily practice on a third of the days by a third of them; then times the
indicators per branch and per unit, the live preview (``assessment.build``),
publishing, and the API and page of the published quarter. Prints milliseconds
(median of the runs) and query counts, then one JSON line with every figure.
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
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    django_in_scratch_dir()

    from datetime import timedelta

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from backend.accounts.models import Role, User
    from courses.models import Lecture, LectureProgress, LectureStatus
    from orglife.compliance import period_of
    from orglife.models import RulePeriod
    from quizzes.models import Attempt, AttemptKind, AttemptStatus
    from supervision import assessment, indicators
    from tests.points.leaderboard_city import build_city

    started = time.perf_counter()
    city = build_city(members=args.members, events=args.events)
    today = timezone.localdate()
    quarter = period_of(today, RulePeriod.QUARTER)
    lecture = Lecture.objects.create(
        title="本季度第一讲",
        speaker="李明远",
        month=quarter.start,
        body="学习",
        status=LectureStatus.PUBLISHED,
        published_at=quarter.starts_at(),
    )
    members = city["members"]
    now = timezone.now()
    LectureProgress.objects.bulk_create(
        (
            LectureProgress(member=m, lecture=lecture, seconds_read=600, completed_at=now)
            for m in members[::2]
        ),
        batch_size=5000,
    )
    days = [quarter.start + timedelta(days=d) for d in range((today - quarter.start).days + 1)]
    Attempt.objects.bulk_create(
        (
            Attempt(
                member=m, kind=AttemptKind.DAILY, day=day, seed=1, status=AttemptStatus.SUBMITTED
            )
            for m in members[::3]
            for day in days[::3]
        ),
        batch_size=5000,
    )
    build_seconds = time.perf_counter() - started
    admin = User(username="bench-admin", role=Role.CITY_ADMIN)
    admin.set_unusable_password()
    admin.save()
    figures: dict[str, dict] = {}

    def measure(label, call, runs=args.runs):
        timings, queries = [], 0
        for _ in range(runs):
            with CaptureQueriesContext(connection) as captured:
                begun = time.perf_counter()
                call()
                timings.append((time.perf_counter() - begun) * 1000)
            queries = len(captured)
        ms = statistics.median(timings)
        figures[label] = {"ms": round(ms, 1), "queries": queries}
        print(f"{label:<44} {ms:8.1f} ms   {queries:3d} queries")

    print(
        f"database: {connection.vendor}; {args.members} members, {args.events} ledger rows, "
        f"quarter {quarter.label}; built in {build_seconds:.1f} s"
    )
    measure("indicators per branch", lambda: indicators.compute(quarter, level="branch"))
    measure("indicators per unit", lambda: indicators.compute(quarter, level="unit"))
    measure("preview (score and rank all)", lambda: assessment.build(quarter))
    measure("publish (a new version)", lambda: assessment.publish(quarter, by=admin))
    client = Client()
    client.force_login(admin)

    def get(url, params=None):
        def call():
            response = client.get(url, params or {})
            assert response.status_code == 200, response.status_code

        return call

    url = f"/api/v1/assessments/{quarter.label}/"
    measure("API published quarter (city admin)", get(url))
    measure("API published quarter, one unit", get(url, {"unit": city["units"][0].pk}))
    measure("API the year's quarters", get("/api/v1/assessments/"))
    measure(
        "page /supervision/assessments/<quarter>/",
        get(f"/supervision/assessments/{quarter.label}/"),
    )
    print(
        json.dumps(
            {
                "bench": "assessment",
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
