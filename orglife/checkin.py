"""
Check-in by a rotating QR code, and the attendance lists (services and selectors).

**Codes.** Time is cut into steps of ``ORGLIFE_CODE_STEP_SECONDS`` (15 s) counted
from the epoch. The code of step *n* of a session is signed by the server
(``salted_hmac`` with the ``SECRET_KEY``) over ``(session id, n)``; it is accepted
while less than ``ORGLIFE_CODE_VALID_SECONDS`` (30 s) have passed since step *n*
began — the step shown now and the one before it — so a photo forwarded to a chat
group is useless a minute later. A code from a future step is a forgery like any
other. Two forms:

- the long code ``<session>-<step>-<signature>`` goes into the QR's URL
  (``/checkin/?c=…``);
- the short code is six digits, also derived from the HMAC, shown under the QR for
  typing. It names no session: the server tries the sessions open for check-in at
  which the caller is expected, and the open lectures in the hall (where anyone may
  come as a guest).

An expired, forged or unknown code is refused alike (409 ``expired``). Every such
refusal counts against the caller in the cache; ``CHECKIN_MISSES_PER_MEMBER`` of
them lock the caller out for ``CHECKIN_LOCKOUT_SECONDS`` (429), so the million
short codes cannot be tried.

**Check-in** fills ``checked_in_at`` on the member's ``Attendance`` row (written
when the session was scheduled) under a row lock: a second check-in changes
nothing and answers the first one's time. ``late`` is "after ``starts_at``". At a
lecture in the hall someone not expected gets a guest row (``expected=False``).
A check-in, whichever way, awards ``orglife_attend`` once per session through the
points ledger.
"""

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from rest_framework import status as http

from backend.accounts.models import User
from backend.accounts.scope import UserLike, members_visible_to
from backend.accounts.throttle import count_failure, locked_for
from backend.points.services import points_award

from .errors import OrglifeError
from .models import (
    Attendance,
    CheckinMethod,
    LeaveRequest,
    LeaveStatus,
    Session,
    SessionKind,
    SessionStatus,
)

_SALT = "orglife.checkin.code"
SHORT_CODE_DIGITS = 6
#: Wrong or expired codes a member may send before being locked out, and for how long.
CHECKIN_MISSES_PER_MEMBER = 10
CHECKIN_LOCKOUT_SECONDS = 600
#: How long a code given to a phone stays good for that phone's check-in (the
#: time it takes to sign in first).
CHECKIN_SHOWN_GRACE_SECONDS = 600


# --- codes ------------------------------------------------------------------------------


def _step_seconds() -> int:
    return settings.ORGLIFE_CODE_STEP_SECONDS


def step_at(now: datetime) -> int:
    return int(now.timestamp()) // _step_seconds()


def step_start(step: int) -> datetime:
    return datetime.fromtimestamp(step * _step_seconds(), tz=UTC)


def _digest(session_id: int, step: int) -> bytes:
    return salted_hmac(_SALT, f"{session_id}:{step}", algorithm="sha256").digest()


def _signature(session_id: int, step: int) -> str:
    return _digest(session_id, step)[:12].hex()


def _short(session_id: int, step: int) -> str:
    number = int.from_bytes(_digest(session_id, step)[12:20], "big")
    return str(number % 10**SHORT_CODE_DIGITS).zfill(SHORT_CODE_DIGITS)


def _live_steps(now: datetime) -> list[int]:
    """The steps whose codes are accepted at ``now``, newest first."""
    current = step_at(now)
    valid = timedelta(seconds=settings.ORGLIFE_CODE_VALID_SECONDS)
    steps = []
    step = current
    while now - step_start(step) < valid:
        steps.append(step)
        step -= 1
    return steps


@dataclass(frozen=True)
class CheckinCode:
    code: str
    short_code: str
    step_began_at: datetime
    changes_at: datetime  # the next code is shown from here
    expires_at: datetime  # this code is refused from here


def checkin_code_for(*, session: Session, now: datetime | None = None) -> CheckinCode:
    """The code to show now for ``session`` (the caller may manage it)."""
    now = now or timezone.now()
    step = step_at(now)
    began = step_start(step)
    return CheckinCode(
        code=f"{session.pk}-{step}-{_signature(session.pk, step)}",
        short_code=_short(session.pk, step),
        step_began_at=began,
        changes_at=began + timedelta(seconds=_step_seconds()),
        expires_at=began + timedelta(seconds=settings.ORGLIFE_CODE_VALID_SECONDS),
    )


def _expired() -> OrglifeError:
    return OrglifeError(
        _("The QR code has expired; scan the new one on the big screen."),
        "expired",
        http.HTTP_409_CONFLICT,
    )


def is_short_code(code: str) -> bool:
    return len(code) == SHORT_CODE_DIGITS and code.isdigit()


def session_id_of_long_code(code: str, *, now: datetime) -> int | None:
    """The session a long code names if its signature holds and its step is live."""
    parts = code.split("-")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    session_id, step = int(parts[0]), int(parts[1])
    if step not in _live_steps(now):
        return None
    if not hmac.compare_digest(parts[2], _signature(session_id, step)):
        return None
    return session_id


def sessions_open_for_checkin(*, now: datetime) -> QuerySet[Session]:
    return Session.objects.filter(
        starts_at__lte=now + timedelta(minutes=settings.ORGLIFE_CHECKIN_OPENS_MINUTES),
        ends_at__gt=now,
    ).exclude(status=SessionStatus.CANCELLED)


def session_id_of_short_code(code: str, *, member: UserLike, now: datetime) -> int | None:
    """
    The open session whose short code at ``now`` is ``code``: among those the
    member is expected at, then the lectures in the hall (one query).
    """
    candidates = (
        sessions_open_for_checkin(now=now)
        .filter(Q(attendance__member_id=member.pk) | Q(kind=SessionKind.HALL_LECTURE))
        .distinct()
        .values_list("pk", "kind")
    )
    steps = _live_steps(now)
    found = [
        (kind == SessionKind.HALL_LECTURE, pk)
        for pk, kind in candidates
        if any(hmac.compare_digest(code, _short(pk, step)) for step in steps)
    ]
    return min(found)[1] if found else None


# --- the rate limit -----------------------------------------------------------------------


def _limit_key(member: UserLike) -> str:
    return f"orglife:checkin:u:{member.pk}"


def checkin_locked_for(member: UserLike) -> int | None:
    """Seconds left while ``member`` may not send codes (too many wrong ones), else None."""
    return locked_for(_limit_key(member))


def checkin_record_miss(member: UserLike) -> None:
    count_failure(
        _limit_key(member),
        limit=getattr(settings, "ORGLIFE_CHECKIN_MISSES_PER_MEMBER", CHECKIN_MISSES_PER_MEMBER),
        lockout=getattr(settings, "ORGLIFE_CHECKIN_LOCKOUT_SECONDS", CHECKIN_LOCKOUT_SECONDS),
    )


def too_many_tries(retry_after: int) -> OrglifeError:
    minutes = max(1, -(-retry_after // 60))
    return OrglifeError(
        _("Too many wrong codes; try again in %(minutes)s minutes.") % {"minutes": minutes},
        "throttled",
        http.HTTP_429_TOO_MANY_REQUESTS,
    )


# --- check-in -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckinResult:
    session: Session
    attendance: Attendance
    already: bool  # checked in before this call

    @property
    def late(self) -> bool:
        return self.attendance.late


def _check_open(session: Session, now: datetime, *, after_end: bool = False) -> None:
    """Refuses a check-in outside the window (``after_end``: the host may still
    check people in by hand once the session is over)."""
    if session.is_cancelled:
        raise OrglifeError(
            _("This session has been cancelled."), "cancelled", http.HTTP_409_CONFLICT
        )
    if now < session.checkin_opens_at():
        raise OrglifeError(_("Check-in has not opened yet."), "not_open", http.HTTP_409_CONFLICT)
    if session.has_ended(now) and not after_end:
        raise OrglifeError(_("Check-in has closed."), "closed", http.HTTP_409_CONFLICT)


def _not_expected() -> OrglifeError:
    return OrglifeError(
        _("You are not on the list of people expected at this session."),
        "not_expected",
        http.HTTP_403_FORBIDDEN,
    )


def _check_in(
    *,
    session: Session,
    member: User,
    method: str,
    at: datetime,
    by: User | None = None,
    guests_welcome: bool,
) -> CheckinResult:
    """Fills the member's row (call inside a transaction); harmless when done before."""
    row = Attendance.objects.select_for_update().filter(session=session, member=member).first()
    if row is None:
        if not guests_welcome:
            raise _not_expected()
        Attendance.objects.get_or_create(
            session=session,
            member=member,
            defaults={"branch_id": member.branch_id, "expected": False},
        )
        row = Attendance.objects.select_for_update().get(session=session, member=member)
    if row.checked_in_at is not None:
        return CheckinResult(session=session, attendance=row, already=True)
    row.checked_in_at = at
    row.method = method
    row.late = at > session.starts_at
    row.checked_in_by = by
    row.save(update_fields=["checked_in_at", "method", "late", "checked_in_by"])
    points_award(member=member, kind="orglife_attend", source_key=f"session:{session.pk}", now=at)
    return CheckinResult(session=session, attendance=row, already=False)


def checkin_by_code(
    *,
    member: User,
    code: str,
    now: datetime | None = None,
    shown_at: datetime | None = None,
) -> CheckinResult:
    """
    Checks ``member`` in with a long or short code (validates the code, the
    session's window and who is expected; counts refusals for the rate limit).

    ``shown_at`` is when this member's phone was first given the code (the
    landing page keeps it in the member's own session across the sign-in, for
    at most ``CHECKIN_SHOWN_GRACE_SECONDS``); the code must have been live then,
    and the check-in is dated then.
    """
    now = now or timezone.now()
    if (locked := checkin_locked_for(member)) is not None:
        raise too_many_tries(locked)
    code = (code or "").strip()
    seen = now
    if shown_at is not None and timedelta(0) <= now - shown_at <= timedelta(
        seconds=CHECKIN_SHOWN_GRACE_SECONDS
    ):
        seen = shown_at
    if is_short_code(code):
        session_id = session_id_of_short_code(code, member=member, now=seen)
        method = CheckinMethod.SHORT_CODE
    else:
        session_id = session_id_of_long_code(code, now=seen)
        method = CheckinMethod.QR
    session = Session.objects.filter(pk=session_id).first() if session_id else None
    if session is None:
        checkin_record_miss(member)
        raise _expired()
    _check_open(session, seen)
    with transaction.atomic():
        return _check_in(
            session=session,
            member=member,
            method=method,
            at=seen,
            guests_welcome=session.kind == SessionKind.HALL_LECTURE,
        )


@transaction.atomic
def checkin_manually(
    *, session: Session, member_id: int, by: User, now: datetime | None = None
) -> CheckinResult:
    """
    The host checks a member in by hand (no phone, elderly): marked ``manual``
    with who did it. The caller manages ``session``. The member must be expected,
    or, at a lecture in the hall, one the caller may see (a guest).
    """
    now = now or timezone.now()
    _check_open(session, now, after_end=True)
    member = (
        User.objects.filter(is_active=True)
        .filter(Q(attendance__session=session) | Q(pk__in=members_visible_to(by).values("pk")))
        .filter(pk=member_id)
        .distinct()
        .first()
    )
    if member is None:
        raise OrglifeError(
            pgettext("check-in", "No such member."), "not_found", http.HTTP_404_NOT_FOUND
        )
    return _check_in(
        session=session,
        member=member,
        method=CheckinMethod.MANUAL,
        at=now,
        by=by,
        guests_welcome=session.kind == SessionKind.HALL_LECTURE,
    )


# --- attendance ---------------------------------------------------------------------------


def attendee(row: Attendance) -> dict:
    """One person of the lists (the row with its member and branch loaded)."""
    return {
        "id": row.member_id,
        "name": row.member.name,
        "branch": row.branch.name if row.branch_id else "",
        "checked_in_at": row.checked_in_at,
        # the time of day on the server's clock and zone, as the screen shows it
        "time": f"{timezone.localtime(row.checked_in_at):%H:%M}" if row.checked_in_at else "",
        "method": row.method,
        "manual": row.method == CheckinMethod.MANUAL,
        "late": row.late,
        "guest": not row.expected,
    }


def session_attendance(*, session: Session) -> dict:
    """
    Who came, in lists for the check-in screen and the record (two queries,
    whatever the size):

    - ``expected``: how many are expected;
    - ``present``: everyone checked in — the late ones and guests included,
      newest first;
    - ``late``: those checked in after the start (they are in ``present`` too);
    - ``on_leave``: expected, not checked in, with an approved leave request;
    - ``absent``: the other expected people who did not check in;
    - ``counts``: the lengths, where ``present`` counts the expected who came
      (the screen's "N / M") and ``guests`` the others.
    """
    rows = list(
        Attendance.objects.filter(session=session).select_related("member", "branch").order_by("id")
    )
    approved = set(
        LeaveRequest.objects.filter(session=session, status=LeaveStatus.APPROVED).values_list(
            "member_id", flat=True
        )
    )
    present = sorted(
        (r for r in rows if r.checked_in_at is not None),
        key=lambda r: (r.checked_in_at, r.pk),
        reverse=True,
    )
    missing = [r for r in rows if r.expected and r.checked_in_at is None]
    lists = {
        "present": [attendee(r) for r in present],
        "late": [attendee(r) for r in present if r.late],
        "on_leave": [attendee(r) for r in missing if r.member_id in approved],
        "absent": [attendee(r) for r in missing if r.member_id not in approved],
    }
    expected = sum(1 for r in rows if r.expected)
    came = sum(1 for r in present if r.expected)
    return {
        "expected": expected,
        **lists,
        "counts": {
            "expected": expected,
            "present": came,
            "guests": len(present) - came,
            **{name: len(lists[name]) for name in ("late", "on_leave", "absent")},
        },
    }


def session_counts(*, session: Session) -> dict:
    """``expected`` and ``present`` (the expected who checked in), in one query."""
    counts = Attendance.objects.filter(session=session, expected=True).aggregate(
        n_expected=Count("pk"), n_present=Count("pk", filter=Q(checked_in_at__isnull=False))
    )
    return {"expected": counts["n_expected"], "present": counts["n_present"]}
