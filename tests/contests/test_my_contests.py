"""After the game (issue 12): "我的竞赛" lists the contests a member played
(``GET /api/v1/me/contests/`` and /me/contests/), and a reload of the join page
after the end shows the player's own result instead of a 404."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from backend.accounts import throttle
from contests import engine, services
from contests.models import Contest

from ..factories import make_bank, make_question, make_quiz

pytestmark = pytest.mark.django_db
T0 = 1_700_000_000_000
HALL = "203.0.113.7"


def finished_contest(host, plays: dict, *, title: str, days_ago: int = 0) -> Contest:
    """A contest played through the engine and recorded by the services:
    ``plays`` maps a member to the options chosen, question by question (None:
    no answer); every key is B."""
    quiz = make_quiz([make_question(make_bank()) for _ in range(3)], title=title)
    contest = services.contest_create(host=host, quiz=quiz)
    room = services.contest_room(contest)
    events = [
        engine.Join(T0, f"u{m.pk}", m.display_name or m.username, m.branch.name) for m in plays
    ]
    events.append(engine.Start(T0 + 100_000))
    for seq in range(1, 4):
        if seq > 1:
            events.append(engine.Next(T0 + seq * 100_000))
        for member, choices in plays.items():
            if choices[seq - 1] is not None:
                at = T0 + seq * 100_000 + 1000
                response = {"choices": [choices[seq - 1]]}
                events.append(engine.SubmitAnswer(at, f"u{member.pk}", seq, response))
        events.append(engine.Close(T0 + seq * 100_000 + 50_000))
    events.append(engine.Next(T0 + 900_000))
    for event in events:
        room, _outs = engine.apply(room, event)
    assert room.phase == engine.FINISHED
    services.contest_record_results(contest=contest, room=room)
    finished_at = timezone.now() - timedelta(days=days_ago)
    Contest.objects.filter(pk=contest.pk).update(finished_at=finished_at)
    contest.refresh_from_db()
    return contest


@pytest.fixture
def played(org):
    """member_a1 played two finished contests (an older and a newer one); a third
    is still open."""
    older = finished_contest(
        org.secretary,
        {org.member_a1: ["B", "A", None], org.secretary: ["B", "B", "B"]},
        title="七月竞赛",
        days_ago=30,
    )
    newer = finished_contest(
        org.secretary,
        {org.member_a1: ["B", "B", "B"], org.member_a2: ["A", None, None]},
        title="八月竞赛",
    )
    services.contest_create(host=org.secretary, quiz=make_quiz([make_question(make_bank())]))
    return older, newer


def test_the_api_lists_the_contests_i_played_newest_first(org, played, api_as, api):
    older, newer = played
    body = api_as(org.member_a1).get("/api/v1/me/contests/").json()
    assert [row["id"] for row in body] == [newer.pk, older.pk]
    assert set(body[0]) == {
        "id", "title", "finished_at", "rank", "score", "correct", "asked", "answered",
    }  # fmt: skip
    # 七月: right 1 of 3 asked, 2 answered; the secretary (3 of 3) ranked first
    july = body[1]
    assert (july["title"], july["rank"], july["correct"], july["asked"], july["answered"]) == (
        "七月竞赛",
        2,
        1,
        3,
        2,
    )
    results = {r.player: r for r in older.results.all()}
    assert july["score"] == results[f"u{org.member_a1.pk}"].score > 0
    assert (body[0]["rank"], body[0]["correct"], body[0]["asked"]) == (1, 3, 3)
    # someone who played neither sees none; a visitor is refused
    assert api_as(org.member_b1).get("/api/v1/me/contests/").json() == []
    assert api.get("/api/v1/me/contests/").status_code in (401, 403)


def test_the_list_costs_the_same_queries_however_many_contests(
    org, played, api_as, django_assert_max_num_queries
):
    client = api_as(org.member_a1)
    with django_assert_max_num_queries(3):
        assert len(client.get("/api/v1/me/contests/").json()) == 2
    for n in range(3):
        finished_contest(org.secretary, {org.member_a1: ["B", "B", "A"]}, title=f"竞赛{n}")
    with django_assert_max_num_queries(3):
        assert len(client.get("/api/v1/me/contests/").json()) == 5


def test_the_my_contests_page_and_its_links(org, played, client):
    older, _newer = played
    client.force_login(org.member_a1)
    page = client.get("/me/contests/").content.decode()
    assert page.index("八月竞赛") < page.index("七月竞赛")
    assert "第 2 名 / 共 2 人" in page and "答对 1/3" in page
    assert 'class="tabbar"' in page
    # a member may not open the results page: the rows are not links
    assert f"/contests/{older.pk}/results/" not in page
    # the host, who played the older one, may: that row links there
    client.force_login(org.secretary)
    page = client.get("/me/contests/").content.decode()
    assert f'href="/contests/{older.pk}/results/"' in page and "八月竞赛" not in page
    # "my results" and the profile page lead here
    for path in ("/me/results/", "/me/"):
        assert 'href="/me/contests/"' in client.get(path).content.decode(), path


def test_a_reload_after_the_end_shows_my_result(org, played):
    _older, newer = played
    player = Client()
    player.force_login(org.member_a1)
    for _ in range(throttle.JOIN_PIN_MISSES_PER_MEMBER + 2):  # a player's reloads: no misses
        response = player.get(f"/join/{newer.pin}/", REMOTE_ADDR=HALL)
        assert response.status_code == 200
    page = response.content.decode()
    assert "本场竞赛已结束" in page and "八月竞赛" in page
    assert 'data-testid="my-rank">1<' in page and 'data-testid="my-right">3/3<' in page
    assert 'href="/me/contests/"' in page and 'class="tabbar"' in page


def test_others_get_the_ended_message_and_it_counts_as_a_miss(org, played):
    _older, newer = played
    other = Client()
    other.force_login(org.member_b1)  # did not play it
    limit = throttle.JOIN_PIN_MISSES_PER_MEMBER  # a member's misses are counted per member
    for _ in range(limit):
        response = other.get(f"/join/{newer.pin}/", REMOTE_ADDR=HALL)
        assert response.status_code == 404
        assert "已结束" in response.content.decode()
    assert other.get(f"/join/{newer.pin}/", REMOTE_ADDR=HALL).status_code == 429
    assert Client().get("/join/999999/", REMOTE_ADDR="198.51.100.9").status_code == 404
