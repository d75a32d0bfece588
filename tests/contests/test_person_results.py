"""A contest's participants in the caller's scope (参赛名单): who joined with rank,
score and right answers, who did not, the workbook, scope per role, and a fixed
number of queries."""

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from backend.accounts.models import User
from contests import services
from contests.models import ContestResult, ContestStatus
from tests.factories import make_bank, make_question, make_quiz

pytestmark = pytest.mark.django_db


def finished_contest(host, players):
    """A finished contest of ``host``; ``players``: [(member or guest name, score)], best first."""
    contest = services.contest_create(host=host, quiz=make_quiz([make_question(make_bank())]))
    contest.status, contest.finished_at = ContestStatus.FINISHED, timezone.now()
    contest.save(update_fields=["status", "finished_at"])
    for rank, (who, score) in enumerate(players, start=1):
        member = who if isinstance(who, User) else None
        ContestResult.objects.create(
            contest=contest, player=f"u{member.pk}" if member else f"g-{rank:08x}",
            member=member, name=member.name if member else who, rank=rank, score=score,
            correct=score // 100, answered=5, asked=5,
        )  # fmt: skip
    return contest


def url(contest, **query):
    base = reverse("api:contest-participants", args=[contest.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def names(rows):
    return [row["member"]["username"] for row in rows]


def test_who_joined_and_who_did_not(org, api_as):
    contest = finished_contest(
        org.city_admin, [(org.member_b1, 500), ("访客小王", 400), (org.member_a1, 300)]
    )
    body = api_as(org.city_admin).get(url(contest)).json()
    assert names(body["results"]) == ["member_b1", "member_a1"]  # guests are not listed
    a1 = body["results"][1]
    assert (a1["rank"], a1["score"], a1["correct"], a1["asked"]) == (3, 300, 3, 5)
    assert a1["branch"] == org.branch_a1.name
    assert body["expected"] == 5 and body["joined"] == 2
    assert set(names(body["not_joined"])) == {"member_a2", "secretary", "secretary2"}


def test_scope_per_role(org, api_as):
    contest = finished_contest(org.city_admin, [(org.member_a1, 500), (org.member_b1, 400)])
    secretary = api_as(org.secretary).get(url(contest)).json()
    assert names(secretary["results"]) == ["member_a1"]
    assert names(secretary["not_joined"]) == ["secretary"]
    unit = api_as(org.unit_admin).get(url(contest)).json()
    assert names(unit["results"]) == ["member_a1"]
    assert set(names(unit["not_joined"])) == {"member_a2", "secretary"}
    assert api_as(org.member_a1).get(url(contest)).status_code == 403
    # a secretary's contest of another unit, nobody of the scope in it: 404
    other = finished_contest(org.secretary_b, [(org.member_b1, 500)])
    assert api_as(org.secretary).get(url(other)).status_code == 404
    assert api_as(org.unit_admin).get(url(other)).status_code == 404
    assert api_as(org.city_admin).get(url(other)).status_code == 200
    # a branch outside the scope: 404
    assert api_as(org.unit_admin).get(url(contest, branch=org.branch_b1.pk)).status_code == 404


def test_meant_for_the_hosts_reach(org, api_as):
    # a secretary's contest is meant for the branch: the unit admin sees one branch expected
    contest = finished_contest(org.secretary, [(org.member_a1, 500)])
    body = api_as(org.unit_admin).get(url(contest)).json()
    assert body["expected"] == 2
    assert names(body["not_joined"]) == ["secretary"]


def test_xlsx(org, api_as):
    contest = finished_contest(org.city_admin, [(org.member_a1, 500), (org.member_a2, 200)])
    response = api_as(org.unit_admin).get(url(contest, format="xlsx"))
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    rows = list(book["参赛"].iter_rows(values_only=True))
    assert rows[0][0] == "名次"
    assert [(r[0], r[2], r[5]) for r in rows[1:]] == [(1, "member_a1", 500), (2, "member_a2", 200)]
    missing = [r[1] for r in list(book["未参赛"].iter_rows(values_only=True))[1:]]
    assert missing == ["secretary"]


def test_query_count_does_not_grow(org, api_as):
    contest = finished_contest(org.city_admin, [(org.member_a1, 500)])
    client = api_as(org.city_admin)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(contest)).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    people = User.objects.bulk_create(
        User(username=f"bulk{i}", display_name=f"党员{i}", branch=org.branch_b1, unit=org.unit_b)
        for i in range(300)
    )
    ContestResult.objects.bulk_create(
        ContestResult(
            contest=contest, player=f"u{p.pk}", member=p, name=p.display_name, rank=i + 2,
            score=100, correct=1, answered=1, asked=5,
        )
        for i, p in enumerate(people[:200])
    )  # fmt: skip
    assert count() == few
    assert client.get(url(contest)).json()["joined"] == 201


def test_page(org, client):
    contest = finished_contest(org.city_admin, [(org.member_a1, 500)])
    client.force_login(org.secretary)
    page = client.get(reverse("contests:participants", args=[contest.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert org.member_a1.name in text and org.secretary.name in text
    client.force_login(org.city_admin)
    results = client.get(reverse("contests:results", args=[contest.pk])).content.decode()
    assert reverse("contests:participants", args=[contest.pk]) in results
