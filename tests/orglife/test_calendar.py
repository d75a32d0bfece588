"""The calendars: one session's .ics and the member's subscription feed."""

from datetime import timedelta

import icalendar
import pytest
from django.utils import timezone

from orglife.calendar import feed_token
from orglife.services import SessionInput, session_cancel, session_create

pytestmark = pytest.mark.django_db


def schedule(org, *, by=None, days=2, **extra):
    data = {
        "kind": "theme_day",
        "title": "主题党日",
        "branch": org.branch_a1,
        "place": "三楼会议室",
    }
    data.update(extra)
    return session_create(
        by=by or org.secretary,
        data=SessionInput(starts_at=timezone.now() + timedelta(days=days), **data),
    )


def events(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    return calendar, {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_feed_holds_the_members_sessions_only_and_needs_no_cookie(org, client):
    # given: the member's sessions, one cancelled, one long ago, and another branch's
    upcoming = schedule(org, title="十二月主题党日", topic="重温入党誓词")
    cancelled = schedule(org, days=5, title="学习日", kind="study_day")
    session_cancel(session=cancelled)
    old = schedule(org, days=-200, title="很久以前")
    other = schedule(org, by=org.secretary_b, branch=org.branch_b1, title="财政局主题党日")
    # when: a calendar app fetches the feed without signing in
    response = client.get(f"/orglife/calendar/{feed_token(org.member_a1)}.ics")
    calendar, found = events(response)
    # then
    assert str(calendar["X-WR-CALNAME"]) == "组织生活"
    assert "PRODID" in calendar
    assert set(found) == {f"session-{upcoming.pk}@testserver", f"session-{cancelled.pk}@testserver"}
    event = found[f"session-{upcoming.pk}@testserver"]
    assert str(event["SUMMARY"]) == "主题党日 · 十二月主题党日"
    assert str(event["LOCATION"]) == "三楼会议室"
    assert "重温入党誓词" in str(event["DESCRIPTION"])
    assert f"/orglife/sessions/{upcoming.pk}/" in str(event["DESCRIPTION"])
    # whole seconds, in UTC
    assert event.decoded("DTSTART") == upcoming.starts_at.replace(microsecond=0)
    assert event.decoded("DTEND") == upcoming.ends_at.replace(microsecond=0)
    alarm = event.walk("VALARM")[0]
    assert alarm.decoded("TRIGGER") == -timedelta(minutes=30)
    assert str(found[f"session-{cancelled.pk}@testserver"]["STATUS"]) == "CANCELLED"
    assert old.pk and other.pk


def test_bad_token_404_and_password_change_revokes(org, client):
    schedule(org)
    token = feed_token(org.member_a1)
    pk, _, signature = token.partition(".")
    assert client.get(f"/orglife/calendar/{pk}.{signature[:-2]}xx.ics").status_code == 404
    # another member's number with this member's signature
    assert client.get(f"/orglife/calendar/{org.member_a2.pk}.{signature}.ics").status_code == 404
    assert client.get("/orglife/calendar/nonsense.ics").status_code == 404
    assert client.get(f"/orglife/calendar/{token}.ics").status_code == 200
    org.member_a1.set_password("a-new-password-42")
    org.member_a1.save()
    assert client.get(f"/orglife/calendar/{token}.ics").status_code == 404
    assert client.get(f"/orglife/calendar/{feed_token(org.member_a1)}.ics").status_code == 200
    org.member_a1.is_active = False
    org.member_a1.save()
    assert client.get(f"/orglife/calendar/{feed_token(org.member_a1)}.ics").status_code == 404


def test_single_session_download(org, client):
    session = schedule(org)
    client.force_login(org.member_a1)
    response = client.get(f"/orglife/sessions/{session.pk}/calendar.ics")
    _, found = events(response)
    assert list(found) == [f"session-{session.pk}@testserver"]
    assert "attachment" in response["Content-Disposition"]
    client.force_login(org.member_a2)
    assert client.get(f"/orglife/sessions/{session.pk}/calendar.ics").status_code == 404


def test_the_page_shows_the_feed_that_works(org, client):
    schedule(org)
    client.force_login(org.member_a1)
    html = client.get("/me/orglife/").content.decode()
    token = feed_token(org.member_a1)
    assert f"webcal://testserver/orglife/calendar/{token}.ics" in html
    assert f"http://testserver/orglife/calendar/{token}.ics" in html
