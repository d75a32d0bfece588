"""
The members' calendars (.ics): one session as a download, and a per-member feed
that a phone's calendar app subscribes to.

A calendar app fetches the feed without our session cookie, so the feed's address
carries its own proof: ``<user pk>.<signature>``, signed (``django.core.signing``,
salted) with a key that includes a digest of the member's stored password hash.
Changing the password (any path: page, API, admin reset, import, seed) changes the
hash and so revokes every feed address given out before; nothing is stored.
"""

import hashlib
from datetime import datetime, timedelta

import icalendar
from django.core import signing
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from backend.accounts.models import User

from .models import Session

SALT = "orglife.calendar"
SEP = "."  # not in URL-safe base64: the token reads as <pk>.<signature>
FEED_PAST = timedelta(days=183)  # the feed holds the past six months and all the future
ALARM_BEFORE = timedelta(minutes=30)


def _signer(user: User) -> signing.Signer:
    digest = hashlib.sha256(user.password.encode()).hexdigest()[:16]
    return signing.Signer(salt=f"{SALT}:{digest}", sep=SEP)


def feed_token(user: User) -> str:
    return _signer(user).sign(str(user.pk))


def user_for_token(token: str) -> User | None:
    """The active member a feed token was made for; None when forged or revoked."""
    pk, _, signature = token.partition(SEP)
    if not pk.isdigit() or not signature:
        return None
    user = User.objects.filter(pk=int(pk), is_active=True).first()
    if user is None:
        return None
    try:
        _signer(user).unsign(token)
    except signing.BadSignature:
        return None
    return user


def feed_path(user: User) -> str:
    return reverse("orglife:calendar_feed", args=[feed_token(user)])


def feed_sessions(user: User, *, now: datetime | None = None) -> QuerySet[Session]:
    """Sessions the member is expected at, from six months ago on (one query)."""
    since = (now or timezone.now()) - FEED_PAST
    return (
        Session.objects.filter(
            attendance__member=user, attendance__expected=True, starts_at__gte=since
        )
        .select_related("branch", "unit")
        .order_by("starts_at", "id")
    )


def build_calendar(sessions, *, name: str, base_url: str, host: str) -> bytes:
    """An iCalendar (RFC 5545) text with one VEVENT per session, in UTC times."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Jiangtang//orglife//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", timezone.get_current_timezone_name())
    calendar.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    stamp = timezone.now()
    for session in sessions:
        calendar.add_component(_event(session, base_url=base_url, host=host, stamp=stamp))
    return calendar.to_ical()


def _event(session: Session, *, base_url: str, host: str, stamp: datetime) -> icalendar.Event:
    url = base_url + reverse("orglife:session", args=[session.pk])
    event = icalendar.Event()
    event.add("uid", f"session-{session.pk}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", f"{session.get_kind_display()} · {session.title}")
    if session.place:
        event.add("location", session.place)
    description = "\n".join(part for part in (session.topic, url) if part)
    event.add("description", description)
    event.add("url", url)
    event.add("last-modified", session.updated_at)
    if session.is_cancelled:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", -ALARM_BEFORE)
        alarm.add("description", session.title)
        event.add_component(alarm)
    return event
