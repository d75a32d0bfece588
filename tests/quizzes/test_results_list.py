"""A quiz's results per person (成绩单): scope per role, best score and attempts,
who has not taken it, the workbook, and a bounded number of queries."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from backend.accounts.models import User
from quizzes.models import Attempt, AttemptKind, AttemptStatus
from tests.factories import make_quiz, make_user

pytestmark = pytest.mark.django_db


def attempt(quiz, member, score, *, minutes=10, status=AttemptStatus.SUBMITTED, passed=None):
    start = timezone.now() - timedelta(hours=2)
    return Attempt.objects.create(
        member=member,
        quiz=quiz,
        kind=AttemptKind.QUIZ,
        seed=1,
        started_at=start,
        finished_at=start + timedelta(minutes=minutes) if status != AttemptStatus.OPEN else None,
        status=status,
        score=Decimal(score) if score is not None else None,
        max_score=Decimal(10),
        passed=(score >= 6 if passed is None else passed) if score is not None else None,
    )


def url(quiz, **query):
    base = reverse("api:quiz-results", args=[quiz.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def by_username(rows):
    return {row["member"]["username"]: row for row in rows}


def test_best_score_attempts_seconds_and_not_taken(org, api_as):
    # given: a city-wide exam; member_a1 tried twice (4, then 8 in 7 minutes)
    quiz = make_quiz(purpose="exam")
    attempt(quiz, org.member_a1, 4, minutes=3)
    attempt(quiz, org.member_a1, 8, minutes=7)
    attempt(quiz, org.member_a2, 8, minutes=12)
    attempt(quiz, org.member_a2, 8, minutes=9)  # equal score, quicker: the best
    attempt(quiz, org.member_b1, None, status=AttemptStatus.OPEN)
    # when: the city admin asks
    body = api_as(org.city_admin).get(url(quiz)).json()
    # then
    rows = by_username(body["results"])
    assert rows["member_a1"]["best_score"] == 8
    assert rows["member_a1"]["attempts"] == 2
    assert rows["member_a1"]["passed"] is True
    assert rows["member_a1"]["seconds"] == 7 * 60
    assert rows["member_a1"]["branch"] == org.branch_a1.name
    assert rows["member_a2"]["seconds"] == 9 * 60
    assert rows["member_a2"]["attempts"] == 2
    not_taken = by_username(body["not_taken"])
    assert "member_b1" in not_taken and not_taken["member_b1"]["in_progress"] is True
    assert "secretary" in not_taken and not_taken["secretary"]["in_progress"] is False
    assert set(rows) & set(not_taken) == set()
    # everyone in a branch is expected: 3 members, 2 secretaries
    assert body["expected"] == 5
    assert body["taken"] == 2
    assert body["quiz"]["id"] == quiz.pk
    # best first; of equal percentages the quicker one first
    assert [r["member"]["username"] for r in body["results"]] == ["member_a1", "member_a2"]


def test_a_failed_only_attempt_is_taken_not_passed(org, api_as):
    quiz = make_quiz(purpose="exam")
    attempt(quiz, org.member_a1, 2, status=AttemptStatus.EXPIRED)
    row = api_as(org.secretary).get(url(quiz)).json()["results"][0]
    assert row["passed"] is False and row["best_score"] == 2


def test_scope_per_role(org, api_as):
    quiz = make_quiz(purpose="exam")
    for member in (org.member_a1, org.member_a2, org.member_b1):
        attempt(quiz, member, 7)

    def names(user):
        body = api_as(user).get(url(quiz)).json()
        return {r["member"]["username"] for r in body["results"] + body["not_taken"]}

    assert names(org.secretary) == {"member_a1", "secretary"}
    assert names(org.unit_admin) == {"member_a1", "member_a2", "secretary"}
    assert names(org.city_admin) == {
        "member_a1", "member_a2", "member_b1", "secretary", "secretary2"
    }  # fmt: skip
    assert api_as(org.member_a1).get(url(quiz)).status_code == 403


def test_quiz_for_another_branch_or_unit_is_404(org, api_as):
    other_branch = make_quiz(purpose="exam", audience_branch=org.branch_a2)
    other_unit = make_quiz(purpose="exam", audience_unit=org.unit_b)
    secretary = api_as(org.secretary)
    response = secretary.get(url(other_branch))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert secretary.get(url(other_unit)).status_code == 404
    assert api_as(org.unit_admin).get(url(other_unit)).status_code == 404
    assert api_as(org.unit_admin).get(url(other_branch)).status_code == 200
    # a branch outside the scope is a 404 too, not an empty list
    mine = make_quiz(purpose="exam")
    assert secretary.get(url(mine, branch=org.branch_a2.pk)).status_code == 404
    assert api_as(org.unit_admin).get(url(mine, branch=org.branch_b1.pk)).status_code == 404


def test_expected_follows_the_quiz_audience(org, api_as):
    quiz = make_quiz(purpose="exam", audience_branch=org.branch_a2)
    body = api_as(org.unit_admin).get(url(quiz)).json()
    assert body["expected"] == 1
    assert [r["member"]["username"] for r in body["not_taken"]] == ["member_a2"]
    inactive = make_user(branch=org.branch_a2, username="gone", is_active=False)
    assert inactive.pk
    assert api_as(org.unit_admin).get(url(quiz)).json()["expected"] == 1


def test_contest_papers_have_no_results_here(org, api_as):
    paper = make_quiz(purpose="contest")
    assert api_as(org.city_admin).get(url(paper)).status_code == 404


def test_branch_filter(org, api_as):
    quiz = make_quiz(purpose="exam")
    attempt(quiz, org.member_a1, 9)
    attempt(quiz, org.member_a2, 9)
    body = api_as(org.unit_admin).get(url(quiz, branch=org.branch_a2.pk)).json()
    assert [r["member"]["username"] for r in body["results"]] == ["member_a2"]
    assert body["expected"] == 1 and body["not_taken"] == []


def test_xlsx_has_the_same_numbers(org, api_as):
    quiz = make_quiz(purpose="exam", title="=党章测试")
    attempt(quiz, org.member_a1, 8, minutes=5)
    attempt(quiz, org.member_a1, 5, minutes=2)
    response = api_as(org.unit_admin).get(url(quiz, format="xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    taken = list(book["成绩"].iter_rows(values_only=True))
    assert taken[0][:4] == ("姓名", "用户名", "单位", "党支部")
    assert taken[1][1] == "member_a1"
    assert taken[1][4] == 8 and taken[1][7] == 2 and taken[1][8] == 300
    assert taken[1][10] == "是"
    missing = {row[1] for row in list(book["未参加"].iter_rows(values_only=True))[1:]}
    assert missing == {"member_a2", "secretary"}
    assert book["汇总"]["A2"].value == "'=党章测试"  # escaped: not a formula


def test_query_count_does_not_grow_with_people(org, api_as):
    quiz = make_quiz(purpose="exam")
    client = api_as(org.city_admin)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(quiz)).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    people = User.objects.bulk_create(
        User(username=f"bulk{i}", display_name=f"党员{i}", branch=org.branch_b1, unit=org.unit_b)
        for i in range(300)
    )
    Attempt.objects.bulk_create(
        Attempt(
            member=person, quiz=quiz, kind=AttemptKind.QUIZ, seed=i,
            started_at=timezone.now() - timedelta(minutes=30),
            finished_at=timezone.now(), status=AttemptStatus.SUBMITTED,
            score=Decimal(i % 10), max_score=Decimal(10), passed=i % 10 >= 6,
        )
        for i, person in enumerate(people[:200])
    )  # fmt: skip
    assert count() == small
    body = client.get(url(quiz)).json()
    assert body["taken"] == 200 and body["expected"] == 305


def test_pages(org, client):
    quiz = make_quiz(purpose="exam", title="党章党规测试")
    attempt(quiz, org.member_a1, 8)
    client.force_login(org.unit_admin)
    index = client.get(reverse("quizzes:results_index"))
    assert index.status_code == 200
    assert "党章党规测试" in index.content.decode()
    page = client.get(reverse("quizzes:quiz_results", args=[quiz.pk]))
    assert page.status_code == 200
    branch_page = client.get(
        reverse("quizzes:quiz_results", args=[quiz.pk]) + f"?branch={org.branch_a1.pk}"
    )
    text = branch_page.content.decode()
    assert org.member_a1.name in text and org.secretary.name in text
    client.force_login(org.member_a1)
    assert client.get(reverse("quizzes:results_index")).status_code == 403
    client.force_login(org.secretary)
    other = make_quiz(purpose="exam", audience_branch=org.branch_a2)
    assert client.get(reverse("quizzes:quiz_results", args=[other.pk])).status_code == 404


def test_ten_thousand_members_same_queries(org, api_as):
    """The city admin's list over 10,000 members (two attempts each for half of them)
    costs the same queries as over a handful."""
    from backend.accounts.models import Branch

    quiz = make_quiz(purpose="exam")
    client = api_as(org.city_admin)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url(quiz))
            assert response.status_code == 200
        return len(ctx.captured_queries), response.json()

    small, _ = count()
    branches = Branch.objects.bulk_create(
        Branch(unit=org.unit_b, name=f"第{i}党支部") for i in range(50)
    )
    people = User.objects.bulk_create(
        (
            User(
                username=f"m{i:05d}", display_name=f"党员{i}",
                branch=branches[i % 50], unit=org.unit_b,
            )
            for i in range(10_000)
        ),
        batch_size=2_000,
    )  # fmt: skip
    start = timezone.now() - timedelta(hours=1)
    Attempt.objects.bulk_create(
        (
            Attempt(
                member=person, quiz=quiz, kind=AttemptKind.QUIZ, seed=n, started_at=start,
                finished_at=start + timedelta(seconds=300 + n), status=AttemptStatus.SUBMITTED,
                score=Decimal((i + n) % 11), max_score=Decimal(10), passed=(i + n) % 11 >= 6,
            )
            for i, person in enumerate(people[:5_000])
            for n in range(2)
        ),
        batch_size=2_000,
    )  # fmt: skip
    big, body = count()
    assert big == small
    assert body["expected"] == 10_005 and body["taken"] == 5_000
    assert len(body["not_taken"]) == 5_005
    assert all(row["attempts"] == 2 for row in body["results"])
