"""
The leave and make-up pages: asking for leave on a phone (``sessions/<id>/leave/``),
the secretary's approval page (``orglife/leave/``: 批准/不批准 as POST forms) and
我的补学 (``me/makeup/``). Writes go through ``orglife.leave`` and
``orglife.makeup``; a session or request outside the caller's scope is 404, a
refused change shows its Chinese message and changes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import leave as leave_services
from . import makeup
from .errors import OrglifeError
from .models import LeaveRequest, LeaveStatus
from .scope import sessions_visible_to

DECIDED_SHOWN = 30


def _visible_session(user, pk: int):
    session = sessions_visible_to(user).select_related("branch").filter(pk=pk).first()
    if session is None:
        raise Http404
    return session


@login_required
def leave_page(request, pk: int):
    """The member's leave for one session: the form, or the request and its state."""
    session = _visible_session(request.user, pk)
    reason = ""
    error = None
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            asked = leave_services.leave_request(
                member=request.user, session=session, reason=reason
            )
        except OrglifeError as exc:
            error = exc.message
        else:
            if asked.created:
                messages.success(request, _("Your leave request has been sent to the secretary."))
            else:
                messages.info(request, _("You have asked for leave for this session already."))
            return redirect("orglife:leave", session.pk)
    box = leave_services.leave_box(member=request.user, session=session)
    return render(
        request,
        "orglife/leave_ask.html",
        {**box, "reason": reason, "error": error, "nav": "home"},
        status=400 if error else 200,
    )


@login_required
@require_POST
def leave_withdraw(request, pk: int):
    session = _visible_session(request.user, pk)
    leave = LeaveRequest.objects.filter(session=session, member=request.user).first()
    if leave is None:
        raise Http404
    try:
        leave_services.leave_withdraw(member=request.user, leave=leave)
    except OrglifeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your leave request has been withdrawn."))
    return redirect("orglife:leave", session.pk)


@login_required
def leave_approvals(request):
    """The requests waiting in the sessions the caller manages, decided ones below."""
    requests = leave_services.leave_requests_decidable_by(request.user)
    pending = list(
        requests.filter(status=LeaveStatus.PENDING).order_by("session__starts_at", "created_at")
    )
    decided = list(
        requests.exclude(status=LeaveStatus.PENDING).order_by("-decided_at", "-id")[:DECIDED_SHOWN]
    )
    return render(
        request,
        "orglife/leave_list.html",
        {"pending": pending, "decided": decided, "now": timezone.now(), "nav": "home"},
    )


@login_required
@require_POST
def leave_decide(request, pk: int):
    leave, may_decide = leave_services.leave_request_for(request.user, pk)
    if leave is None:
        raise Http404
    if not may_decide:
        raise PermissionDenied(_("Only the secretary decides on leave."))
    choice = request.POST.get("approved")
    if choice not in ("1", "0"):
        messages.error(request, _("Choose to approve or decline."))
        return redirect("orglife:leave_list")
    leave_services.leave_decide(by=request.user, leave=leave, approved=choice == "1")
    messages.success(
        request,
        (_("Approved: %(name)s.") if choice == "1" else _("Declined: %(name)s."))
        % {"name": leave.member.name},
    )
    return redirect("orglife:leave_list")


@login_required
def my_makeup(request):
    """我的补学: open tasks first, each item with where to do it and a ✓ once seen done."""
    makeup.makeup_create_due()
    tasks = makeup.makeup_tasks_for(request.user)
    open_count = sum(1 for view in tasks if view.task.status == "open")
    return render(
        request,
        "orglife/makeup_list.html",
        {"tasks": tasks, "open_count": open_count, "nav": "study"},
    )
