"""
The check-in pages: the host's screen (phone or projector) and the member's
landing page behind the QR code (``/checkin/?c=…``, or ``/checkin/`` to type the
six digits). A GET changes nothing: the check-in itself is a POST, which the
landing page's module sends at once (a button does it without scripts).
"""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from . import checkin, scope
from .api_checkin import checkin_url, qr_svg
from .errors import OrglifeError

#: The landing page remembers, in the phone's own session, when it was given each
#: code (the newest few), so that signing in first does not let the code expire.
SHOWN_KEY = "orglife_checkin_shown"
SHOWN_KEEP = 5


def _managed_or_404(user, pk: int):
    session = (
        scope.sessions_manageable_by(user).select_related("branch", "unit").filter(pk=pk).first()
    )
    if session is None:
        raise Http404(pgettext("check-in", "No such session."))
    return session


def _window(session, now) -> str:
    """What the screen says when members cannot check in now (else nothing)."""
    if session.is_cancelled:
        return _("This session has been cancelled.")
    if now < session.checkin_opens_at():
        opens = f"{timezone.localtime(session.checkin_opens_at()):%H:%M}"
        return _("Check-in opens at {time}").replace("{time}", opens)
    if session.has_ended(now):
        return _("Check-in has closed.")
    return ""


@login_required
def host_screen(request, pk: int):
    """The check-in screen: the rotating QR, the six digits, who came and who is missing."""
    session = _managed_or_404(request.user, pk)
    now = timezone.now()
    code = checkin.checkin_code_for(session=session, now=now)
    url = checkin_url(request, code.code)
    return render(
        request,
        "orglife/checkin_screen.html",
        {
            "session": session,
            "code": code,
            "url": url,
            "landing": request.build_absolute_uri(reverse("orglife:checkin")),
            "qr": qr_svg(url),
            "next_ms": int((code.changes_at - now).total_seconds() * 1000),
            "window": _window(session, now),
            "attendance": checkin.session_attendance(session=session),
            "hide_nav": True,
        },
    )


@login_required
@require_POST
def manual_checkin(request, pk: int):
    """The screen's manual check-in without scripts (the module uses the API)."""
    session = _managed_or_404(request.user, pk)
    member = request.POST.get("member", "")
    try:
        if not member.isdigit():
            raise OrglifeError(pgettext("check-in", "No such member."), "not_found", 404)
        result = checkin.checkin_manually(session=session, member_id=int(member), by=request.user)
    except OrglifeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(name)s is checked in by hand.") % {"name": result.attendance.member.name},
        )
    return redirect("orglife:checkin_screen", session.pk)


def _remember_shown(request, code: str) -> None:
    """Notes when this phone was given a live code (a GET writes no check-in)."""
    if checkin.session_id_of_long_code(code, now=timezone.now()) is None:
        return
    shown = dict(request.session.get(SHOWN_KEY, {}))
    if code not in shown:
        shown[code] = timezone.now().isoformat()
        request.session[SHOWN_KEY] = dict(list(shown.items())[-SHOWN_KEEP:])


def _shown_at(request, code: str) -> datetime | None:
    value = request.session.get(SHOWN_KEY, {}).get(code)
    return parse_datetime(value) if value else None


def checkin_landing(request):
    """``/checkin/?c=…`` (from the QR) and ``/checkin/`` (type the short code)."""
    if request.method == "POST":
        return _checkin_post(request)
    code = request.GET.get("c", "").strip()[:80]
    if code:
        _remember_shown(request, code)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(
        request,
        "orglife/checkin_landing.html",
        {"code": code, "nav": "home"},
    )


def _checkin_post(request):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("orglife:checkin"))
    code = (request.POST.get("c") or request.POST.get("code") or "").strip()[:80]
    typed = "c" not in request.POST
    if typed:
        code = "".join(ch for ch in code if ch.isdigit())
    try:
        result = checkin.checkin_by_code(
            member=request.user, code=code, shown_at=None if typed else _shown_at(request, code)
        )
    except OrglifeError as exc:
        if typed and exc.code == "expired":
            error = _("That code is wrong or has expired; type the new one on the big screen.")
            return render(
                request,
                "orglife/checkin_landing.html",
                {"code": "", "error": error, "typed": code, "nav": "home"},
                status=exc.status,
            )
        return render(
            request,
            "orglife/checkin_result.html",
            {"outcome": exc.code, "message": exc.message, "nav": "home"},
            status=exc.status,
        )
    if result.already:
        outcome, message = "already", _("Already checked in")
    elif result.late:
        outcome, message = "late", _("Checked in late")
    else:
        outcome, message = "ok", _("Checked in successfully")
    return render(
        request,
        "orglife/checkin_result.html",
        {"outcome": outcome, "message": message, "result": result, "nav": "home"},
    )
