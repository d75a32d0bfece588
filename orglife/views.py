"""
The session pages of organisational life: the list and the scheduling form
(secretaries and admins), a session's page (everyone who may see it), 我的组织生活
and the calendars (.ics). Reads go through ``selectors``, writes through
``services``; anything outside the caller's scope is 404.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backend.accounts.models import Role
from backend.accounts.scope import branches_visible_to, is_city_admin

from . import calendar, makeup, scope, selectors, services
from .errors import OrglifeError
from .forms import SessionForm
from .models import LeaveRequest, Record, SessionKind

RECENT = timedelta(days=92)


@dataclass(frozen=True)
class Period:
    """A month (``2026-11``) or a quarter (``2026-Q4``) of the sessions list."""

    start: date
    months: int

    @property
    def is_quarter(self) -> bool:
        return self.months == 3

    @property
    def key(self) -> str:
        if self.is_quarter:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"

    @property
    def label(self) -> str:
        if self.is_quarter:
            return _("%(year)s Q%(quarter)s") % {
                "year": self.start.year,
                "quarter": (self.start.month - 1) // 3 + 1,
            }
        return _("%(year)s-%(month)s") % {
            "year": self.start.year,
            "month": f"{self.start.month:02d}",
        }

    def shifted(self, steps: int) -> "Period":
        index = self.start.year * 12 + self.start.month - 1 + steps * self.months
        return Period(date(index // 12, index % 12 + 1, 1), self.months)

    def bounds(self) -> tuple[datetime, datetime]:
        end = self.shifted(1).start
        as_time = lambda d: timezone.make_aware(datetime(d.year, d.month, d.day))  # noqa: E731
        return as_time(self.start), as_time(end)

    @classmethod
    def parse(cls, text: str | None, today: date) -> "Period":
        text = (text or "").strip()
        quarter = re.fullmatch(r"(20\d\d)-Q([1-4])", text)
        if quarter:
            return cls(date(int(quarter[1]), (int(quarter[2]) - 1) * 3 + 1, 1), 3)
        month = re.fullmatch(r"(20\d\d)-(0[1-9]|1[0-2])", text)
        if month:
            return cls(date(int(month[1]), int(month[2]), 1), 1)
        if text == "quarter":
            return cls(date(today.year, (today.month - 1) // 3 * 3 + 1, 1), 3)
        return cls(today.replace(day=1), 1)


def _is_manager(user) -> bool:
    return scope.can_schedule(user)


@login_required
def sessions_index(request):
    """The sessions the secretary or admin may see: upcoming, then the period's past."""
    user = request.user
    if not _is_manager(user):
        return redirect("orglife:mine")
    today = timezone.localdate()
    # Without a period: the last three months (a new month's list is not empty).
    recent = not request.GET.get("period")
    period = Period.parse(request.GET.get("period"), today)
    kind = request.GET.get("kind") or ""
    if kind not in SessionKind.values:
        kind = ""
    branches = None
    branch_id = None
    if is_city_admin(user) or user.role == Role.UNIT_ADMIN:
        branches = list(
            branches_visible_to(user).select_related("unit").order_by("unit", "position")
        )
        raw = request.GET.get("branch") or ""
        if raw.isdigit() and any(b.pk == int(raw) for b in branches):
            branch_id = int(raw)
    now = timezone.now()
    sessions = selectors.sessions_for(user, branch_id=branch_id)
    if kind:
        sessions = sessions.filter(kind=kind)
    upcoming = list(sessions.filter(ends_at__gt=now).order_by("starts_at", "id")[:50])
    start, end = period.bounds()
    if recent:
        start = now - RECENT
    past = list(sessions.filter(ends_at__lte=now, starts_at__gte=start, starts_at__lt=end))
    return render(
        request,
        "orglife/sessions.html",
        {
            "upcoming": upcoming,
            "past": past,
            "period": period,
            "recent": recent,
            "prev_period": period.shifted(-1),
            "next_period": period.shifted(1) if period.shifted(1).start <= today else None,
            "other_period": (
                Period.parse(f"{period.start:%Y-%m}", today)
                if period.is_quarter
                else Period.parse(
                    f"{period.start.year}-Q{(period.start.month - 1) // 3 + 1}", today
                )
            ),
            "kinds": SessionKind.choices,
            "kind": kind,
            "branches": branches,
            "branch_id": branch_id,
            "now": now,
            "nav": "home",
        },
    )


@login_required
def session_new(request):
    user = request.user
    if not scope.can_schedule(user):
        raise PermissionDenied(_("Only secretaries and admins schedule sessions."))
    if request.method == "POST":
        form = SessionForm(request.POST, user=user)
        if form.is_valid():
            try:
                session = services.session_create(by=user, data=form.session_input())
            except OrglifeError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The session is scheduled."))
                return redirect("orglife:session", session.pk)
    else:
        initial = {"kind": SessionKind.THEME_DAY}
        if request.GET.get("kind") in SessionKind.values:
            initial["kind"] = request.GET["kind"]
        form = SessionForm(initial=initial, user=user)
    return render(
        request,
        "orglife/session_form.html",
        {"form": form, "nav": "home", "hall_lecture": SessionKind.HALL_LECTURE},
    )


def _session_or_404(user, pk: int):
    session = (
        selectors.sessions_for(user)
        .select_related("lecture", "quiz")
        .prefetch_related("reading_items__attachment")
        .filter(pk=pk)
        .first()
    )
    if session is None:
        raise Http404
    return session


@login_required
def session_detail(request, pk: int):
    user = request.user
    session = _session_or_404(user, pk)
    now = timezone.now()
    row = selectors.my_attendance(user).filter(session_id=session.pk).first()
    status = selectors.my_status(row, now=now) if row else None
    leave = LeaveRequest.objects.filter(session=session, member=user).first() if row else None
    can_ask = bool(
        row and leave is None and not session.has_started(now) and not session.is_cancelled
    )
    manager = scope.can_manage_session(user, session)
    return render(
        request,
        "orglife/session_detail.html",
        {
            "session": session,
            "row": row,
            "status": status,
            "leave": leave,
            "can_ask": can_ask,
            "manager": manager,
            # a member reads the record once it is signed (the managers have the button)
            "record_signed": not manager
            and Record.objects.filter(session=session, signed_at__isnull=False).exists(),
            "can_cancel": manager and not session.is_cancelled and not session.has_started(now),
            "confirm_cancel": request.GET.get("cancel") == "1",
            "started": session.has_started(now),
            "nav": "home",
        },
    )


@login_required
@require_POST
def session_cancel(request, pk: int):
    user = request.user
    session = _session_or_404(user, pk)
    if not scope.can_manage_session(user, session):
        raise PermissionDenied(_("Only the session's host, secretary or admin cancels it."))
    try:
        services.session_cancel(session=session)
    except OrglifeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The session is cancelled."))
    return redirect("orglife:session", session.pk)


def _ics(request, body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=0"
    return response


@login_required
def session_ics(request, pk: int):
    """One session as an .ics download (添加到日历)."""
    session = _session_or_404(request.user, pk)
    body = calendar.build_calendar(
        [session],
        name=_("Organisational life"),
        base_url=request.build_absolute_uri("/").rstrip("/"),
        host=request.get_host().split(":")[0],
    )
    return _ics(request, body, f"session-{session.pk}.ics")


def calendar_feed(request, token: str):
    """The member's subscription feed: no session cookie, the token is the proof."""
    user = calendar.user_for_token(token)
    if user is None:
        raise Http404
    body = calendar.build_calendar(
        calendar.feed_sessions(user),
        name=_("Organisational life"),
        base_url=request.build_absolute_uri("/").rstrip("/"),
        host=request.get_host().split(":")[0],
    )
    return _ics(request, body, "orglife.ics")


def feed_urls(request) -> dict:
    https = request.build_absolute_uri(calendar.feed_path(request.user))
    return {"https": https, "webcal": re.sub(r"^https?://", "webcal://", https)}


def my_sessions(user, *, now: datetime) -> tuple[list, list]:
    """The member's rows split into upcoming (soonest first) and past (latest first).
    Sessions that have just ended get their make-up tasks first (one query when
    there is none to create), so a past session never shows without its task
    while ``orglife_tick`` has not run yet."""
    makeup.makeup_create_due(now)
    rows = list(selectors.my_attendance(user, since=now - timedelta(days=366)))
    for row in rows:
        row.status = selectors.my_status(row, now=now)
    upcoming = [r for r in rows if not r.session.has_ended(now)]
    past = [r for r in reversed(rows) if r.session.has_ended(now)]
    return upcoming, past


@login_required
def my_orglife(request):
    """我的组织生活: what is coming, what was, and the phone's calendar."""
    now = timezone.now()
    upcoming, past = my_sessions(request.user, now=now)
    return render(
        request,
        "orglife/my_orglife.html",
        {
            "upcoming": upcoming,
            "past": past,
            "feed": feed_urls(request),
            "manager": _is_manager(request.user),
            "makeup_url": reverse("orglife:makeup"),
            "sessions_url": reverse("orglife:index"),
            "nav": "profile",
        },
    )
