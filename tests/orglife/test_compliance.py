"""Compliance (亮灯): held / required, due, rates, lights, the API's scope, the
workbook, the bounded queries, the admin of the rules."""

import io
import itertools
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from backend.accounts.models import Branch, Role, Unit, User
from orglife import compliance
from orglife.compliance import parse_period
from orglife.models import (
    Attendance,
    ComplianceRule,
    MakeupStatus,
    MakeupTask,
    PartyGroup,
    Record,
    Session,
    SessionStatus,
)
from orglife.services import SessionInput, session_create
from tests.factories import make_user

pytestmark = pytest.mark.django_db

_n = itertools.count(1)


def at(text: str) -> datetime:
    """A local time such as "2025-07-10 19:00"."""
    return timezone.make_aware(datetime.strptime(text, "%Y-%m-%d %H:%M"))


def hold(branch, kind, when, *, by, present=None, late=0, signed=True, cancelled=False):
    """A session scheduled through the service; ``present`` of its expected people
    checked in (the first ``late`` of them late), its record signed."""
    data = SessionInput(kind=kind, title=f"会议{next(_n)}", starts_at=at(when), branch=branch)
    session = session_create(by=by, data=data)
    rows = list(session.attendance.order_by("id"))
    for i, row in enumerate(rows[: len(rows) if present is None else present]):
        row.checked_in_at = session.starts_at + timedelta(minutes=5 if i < late else -5)
        row.late = i < late
        row.save()
    if signed:
        Record.objects.create(session=session, signed_at=session.ends_at, signed_by=by)
    if cancelled:
        Session.objects.filter(pk=session.pk).update(status=SessionStatus.CANCELLED)
    return session


@pytest.fixture
def rules(db):
    """Three rules: 支部党员大会 a quarter, 支委会 and 主题党日 a month."""
    ComplianceRule.objects.exclude(kind__in=["party_meeting", "committee", "theme_day"]).update(
        is_active=False
    )


def q3(branch, by, *, committee=3, theme_day=3, party_meeting=1, present=None):
    for month in (7, 8, 9)[:committee]:
        hold(branch, "committee", f"2025-{month:02d}-05 09:00", by=by, present=present)
    for month in (7, 8, 9)[:theme_day]:
        hold(branch, "theme_day", f"2025-{month:02d}-10 15:00", by=by, present=present)
    for _ in range(party_meeting):
        hold(branch, "party_meeting", "2025-08-20 15:00", by=by, present=present)


def report_for(branch, period, now=None):
    report = compliance.compliance_report(
        branches=Branch.objects.filter(pk=branch.pk),
        period=parse_period(period, now=now),
        now=now,
    )
    return report.branches[0]


def kinds(row):
    return {k.kind: (k.held, k.required) for k in row.kinds}


def test_each_light_on_hand_built_data(org, rules):
    # given: a green branch, a yellow one (支委会 2 of 3), a red one (主题党日 1 of 3)
    green, yellow, red = org.branch_a1, org.branch_a2, org.branch_b1
    q3(green, org.secretary)
    q3(yellow, org.unit_admin, committee=2)
    q3(red, org.secretary_b, theme_day=1)
    # when
    rows = {
        r.branch: r
        for r in compliance.compliance_report(
            branches=Branch.objects.all(), period=parse_period("2025-Q3")
        ).branches
    }
    # then
    assert kinds(rows[green]) == {"party_meeting": (1, 1), "committee": (3, 3), "theme_day": (3, 3)}
    assert rows[green].light == "green" and rows[green].attendance_rate == 1.0
    assert kinds(rows[yellow])["committee"] == (2, 3)
    assert rows[yellow].light == "yellow"
    assert kinds(rows[red])["theme_day"] == (1, 3)
    assert rows[red].light == "red"
    assert rows[red].light_name == "未达标"


def test_attendance_decides_between_the_lights(org, rules):
    # ten people in each of two branches, everything held
    for branch in (org.branch_a1, org.branch_a2):
        for _ in range(8):
            make_user(branch=branch)
    q3(org.branch_a1, org.secretary, present=7)
    q3(org.branch_a2, org.unit_admin, present=5)
    a1 = report_for(org.branch_a1, "2025-Q3")
    a2 = report_for(org.branch_a2, "2025-Q3")
    # branch_a1: 4 meetings of its 10 people, 7 present; 3 支委会 of the secretary alone
    assert (a1.present, a1.expected) == (4 * 7 + 3, 4 * 10 + 3)
    assert a1.attendance_rate == pytest.approx(31 / 43)  # 72 %
    assert a1.light == "yellow"  # every kind held, but attendance under 80 %
    # branch_a2: 9 people (no secretary, so nobody at its 支委会); 5 present → 55.6 % < 60 %
    assert (a2.present, a2.expected) == (4 * 5, 4 * 9)
    assert a2.light == "red"


def test_only_signed_not_cancelled_sessions_count_and_rates(org, rules):
    branch = org.branch_a1  # secretary + member_a1 expected
    held = hold(branch, "theme_day", "2025-07-10 15:00", by=org.secretary, present=2, late=1)
    other = hold(branch, "theme_day", "2025-08-10 15:00", by=org.secretary, present=0)
    hold(branch, "theme_day", "2025-09-10 15:00", by=org.secretary, signed=False)
    hold(branch, "committee", "2025-09-01 09:00", by=org.secretary, cancelled=True)
    hold(branch, "committee", "2025-10-01 09:00", by=org.secretary)  # the next quarter
    MakeupTask.objects.create(session=other, member=org.member_a1, status=MakeupStatus.DONE)
    MakeupTask.objects.create(session=other, member=org.secretary)
    row = report_for(branch, "2025-Q3")
    assert kinds(row) == {"party_meeting": (0, 1), "committee": (0, 3), "theme_day": (2, 3)}
    assert row.sessions == 2
    # present counts the late arrival: 2 of 2, then 0 of 2
    assert (row.present, row.expected) == (2, 4) and row.attendance_rate == 0.5
    assert (row.makeup_done, row.makeup_total) == (1, 2) and row.makeup_rate == 0.5
    assert row.light == "red"
    assert held.attendance.filter(late=True).count() == 1


def test_no_held_session_means_no_rates(org, rules):
    row = report_for(org.branch_a1, "2025-Q3")
    assert row.attendance_rate is None and row.makeup_rate is None
    assert row.light == "red"  # 0 of 1 支部党员大会


def test_a_running_period_is_judged_on_what_is_owed(org, rules):
    now = at("2026-11-15 12:00")
    branch = org.branch_a1
    hold(branch, "committee", "2026-10-08 09:00", by=org.secretary)
    hold(branch, "theme_day", "2026-10-12 15:00", by=org.secretary)
    quarter = report_for(branch, "2026-Q4", now=now)
    plans = {k.kind: k.plan for k in quarter.kinds}
    # a monthly rule in a quarter: 3 required; by the end of November 2, October's 1 owed
    assert (plans["committee"].required, plans["committee"].due, plans["committee"].owed) == (
        3,
        2,
        1,
    )
    # a quarterly rule: due this quarter, nothing owed before the quarter ends
    assert (plans["party_meeting"].required, plans["party_meeting"].due) == (1, 1)
    assert plans["party_meeting"].owed == 0
    # nothing owed is missing, but November's and the quarter's are still to do: yellow
    assert quarter.light == "yellow"
    due = {k.kind: (k.held, k.due) for k in compliance.branch_due_this_month(branch.pk, now=now)}
    assert due == {"party_meeting": (0, 1), "committee": (0, 1), "theme_day": (0, 1)}
    # holding them (records signed) turns the light green before the quarter ends
    hold(branch, "committee", "2026-11-03 09:00", by=org.secretary)
    hold(branch, "theme_day", "2026-11-10 15:00", by=org.secretary)
    assert report_for(branch, "2026-Q4", now=now).light == "yellow"
    hold(branch, "party_meeting", "2026-11-12 15:00", by=org.secretary)
    assert report_for(branch, "2026-Q4", now=now).light == "green"
    # a month: the quarterly rule counts over its quarter, "due this quarter"
    month = report_for(branch, "2026-11", now=now)
    by_kind = {k.kind: k for k in month.kinds}
    assert by_kind["party_meeting"].plan.window.label == "2026-Q4"
    assert by_kind["party_meeting"].plan.coarser
    assert (by_kind["committee"].held, by_kind["committee"].due) == (1, 1)
    assert compliance.branch_due_this_month(branch.pk, now=now) == []
    # September: Q3 is over, so its 支部党员大会 is owed and missing
    september = report_for(branch, "2026-09", now=now)
    party = next(k for k in september.kinds if k.kind == "party_meeting")
    assert party.plan.window.label == "2026-Q3" and party.owed == 1
    assert september.light == "red"


def test_group_meetings_are_required_only_of_branches_with_party_groups(org):
    group = PartyGroup.objects.create(branch=org.branch_a1, name="第一党小组")
    group.members.add(org.member_a1)
    data = SessionInput(
        kind="group", title="小组会", starts_at=at("2025-07-03 09:00"), branch=org.branch_a1
    )
    data.group = group
    session = session_create(by=org.secretary, data=data)
    Record.objects.create(session=session, signed_at=session.ends_at)
    rows = {
        r.branch: {k.kind: k for k in r.kinds}
        for r in compliance.compliance_report(
            branches=Branch.objects.filter(unit=org.unit_a), period=parse_period("2025-Q3")
        ).branches
    }
    with_groups, without = rows[org.branch_a1]["group"], rows[org.branch_a2]["group"]
    assert (with_groups.held, with_groups.required, with_groups.applies) == (1, 3, True)
    assert (without.held, without.required, without.applies) == (0, 0, False)
    assert without.met and with_groups.owed == 3 and not with_groups.met


def test_periods_parse_and_refuse():
    now = at("2026-11-15 12:00")
    assert parse_period("2026-Q4", now=now).label == "2026-Q4"
    assert parse_period("2026-02", now=now).end.isoformat() == "2026-03-01"
    assert parse_period("2025", now=now).parts("quarter")[3].label == "2025-Q4"
    assert parse_period("", now=now).label == "2026-Q4"
    for bad in ("2026-Q5", "2026-13", "26-Q1", "2026Q1", "2027-Q1"):
        with pytest.raises(compliance.OrglifeError):
            parse_period(bad, now=now)


# --- the API ---------------------------------------------------------------------------


def test_api_scope_member_403_unit_outside_404_secretary_own_branch(org, rules, api_as):
    q3(org.branch_a1, org.secretary)
    url = "/api/v1/compliance/?period=2025-Q3"
    assert api_as(org.member_a1).get(url).status_code == 403
    response = api_as(org.unit_admin).get(f"{url}&unit={org.unit_b.pk}")
    assert response.status_code == 404 and response.json()["detail"]
    assert api_as(org.secretary).get(f"{url}&unit={org.unit_b.pk}").status_code == 404
    body = api_as(org.secretary).get(f"{url}&unit={org.unit_a.pk}").json()
    assert [b["id"] for b in body["branches"]] == [org.branch_a1.pk]
    body = api_as(org.secretary).get(url).json()
    assert [b["id"] for b in body["branches"]] == [org.branch_a1.pk]
    assert body["period"] == "2025-Q3"
    branch = body["branches"][0]
    assert {"id", "name", "light", "kinds", "attendance_rate", "makeup_rate"} <= set(branch)
    assert branch["light"] == "green"
    assert {"kind": "committee", "held": 3, "required": 3}.items() <= branch["kinds"][1].items()
    ids = {b["id"] for b in api_as(org.unit_admin).get(url).json()["branches"]}
    assert ids == {org.branch_a1.pk, org.branch_a2.pk}
    ids = {b["id"] for b in api_as(org.city_admin).get(url).json()["branches"]}
    assert ids == {org.branch_a1.pk, org.branch_a2.pk, org.branch_b1.pk}
    response = api_as(org.city_admin).get("/api/v1/compliance/?period=2025-Q9")
    assert response.status_code == 400 and response.json()["code"] == "invalid_period"


def test_xlsx_matches_the_json(org, rules, api_as):
    q3(org.branch_a1, org.secretary)
    q3(org.branch_b1, org.secretary_b, theme_day=1, present=1)
    client = api_as(org.city_admin)
    body = client.get("/api/v1/compliance/?period=2025-Q3").json()
    response = client.get("/api/v1/compliance/?period=2025-Q3&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + len(body["branches"])
    for branch, row in zip(body["branches"], rows[1:], strict=True):
        expected = [branch["unit"]["name"], branch["name"], branch["light_name"]]
        for kind in branch["kinds"]:
            expected += [kind["held"], kind["required"]]
        rates = [branch["attendance_rate"], branch["makeup_rate"]]
        expected += [None if r is None else round(r * 100, 1) for r in rates]
        assert list(row) == expected


# --- bounded queries -------------------------------------------------------------------


def _bulk_city(n_branches: int, n_members: int, by: User) -> None:
    """Branches of new units, members spread over them (unusable passwords), and in
    each branch a signed 主题党日 and 支委会 with everyone expected, half present."""
    units = Unit.objects.bulk_create(
        [Unit(name=f"批量单位{i}-{next(_n)}") for i in range(max(1, n_branches // 10))]
    )
    branches = Branch.objects.bulk_create(
        [Branch(unit=units[i % len(units)], name=f"批量支部{i}") for i in range(n_branches)]
    )
    members = User.objects.bulk_create(
        [
            User(
                username=f"bulk{next(_n)}",
                password="!",
                role=Role.MEMBER,
                branch=branches[i % n_branches],
                unit_id=branches[i % n_branches].unit_id,
            )
            for i in range(n_members)
        ],
        batch_size=2000,
    )
    starts = at("2025-08-10 15:00")
    sessions = Session.objects.bulk_create(
        [
            Session(
                kind=kind,
                branch=b,
                unit_id=b.unit_id,
                title="批量",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                host=by,
                created_by=by,
            )
            for b in branches
            for kind in ("theme_day", "committee")
        ],
        batch_size=2000,
    )
    Record.objects.bulk_create(
        [Record(session=s, signed_at=s.ends_at) for s in sessions], batch_size=2000
    )
    by_branch = {}
    for s in sessions:
        by_branch.setdefault(s.branch_id, []).append(s)
    Attendance.objects.bulk_create(
        [
            Attendance(
                session=s,
                member=m,
                branch_id=m.branch_id,
                checked_in_at=s.starts_at if i % 2 else None,
            )
            for i, m in enumerate(members)
            for s in by_branch[m.branch_id]
        ],
        batch_size=5000,
    )
    MakeupTask.objects.bulk_create(
        [MakeupTask(session=s, member=members[0]) for s in sessions[:50]], batch_size=2000
    )


def test_the_query_count_does_not_grow_with_branches_and_members(org, rules, api_as, client):
    api = api_as(org.city_admin)
    client.force_login(org.city_admin)
    url = "/api/v1/compliance/?period=2025-Q3"
    page = "/orglife/compliance/?period=2025-Q3"
    _bulk_city(3, 30, org.city_admin)
    with CaptureQueriesContext(connection) as small:
        first = api.get(url)
    assert first.status_code == 200
    assert len(first.json()["branches"]) == 3 + 3
    with CaptureQueriesContext(connection) as small_page:
        assert client.get(page).status_code == 200
    _bulk_city(300, 10_000, org.city_admin)
    with CaptureQueriesContext(connection) as large:
        response = api.get(url)
    body = response.json()
    assert len(body["branches"]) == 3 + 3 + 300
    assert len(large.captured_queries) == len(small.captured_queries) <= 6
    with CaptureQueriesContext(connection) as large_page:
        html = client.get(page).content.decode()
    assert html.count("data-light=") == 3 + 3 + 300
    assert len(large_page.captured_queries) == len(small_page.captured_queries)
    bulk = [b for b in body["branches"] if b["name"].startswith("批量支部")]
    assert sum(b["expected"] for b in bulk) == 2 * (30 + 10_000)
    assert all(b["sessions"] == 2 for b in bulk)


# --- the admin -------------------------------------------------------------------------


def test_city_admin_changes_a_rule_in_the_admin_and_a_unit_admin_cannot(org, client):
    rule = ComplianceRule.objects.get(kind="committee")
    client.force_login(org.city_admin)
    assert client.get("/admin/orglife/compliancerule/").status_code == 200
    url = f"/admin/orglife/compliancerule/{rule.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"per": "quarter", "times": 2, "is_active": "on"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.per, rule.times) == ("quarter", 2)
    for path in ("/admin/orglife/session/", "/admin/orglife/makeuptask/"):
        assert client.get(path).status_code == 200
    client.force_login(org.unit_admin)
    assert client.get("/admin/orglife/compliancerule/").status_code == 403
    assert client.post(url, {"per": "month", "times": 1, "is_active": "on"}).status_code == 403
    rule.refresh_from_db()
    assert rule.times == 2


def test_sessions_are_read_only_in_the_admin(org, client):
    session = hold(org.branch_b1, "theme_day", "2025-08-10 15:00", by=org.secretary_b)
    client.force_login(org.city_admin)
    assert session.title in client.get("/admin/orglife/session/").content.decode()
    url = f"/admin/orglife/session/{session.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(url, {"title": "改过的"}).status_code == 403
    session.refresh_from_db()
    assert session.title != "改过的"
    client.force_login(org.unit_admin)
    assert client.get("/admin/orglife/session/").status_code == 403


# --- the pages -------------------------------------------------------------------------


def test_compliance_page_groups_branches_by_unit_with_light_words(org, rules, client):
    q3(org.branch_a1, org.secretary)
    q3(org.branch_b1, org.secretary_b, theme_day=1)
    client.force_login(org.city_admin)
    html = client.get("/orglife/compliance/?period=2025-Q3").content.decode()
    assert org.unit_a.name in html and org.unit_b.name in html
    assert f'data-testid="branch-{org.branch_a1.pk}" data-light="green"' in html
    assert f'data-testid="branch-{org.branch_b1.pk}" data-light="red"' in html
    assert "format=xlsx" in html
    # a bad period keeps the current quarter and says why
    response = client.get("/orglife/compliance/?period=2025-Q9")
    assert response.status_code == 200
    assert list(response.context["messages"])
    client.force_login(org.unit_admin)
    assert client.get(f"/orglife/compliance/?unit={org.unit_b.pk}").status_code == 404
    html = client.get("/orglife/compliance/?period=2025-Q3").content.decode()
    assert org.unit_b.name not in html
    client.force_login(org.member_a1)
    assert client.get("/orglife/compliance/").status_code == 403


def test_branch_page_lists_the_sessions_behind_the_light(org, rules, client):
    counted = hold(org.branch_a1, "committee", "2025-07-05 09:00", by=org.secretary)
    unsigned = hold(org.branch_a1, "theme_day", "2025-07-10 09:00", by=org.secretary, signed=False)
    client.force_login(org.unit_admin)
    url = f"/orglife/compliance/branches/{org.branch_a1.pk}/?period=2025-Q3"
    html = client.get(url).content.decode()
    assert f"/orglife/sessions/{counted.pk}/record/" in html
    assert f"/orglife/sessions/{unsigned.pk}/record/" in html
    assert 'data-light="red"' in html
    client.force_login(org.secretary)
    other = f"/orglife/compliance/branches/{org.branch_a2.pk}/?period=2025-Q3"
    assert client.get(other).status_code == 404
    assert client.get(url).status_code == 200


def test_secretarys_home_lists_what_is_due_this_month(org, client):
    client.force_login(org.secretary)
    html = client.get("/").content.decode()
    assert 'data-testid="orglife-due"' in html
    assert "/orglife/new/?kind=committee" in html
    client.force_login(org.member_a1)
    assert 'data-testid="orglife-due"' not in client.get("/").content.decode()
    client.force_login(org.unit_admin)
    assert 'data-testid="compliance-link"' in client.get("/").content.decode()
