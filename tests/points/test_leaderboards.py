"""Leaderboards: per-period totals kept with the ledger, fair group ranks, ties, scope."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from backend.points import leaderboards as lb
from backend.points.models import PointTotal
from backend.points.periods import period_key, period_keys
from backend.points.services import points_award, points_correct
from backend.points.totals import totals_rebuild, totals_verify

from ..factories import make_branch, make_unit, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10):
    return datetime(y, m, d, h, tzinfo=SHANGHAI)


def give(member, points, when, key=None):
    """Points through the ledger (a correction is the one uncapped way to any amount)."""
    return points_correct(
        member=member,
        points=points,
        reason="测试",
        by=None,
        source_key=key,
        now=when,
    )


def test_period_keys():
    assert period_key("month", date(2026, 12, 1)) == "2026-12"
    assert period_key("quarter", date(2026, 12, 1)) == "2026-Q4"
    assert period_key("quarter", date(2026, 4, 1)) == "2026-Q2"
    assert period_key("year", date(2026, 12, 1)) == "2026"
    assert period_key("all", date(2026, 12, 1)) == "all"
    # ISO weeks: 2027-01-01 is a Friday of 2026's week 53
    assert period_key("week", date(2027, 1, 1)) == "2026-W53"
    assert len(period_keys(date(2026, 5, 5))) == 5
    with pytest.raises(ValueError):
        period_key("decade", date(2026, 1, 1))


@pytest.mark.django_db
def test_totals_follow_the_ledger_and_equal_a_recount():
    # given: awards and corrections over two months and a year boundary
    a, b = make_user(), make_user()
    give(a, 5, at(2026, 11, 29))
    give(a, 3, at(2026, 12, 1))
    give(a, -2, at(2026, 12, 2))
    give(b, 7, at(2027, 1, 1))
    points_award(member=b, kind="daily_practice", source_key="x", now=at(2027, 1, 2))
    # then
    totals = dict(PointTotal.objects.filter(member=a).values_list("period", "points"))
    assert totals["all"] == 6
    assert totals["2026-11"] == 5 and totals["2026-12"] == 1  # 11-29 is a Sunday
    assert totals["2026-Q4"] == 6 and totals["2026"] == 6
    assert totals["2026-W49"] == 1 and totals["2026-W48"] == 5
    b_totals = dict(PointTotal.objects.filter(member=b).values_list("period", "points"))
    assert b_totals["2027"] == 8 and b_totals["2026-W53"] == 8 and b_totals["all"] == 8
    assert totals_verify() == []
    # when the rows are lost, the rebuild gives them back
    PointTotal.objects.filter(member=a, period="all").update(points=99)
    assert totals_verify() == [(a.pk, "all", 99, 6)]
    totals_rebuild()
    assert totals_verify() == []


@pytest.mark.django_db
def test_ties_share_a_rank_and_zero_members_are_ranked_last():
    branch = make_branch()
    m = [make_user(branch=branch, display_name=f"成员{i}") for i in range(5)]
    when = at(2026, 12, 1)
    give(m[0], 10, when)
    give(m[1], 10, when)
    give(m[2], 7, when)
    give(m[3], 3, when)
    rows = lb.member_ranking("branch", branch.pk, "2026-12")
    assert [(r.rank, r.points) for r in rows] == [(1, 10), (1, 10), (3, 7), (4, 3), (5, 0)]
    assert lb.member_rank(m[1], "branch", branch.pk, "2026-12") == (1, 10)
    assert lb.member_rank(m[2], "branch", branch.pk, "2026-12") == (3, 7)
    assert lb.member_rank(m[4], "branch", branch.pk, "2026-12") == (5, 0)
    assert lb.member_ranking("branch", branch.pk, "2026-12", limit=2)[1].rank == 1


@pytest.mark.django_db
def test_scope_branch_shows_own_branch_only():
    unit = make_unit()
    a, b = make_branch(unit), make_branch(unit)
    ma, mb = make_user(branch=a), make_user(branch=b)
    give(ma, 1, at(2026, 12, 1))
    give(mb, 5, at(2026, 12, 1))
    assert [r.member_id for r in lb.member_ranking("branch", a.pk, "all")] == [ma.pk]
    assert [r.member_id for r in lb.member_ranking("unit", unit.pk, "all")] == [mb.pk, ma.pk]
    assert lb.member_rank(ma, "branch", a.pk, "all") == (1, 1)
    assert lb.member_rank(ma, "unit", unit.pk, "all") == (2, 1)


@pytest.mark.django_db
def test_a_small_unit_is_not_ranked_above_a_big_one_for_size():
    # given: a unit of 50 whose members earn 4 each (200 in all) and a unit of
    # 5 whose members earn 3 each (15 in all): the big unit ranks first by
    # average, and a small unit does not rank above it for having fewer members
    big, small = make_unit("大单位"), make_unit("小单位")
    bb, sb = make_branch(big), make_branch(small)
    when = at(2026, 12, 3)
    for _ in range(50):
        give(make_user(branch=bb), 4, when)
    smalls = [make_user(branch=sb) for _ in range(5)]
    for u in smalls:
        give(u, 3, when)
    rows = lb.group_ranking("units", "2026-12")
    assert [(r.name, r.rank, r.points, r.members) for r in rows] == [
        ("大单位", 1, 4.0, 50),
        ("小单位", 2, 3.0, 5),
    ]
    # when: the small unit's members earn more each (but far less in total)
    for u in smalls:
        give(u, 2, when)
    rows = lb.group_ranking("units", "2026-12")
    assert [(r.name, r.rank, r.total) for r in rows] == [("小单位", 1, 25), ("大单位", 2, 200)]


@pytest.mark.django_db
def test_groups_equal_on_average_are_split_by_active_share_then_tie():
    unit = make_unit()
    a, b, c = (make_branch(unit, f"第{i}支部") for i in (1, 2, 3))
    when = at(2026, 12, 3)
    # a: 2 members, 10 + 0 -> avg 5, active 1/2
    give(make_user(branch=a), 10, when)
    make_user(branch=a)
    # b: 2 members, 5 + 5 -> avg 5, active 2/2
    for _ in range(2):
        give(make_user(branch=b), 5, when)
    # c: 1 member, 5 -> avg 5, active 1/1 (ties b)
    give(make_user(branch=c), 5, when)
    rows = lb.group_ranking("branches", "2026-12", within_unit=unit.pk)
    assert [(r.name, r.rank, r.active_rate) for r in rows] == [
        ("第2支部", 1, 1.0),
        ("第3支部", 1, 1.0),
        ("第1支部", 3, 0.5),
    ]


@pytest.mark.django_db
def test_standing_and_change_since_last_week():
    unit = make_unit()
    branch = make_branch(unit)
    me, other = make_user(branch=branch), make_user(branch=branch)
    # last week: the other leads; this week (Mon 2026-12-07 ..) I overtake
    give(other, 5, at(2026, 12, 2))
    give(me, 2, at(2026, 12, 3))
    give(me, 10, at(2026, 12, 8))
    today = date(2026, 12, 9)
    standing = {(s.scope, s.period): s for s in lb.member_standing(me, today)}
    s = standing[("branch", "month")]
    assert (s.rank, s.points, s.previous_rank, s.change) == (1, 12, 2, 1)
    assert standing[("city", "all")].rank == 1
    # a period that began this week has no "last week" to compare with
    standing = {(s.scope, s.period): s for s in lb.member_standing(me, date(2027, 1, 1))}
    assert standing[("branch", "month")].previous_rank is None
    assert standing[("branch", "all")].previous_rank is not None


@pytest.mark.django_db
def test_standing_costs_two_queries(django_assert_num_queries):
    me = make_user()
    give(me, 1, at(2026, 12, 8))
    with django_assert_num_queries(2):
        lb.member_standing(me, date(2026, 12, 9))


def test_before_monday_is_in_the_week():
    assert period_key("week", date(2026, 12, 7) - timedelta(days=1)) == "2026-W49"
    assert period_key("week", date(2026, 12, 7)) == "2026-W50"


@pytest.mark.django_db
def test_the_command_checks_and_rebuilds():
    from io import StringIO

    from django.core.management import CommandError, call_command

    a = make_user()
    give(a, 4, at(2026, 12, 1))
    out = StringIO()
    call_command("points_totals", stdout=out)
    assert "equal" in out.getvalue()
    PointTotal.objects.filter(member=a).delete()
    with pytest.raises(CommandError):
        call_command("points_totals", stdout=StringIO())
    call_command("points_totals", "--rebuild", stdout=out)
    assert PointTotal.objects.get(member=a, period="all").points == 4
