"""
Benchmark: how long the hot paths take and how many queries they cost.

    .venv/bin/python bench/attempts_and_reports.py [--members 2000] [--questions 50]

Runs against a throw-away SQLite database in a temporary folder (or against
DATABASE_URL when set — use a scratch database), builds a bank, a quiz and a
city of members, then times: starting a 50-question attempt, saving an answer,
submitting; the lecture report for a unit admin and for the city admin; the
lecture list. Prints milliseconds (median of the runs) and query counts.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch import django_in_scratch_dir  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    django_in_scratch_dir()

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from backend.accounts.models import Branch, Role, Unit, User
    from courses.models import LectureProgress
    from tests.factories import make_bank, make_lecture, make_question, make_quiz

    unit = Unit.objects.create(name="基准单位")
    branches = [Branch.objects.create(unit=unit, name=f"第{i}支部") for i in range(20)]
    members = User.objects.bulk_create(
        User(
            username=f"b{i}",
            display_name=f"党员{i}",
            role=Role.MEMBER,
            unit=unit,
            branch=branches[i % 20],
        )
        for i in range(args.members)
    )
    admin = User.objects.create(username="benchadmin", role=Role.UNIT_ADMIN, unit=unit)
    city = User.objects.create(username="benchcity", role=Role.CITY_ADMIN, is_superuser=True)
    lecture = make_lecture()
    LectureProgress.objects.bulk_create(
        LectureProgress(member=m, lecture=lecture, seconds_read=300) for m in members[::2]
    )
    bank = make_bank()
    kinds = ["single", "multiple", "truefalse", "fill"]
    quiz = make_quiz([make_question(bank, kinds[n % 4]) for n in range(args.questions)])

    def measure(label, request, runs=args.runs):
        timings, queries = [], 0
        for _ in range(runs):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                request()
                timings.append((time.perf_counter() - started) * 1000)
            queries = len(captured)
        print(f"{label:<48} {statistics.median(timings):8.1f} ms   {queries:3d} queries")

    print(f"database: {connection.vendor}; {args.members} members, {args.questions} questions")
    client = APIClient()
    attempt_ids = []
    takers = iter(members)

    def start():
        client.force_authenticate(next(takers))
        attempt_ids.append(client.post(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()["id"])

    measure(f"start a {args.questions}-question attempt", start)
    state = client.get(f"/api/v1/attempts/{attempt_ids[-1]}/").json()
    question = state["questions"][0]
    body = (
        {"blanks": ["x"]}
        if question["kind"] == "fill"
        else {"choices": [question["options"][0]["key"]]}
    )
    answer_url = f"/api/v1/attempts/{attempt_ids[-1]}/answers/{question['id']}/"
    measure("save one answer", lambda: client.put(answer_url, body, format="json"))
    measure(
        "submit (grade) the attempt",
        lambda: client.post(f"/api/v1/attempts/{attempt_ids[-1]}/submit/"),
        runs=1,
    )
    client.force_authenticate(admin)
    measure(
        f"lecture report, unit admin ({args.members} people)",
        lambda: client.get(f"/api/v1/lectures/{lecture.pk}/report/"),
    )
    client.force_authenticate(city)
    measure(
        "lecture report as .xlsx, city admin",
        lambda: client.get(f"/api/v1/lectures/{lecture.pk}/report/?format=xlsx"),
        runs=5,
    )
    measure("lecture list", lambda: client.get("/api/v1/lectures/"))


if __name__ == "__main__":
    main()
