"""
Benchmark: a quiz's statistics (item and distractor analysis) at city size.

    .venv/bin/python bench/quiz_statistics.py [--attempts 10000] [--questions 20] [--runs 5]

Builds, in a throw-away SQLite database in a temporary folder (or DATABASE_URL
when set — use a scratch database), a quiz of ``--questions`` questions (single,
multiple and true/false in turn) and ``--attempts`` submitted attempts with an
answer to every question, then times ``quiz_statistics`` (the report the admin
page, the API and the .xlsx share), the JSON API and the .xlsx export. Prints
milliseconds (median of the runs; also the CPU time of this process, which the
database's own work is not part of with PostgreSQL) and query counts.
"""

import argparse
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scratch import django_in_scratch_dir


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    django_in_scratch_dir()

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from rest_framework.test import APIClient

    from backend.accounts.models import Role
    from quizzes import statistics as quiz_statistics
    from quizzes.models import Attempt, AttemptKind, AttemptQuestion, AttemptStatus
    from quizzes.scoring import grade
    from tests.factories import make_bank, make_question, make_quiz, make_user

    rng = random.Random(15)  # noqa: S311 (made-up answers, not secrets)
    bank = make_bank()
    kinds = ["single", "multiple", "truefalse"]
    questions = [make_question(bank, kinds[i % 3]) for i in range(args.questions)]
    quiz = make_quiz(questions)
    member = make_user()
    now = timezone.now()
    attempts = Attempt.objects.bulk_create(
        Attempt(
            member=member,
            quiz=quiz,
            kind=AttemptKind.QUIZ,
            seed=n,
            started_at=now,
            finished_at=now,
            status=AttemptStatus.SUBMITTED,
            score=Decimal(rng.randint(0, args.questions)),
            max_score=Decimal(args.questions),
        )
        for n in range(args.attempts)
    )

    def response(question):
        if question.kind == "truefalse":
            return {"choices": [rng.choice(["true", "false"])]}
        keys = question.option_keys
        count = 1 if question.kind == "single" else rng.randint(1, len(keys))
        return {"choices": sorted(rng.sample(keys, count))}

    rows = []
    for attempt in attempts:
        for position, question in enumerate(questions):
            answer = response(question)
            rows.append(
                AttemptQuestion(
                    attempt=attempt,
                    question=question,
                    position=position,
                    option_order=question.option_keys,
                    response=answer,
                    correct=grade(question.kind, question.answer, answer).correct,
                )
            )
    AttemptQuestion.objects.bulk_create(rows, batch_size=5000)
    client = APIClient()
    client.force_authenticate(make_user(Role.CITY_ADMIN))
    url = f"/api/v1/quizzes/{quiz.pk}/statistics/"

    def measure(label, call):
        timings, cpu, queries = [], [], 0
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as captured:
                started, started_cpu = time.perf_counter(), time.process_time()
                call()
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            queries = len(captured)
        print(
            f"{label:<32} {statistics.median(timings):8.1f} ms"
            f" ({statistics.median(cpu):7.1f} ms of this process's CPU)   {queries:3d} queries"
        )

    print(f"database: {connection.vendor}; {args.attempts} attempts × {args.questions} questions")
    measure("quiz_statistics (the report)", lambda: quiz_statistics.quiz_statistics(quiz=quiz))
    measure("GET statistics (JSON)", lambda: client.get(url))
    measure("GET statistics (.xlsx)", lambda: client.get(url + "?format=xlsx"))


if __name__ == "__main__":
    main()
