"""The supervision dashboards: charts as valid SVG with Chinese labels and their numbers
beside them, each role's scope (a member has none), the same numbers as the
indicators, the ranking (points per member before a publication, the published
snapshot after), and a fixed query count however many units, branches and members."""

import itertools
import time
from datetime import date, datetime

import pytest
from defusedxml import ElementTree
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from backend.accounts.models import Branch, Role, Unit, User
from backend.points.models import PointEvent, PointRule
from backend.points.totals import totals_rebuild
from supervision import assessment as svc
from supervision import charts, dashboards
from supervision.indicators import compute, quarter_of
from tests.factories import make_branch, make_unit, make_user
from tests.text_words import english_words, visible_text

pytestmark = pytest.mark.django_db

_n = itertools.count(1)
NOW = timezone.make_aware(datetime(2025, 8, 20, 10, 0))
SVG = "{http://www.w3.org/2000/svg}"


def points(member, amount, day=date(2025, 8, 1)):
    PointEvent.objects.create(
        member=member,
        rule=PointRule.objects.get(kind="correction"),
        points=amount,
        requested_points=amount,
        source_key=f"d{next(_n)}",
        day=day,
    )


class City:
    """Three units; the first has two branches; points per member differ."""

    def __init__(self):
        self.city = make_user(Role.CITY_ADMIN)
        self.units = [make_unit("市委组织部"), make_unit("市财政局"), make_unit("市教育局")]
        self.branches = [
            make_branch(self.units[0], "机关第一党支部"),
            make_branch(self.units[0], "机关第二党支部"),
            make_branch(self.units[1], "机关党支部"),
            make_branch(self.units[2], "机关党支部"),
        ]
        self.members = []
        for branch, amount in zip(self.branches, (40, 10, 30, 20), strict=True):
            for _ in range(2):
                member = make_user(branch=branch)
                points(member, amount)
                self.members.append(member)
        self.unit_admin = make_user(Role.UNIT_ADMIN, unit=self.units[0])
        self.secretary = make_user(Role.SECRETARY, branch=self.branches[1])


@pytest.fixture
def city(db):
    c = City()
    totals_rebuild()  # the leaderboards' per-period totals, as the ledger's awards keep them
    return c


# --- charts ---------------------------------------------------------------------------------


def _svg(chart):
    root = ElementTree.fromstring(str(chart.svg))  # well-formed XML, or this raises
    assert root.tag == f"{SVG}svg"
    assert root.get("aria-hidden") == "true"
    assert root.get("viewBox", "").startswith("0 0 360 ")
    assert "<script" not in str(chart.svg)
    return root


def _texts(root):
    return {t.text for t in root.iter(f"{SVG}text") if t.text}


def test_charts_are_valid_svg_with_chinese_labels_and_their_numbers():
    names = ["市发展和改革委员会党组", "市教育局"]
    bar = charts.ranking_bar("单位考核得分", names, [92.5, 88.0], header=["单位", "得分"])
    texts = _texts(_svg(bar))
    assert "单位考核得分" in texts and "市教育局" in texts
    assert "市发展和改革委员会…" in texts  # long names cut on the picture…
    # …whole in the table
    assert bar.rows == [["市发展和改革委员会党组", "92.5"], ["市教育局", "88"]]
    assert "Noto Sans CJK SC" in str(bar.svg)

    rates = charts.rate_bars("本季度", ["讲座完成率", "考试参与率"], [0.625, None])
    assert "讲座完成率" in _texts(_svg(rates))
    assert rates.rows == [["讲座完成率", "62.5%"], ["考试参与率", "—"]]

    months = [f"{m}月" for m in range(1, 13)]
    line = charts.trend_lines(
        "每月趋势", months, {"讲座完成率": list(range(12)), "考试": [None] * 12}
    )
    texts = _texts(_svg(line))
    assert "每月趋势" in texts and "1月" in texts and "讲座完成率" in texts
    assert line.header == ["", "讲座完成率", "考试"]
    assert line.rows[3] == ["4月", "3", "—"]


# --- scope --------------------------------------------------------------------------------


def test_each_role_sees_its_own_scope(city):
    d = dashboards.dashboard(city.city, now=NOW)
    assert d["scope"].kind == "city"
    assert {p["id"] for p in d["parts"]} == {u.pk for u in city.units}

    d = dashboards.dashboard(city.unit_admin, now=NOW)
    assert (d["scope"].kind, d["scope"].unit_id) == ("unit", city.units[0].pk)
    assert {p["id"] for p in d["parts"]} == {city.branches[0].pk, city.branches[1].pk}
    assert {r["id"] for r in d["ranking"]["rows"]} == {city.branches[0].pk, city.branches[1].pk}

    d = dashboards.dashboard(city.secretary, now=NOW)
    assert (d["scope"].kind, d["scope"].branch_id) == ("branch", city.branches[1].pk)
    assert d["parts"] == []
    # the own branch's place among the unit's: 20 / 3 points per member against 40
    assert [(r["id"], r["rank"], r["own"]) for r in d["ranking"]["rows"]] == [
        (city.branches[1].pk, 2, True)
    ]

    member = city.members[0]
    with pytest.raises(dashboards.PermissionDenied):
        dashboards.dashboard(member, now=NOW)


def test_the_page_per_role(city, client):
    for user in (city.city, city.unit_admin, city.secretary):
        client.force_login(user)
        response = client.get("/supervision/")
        assert response.status_code == 200
        html = response.content.decode()
        assert html.count("<svg ") >= 3  # month, quarter, trend (+ ranking)
        assert 'class="visually-hidden"' in html
        assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]
        assert 'data-testid="dashboard-link"' in client.get("/").content.decode()
    client.force_login(city.members[0])
    assert client.get("/supervision/").status_code == 403
    assert 'data-testid="dashboard-link"' not in client.get("/").content.decode()


def test_no_english_on_the_page_for_a_chinese_user(city, client):
    with translation.override("zh-hans"):
        for user in (city.city, city.unit_admin, city.secretary):
            client.force_login(user)
            html = client.get("/supervision/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
            assert english_words(visible_text(html)) == [], user.role


# --- numbers ------------------------------------------------------------------------------


def test_the_numbers_are_the_indicators(city):
    quarter = quarter_of("2025-Q3")
    by_unit = compute(quarter, level="unit", now=NOW)
    by_branch = compute(quarter, level="branch", now=NOW)
    rates = [key for key, _name in dashboards.FIGURES]

    d = dashboards.dashboard(city.city, now=NOW)
    parts = {p["id"]: p["values"] for p in d["parts"]}
    for unit in city.units:
        for key in rates:
            assert parts[unit.pk][key] == by_unit[unit.pk][key], key
        # points per member: the leaderboards' totals, the same as the ledger's here
        assert parts[unit.pk]["points_per_member"] == by_unit[unit.pk]["points_per_member"]
    # the city as a whole: all points over all members (200 / 9, the secretary is one),
    # not a mean of the units
    assert d["points_per_member"]["quarter"] == 22.2

    d = dashboards.dashboard(city.unit_admin, now=NOW)
    assert d["points_per_member"]["quarter"] == by_unit[city.units[0].pk]["points_per_member"]
    parts = {p["id"]: p["values"] for p in d["parts"]}
    assert parts[city.branches[0].pk] == by_branch[city.branches[0].pk]

    d = dashboards.dashboard(city.secretary, now=NOW)
    assert d["points_per_member"]["quarter"] == 6.7  # 20 points, 3 members
    assert d["points_per_member"]["month"] == 6.7
    # every month of the trend has the rates (points are not among its lines)
    assert [m["label"] for m in d["trend"]][-2:] == ["2025-07", "2025-08"]
    assert set(d["trend"][-1]["values"]) >= set(dashboards.TREND_KEYS)


def test_ranking_before_and_after_publication(city):
    d = dashboards.dashboard(city.city, now=NOW)
    assert d["ranking"]["source"] == "points"
    # average points per member: 100 / 5 = 20, 30, 20 (never the totals, where the big
    # unit would lead); equal averages are told apart by the share of members active
    # (the secretary has none: 4 of 5 against 2 of 2), as the leaderboards do
    assert sorted((r["name"], r["rank"]) for r in d["ranking"]["rows"]) == [
        ("市委组织部", 3),
        ("市教育局", 2),
        ("市财政局", 1),
    ]
    assert "ranking" in d["charts"]

    published = svc.publish(quarter_of("2025-Q3"), by=city.city)
    d = dashboards.dashboard(city.city, now=NOW)
    assert d["ranking"]["source"] == "assessment"
    assert d["ranking"]["quarter"] == "2025-Q3"
    snapshot = [(u["id"], u["rank"], u["score"]) for u in published.snapshot["units"]]
    assert [(r["id"], r["rank"], r["score"]) for r in d["ranking"]["rows"]] == snapshot

    d = dashboards.dashboard(city.secretary, now=NOW)
    assert [r["id"] for r in d["ranking"]["rows"]] == [city.branches[1].pk]
    own = next(u for u in published.snapshot["units"] if u["id"] == city.units[0].pk)
    assert d["ranking"]["own_unit_rank"] == own["rank"]


# --- bounded work -------------------------------------------------------------------------


def _grow(units=6, branches_per_unit=4, members_per_branch=25):
    rule = PointRule.objects.get(kind="correction")
    for u in range(units):
        unit = Unit.objects.create(name=f"加单位{u}")
        Branch.objects.bulk_create(
            [Branch(unit=unit, name=f"支部{b}") for b in range(branches_per_unit)]
        )
    people = [
        User(username=f"g{b.pk}-{i}", unit_id=b.unit_id, branch=b, role=Role.MEMBER)
        for b in Branch.objects.filter(unit__name__startswith="加单位")
        for i in range(members_per_branch)
    ]
    User.objects.bulk_create(people, batch_size=1000)
    events = [
        PointEvent(
            member=m,
            rule=rule,
            points=5,
            requested_points=5,
            source_key=f"g{m.pk}-{k}",
            day=date(2025, 8 - k % 3, 3),
        )
        for m in User.objects.filter(username__startswith="g")
        for k in range(3)
    ]
    PointEvent.objects.bulk_create(events, batch_size=2000)


def _count(user):
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        _count.last = dashboards.dashboard(user, now=NOW)
    return len(ctx.captured_queries)


def test_a_fixed_query_count_however_many(city):
    before = {u.role: _count(u) for u in (city.city, city.unit_admin, city.secretary)}
    _grow()
    after = {u.role: _count(u) for u in (city.city, city.unit_admin, city.secretary)}
    assert before == after
    # a month that is over comes from the cache the next time
    _count(city.city)
    with CaptureQueriesContext(connection) as warm:
        dashboards.dashboard(city.city, now=NOW)
    assert len(warm.captured_queries) < after[Role.CITY_ADMIN]


def test_ten_thousand_members_and_half_a_million_ledger_rows(city):
    """The issue's size, bulk-created: the same query count, and in time."""
    from tests.supervision.test_assessment import bulk_city

    small = _count(city.city)
    bulk_city(60, 5, 10_000, 500_000)
    started = time.perf_counter()
    big = _count(city.city)
    elapsed = time.perf_counter() - started
    assert big == small
    assert elapsed < 20, elapsed
    d = _count.last
    assert len(d["parts"]) == 63
    assert sum(d["lights"].values()) == 4 + 300
