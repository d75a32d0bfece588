"""The points ledger: idempotent, capped per day, append-only, totals = recount."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from backend.points.models import PointBalance, PointEvent, PointRule
from backend.points.selectors import points_on_day, points_recount, points_total
from backend.points.services import PointsError, points_award, points_correct

from ..factories import make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def member(db):
    return make_user()


def test_same_event_twice_counts_once(member):
    first = points_award(member=member, kind="daily_practice", source_key="attempt:1")
    again = points_award(member=member, kind="daily_practice", source_key="attempt:1")
    assert first.created and not again.created
    assert again.event.pk == first.event.pk
    assert points_total(member=member) == 1 == points_recount(member=member)
    assert PointEvent.objects.count() == 1


def test_daily_cap_cuts_and_records(member):
    for n in range(7):
        points_award(member=member, kind="daily_practice", source_key=f"q:{n}")
    events = list(PointEvent.objects.order_by("id"))
    assert [e.points for e in events] == [1, 1, 1, 1, 1, 0, 0]
    assert events[-1].capped and events[-1].requested_points == 1
    assert points_total(member=member) == 5


def test_cap_partially_grants_a_larger_award(member):
    points_award(member=member, kind="daily_practice", source_key="a", points=3)
    award = points_award(member=member, kind="daily_practice", source_key="b", points=3)
    assert award.points == 2
    assert points_total(member=member) == 5


def test_cap_resets_on_the_next_local_day(member):
    late = datetime(2026, 11, 24, 23, 59, tzinfo=SHANGHAI)
    for n in range(5):
        points_award(member=member, kind="daily_practice", source_key=f"d1:{n}", now=late)
    next_day = late + timedelta(minutes=2)
    award = points_award(member=member, kind="daily_practice", source_key="d2:0", now=next_day)
    assert award.points == 1
    assert points_on_day(member=member, day=next_day.date()) == 1
    assert points_total(member=member) == 6


def test_rule_points_are_configurable(member):
    PointRule.objects.filter(kind="daily_login").update(points=3, daily_cap=None)
    assert points_award(member=member, kind="daily_login", source_key="x").points == 3


def test_inactive_kind_awards_nothing(member):
    PointRule.objects.filter(kind="daily_login").update(is_active=False)
    award = points_award(member=member, kind="daily_login", source_key="x")
    assert award.event is None and award.points == 0
    assert points_total(member=member) == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "no_such_kind", "source_key": "x"}, "no_such_kind"),
        ({"kind": "daily_login", "source_key": ""}, "source key"),
        ({"kind": "daily_login", "source_key": "x", "points": -1}, "negative"),
        ({"kind": "correction", "source_key": "x"}, "points_correct"),
    ],
)
def test_bad_awards_are_refused_and_change_nothing(member, kwargs, message):
    with translation.override("en"), pytest.raises(PointsError, match=message):
        points_award(member=member, **kwargs)
    assert not PointEvent.objects.exists()
    assert points_total(member=member) == 0


def test_correction_is_a_new_signed_entry(member):
    admin = make_user("city_admin")
    wrong = points_award(member=member, kind="daily_login", source_key="x").event
    fix = points_correct(member=member, points=-1, reason="重复计分", by=admin, corrects=wrong)
    assert fix.pk != wrong.pk and fix.corrects == wrong and fix.created_by == admin
    assert points_total(member=member) == 0 == points_recount(member=member)
    # the original entry is untouched
    wrong.refresh_from_db()
    assert wrong.points == 1


def test_correction_validation(member):
    other = make_user()
    theirs = points_award(member=other, kind="daily_login", source_key="x").event
    with pytest.raises(PointsError):
        points_correct(member=member, points=0, reason="x", by=None)
    with pytest.raises(PointsError):
        points_correct(member=member, points=5, reason="  ", by=None)
    with pytest.raises(PointsError):
        points_correct(member=member, points=5, reason="x", by=None, corrects=theirs)
    assert points_total(member=member) == 0


def test_corrections_ignore_the_cap(member):
    for n in range(5):
        points_award(member=member, kind="daily_practice", source_key=f"q:{n}")
    points_correct(member=member, points=10, reason="竞赛奖励补录", by=None)
    assert points_total(member=member) == 15


def test_ledger_is_append_only(member):
    event = points_award(member=member, kind="daily_login", source_key="x").event
    event.points = 100
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    event.refresh_from_db()
    assert event.points == 1


def run_concurrently(n: int, work) -> list[BaseException]:
    """Runs work(i) in n threads released at once; returns the errors raised."""
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def target(i):
        try:
            barrier.wait()
            work(i)
        except BaseException as exc:  # collected and asserted on by the caller
            errors.append(exc)
        finally:
            connection.close()  # each thread opened its own

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_awards_against_cap_of_five_give_five():
    member = make_user()
    errors = run_concurrently(
        20,
        lambda i: points_award(member=member, kind="daily_practice", source_key=f"c:{i}"),
    )
    assert errors == []
    assert PointEvent.objects.filter(member=member).count() == 20
    assert points_total(member=member) == 5 == points_recount(member=member)


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_one_event_count_once():
    member = make_user()
    errors = run_concurrently(
        20,
        lambda i: points_award(member=member, kind="daily_login", source_key="login:same"),
    )
    assert errors == []
    assert PointEvent.objects.filter(member=member).count() == 1
    assert points_total(member=member) == 1


@pytest.mark.django_db(transaction=True)
def test_totals_equal_recount_after_mixed_concurrent_work():
    members = [make_user() for _ in range(4)]

    def work(i):
        member = members[i % 4]
        points_award(member=member, kind="daily_practice", source_key=f"m:{i % 7}")
        points_award(member=member, kind="daily_login", source_key=f"l:{i % 3}")
        if i % 5 == 0:
            points_correct(member=member, points=-2, reason="抽查更正", by=None)

    assert run_concurrently(16, work) == []
    for member in members:
        assert points_total(member=member) == points_recount(member=member)
    assert PointBalance.objects.count() == 4
