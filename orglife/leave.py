"""
Leave (请假): a member expected at a session asks before it starts; whoever may
manage the session (``scope.can_decide_leave``: the host, the branch's
secretary, the admins over it) approves or declines.

Rules that hold:

- Only an expected attendee asks (403 ``not_expected``), and only before the
  start (409 ``started``) of a session that is not cancelled (409 ``cancelled``).
- One request per member and session: asking again returns the existing request
  unchanged (the API answers 200 instead of 201), whatever its status.
- A pending request may be withdrawn before the start; a decided one stays.
- A decision may be changed (a secretary's slip); once the make-up tasks exist,
  the task's ``on_leave`` follows the decision.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status as http

from backend.accounts.models import User
from backend.accounts.scope import UserLike

from .errors import OrglifeError
from .models import Attendance, LeaveRequest, LeaveStatus, MakeupTask, Session
from .scope import can_decide_leave, sessions_manageable_by

REASON_MAX = LeaveRequest._meta.get_field("reason").max_length


def _refuse_if_closed(session: Session, now: datetime) -> None:
    if session.is_cancelled:
        raise OrglifeError(
            _("This session has been cancelled."), "cancelled", http.HTTP_409_CONFLICT
        )
    if session.has_started(now):
        raise OrglifeError(
            _("The session has started: leave is asked before it begins."),
            "started",
            http.HTTP_409_CONFLICT,
        )


def is_expected(member: UserLike, session: Session) -> bool:
    return Attendance.objects.filter(session=session, member_id=member.pk, expected=True).exists()


@dataclass(frozen=True)
class Asked:
    leave: LeaveRequest
    created: bool


@transaction.atomic
def leave_request(
    *, member: User, session: Session, reason: str, now: datetime | None = None
) -> Asked:
    """
    Validates and records a leave request (the caller may see ``session``).
    Returns the existing request, ``created=False``, when the member has asked before.
    """
    now = now or timezone.now()
    existing = LeaveRequest.objects.filter(session=session, member=member).first()
    if existing is not None:
        return Asked(existing, False)
    if not is_expected(member, session):
        raise OrglifeError(
            _("You are not expected at this session, so there is no leave to ask."),
            "not_expected",
            http.HTTP_403_FORBIDDEN,
        )
    _refuse_if_closed(session, now)
    reason = " ".join(reason.split())
    if not reason:
        raise OrglifeError(_("Say why you cannot come."), "reason_required")
    if len(reason) > REASON_MAX:
        raise OrglifeError(
            _("Keep the reason under %(n)d characters.") % {"n": REASON_MAX}, "reason_too_long"
        )
    try:
        with transaction.atomic():
            leave = LeaveRequest.objects.create(
                session=session, member=member, reason=reason, created_at=now
            )
    except IntegrityError:  # a second tap that raced the first
        return Asked(LeaveRequest.objects.get(session=session, member=member), False)
    return Asked(leave, True)


@transaction.atomic
def leave_decide(
    *, by: User, leave: LeaveRequest, approved: bool, now: datetime | None = None
) -> LeaveRequest:
    """Approves or declines (``by`` may decide: ``scope.can_decide_leave``)."""
    now = now or timezone.now()
    leave = LeaveRequest.objects.select_for_update().get(pk=leave.pk)
    leave.status = LeaveStatus.APPROVED if approved else LeaveStatus.DECLINED
    leave.decided_by = by
    leave.decided_at = now
    leave.save(update_fields=["status", "decided_by", "decided_at"])
    MakeupTask.objects.filter(session_id=leave.session_id, member_id=leave.member_id).update(
        on_leave=approved
    )
    return leave


@transaction.atomic
def leave_withdraw(*, member: User, leave: LeaveRequest, now: datetime | None = None) -> None:
    """A member takes back a pending request before the session starts."""
    now = now or timezone.now()
    leave = LeaveRequest.objects.select_for_update().select_related("session").get(pk=leave.pk)
    if leave.member_id != member.pk:
        raise OrglifeError(_("No such leave request."), "not_found", http.HTTP_404_NOT_FOUND)
    if leave.status != LeaveStatus.PENDING:
        raise OrglifeError(
            _("This request has been decided and cannot be withdrawn."),
            "decided",
            http.HTTP_409_CONFLICT,
        )
    _refuse_if_closed(leave.session, now)
    leave.delete()


# --- reads ------------------------------------------------------------------------------


def leave_requests_decidable_by(user: UserLike) -> QuerySet[LeaveRequest]:
    """Requests in the sessions ``user`` manages, with what the approval page shows."""
    return LeaveRequest.objects.filter(
        session__in=sessions_manageable_by(user).values("pk")
    ).select_related("member", "member__branch", "session", "session__branch", "decided_by")


def leave_request_for(user: UserLike, pk: int) -> tuple[LeaveRequest | None, bool]:
    """
    The request ``pk`` as ``user`` may know it, and whether they may decide it:
    (None, False) when it is neither theirs nor in a session they manage.
    """
    leave = LeaveRequest.objects.select_related("session", "member").filter(pk=pk).first()
    if leave is None:
        return None, False
    may_decide = can_decide_leave(user, leave.session)
    if may_decide or leave.member_id == user.pk:
        return leave, may_decide
    return None, False


def leave_box(*, member: UserLike, session: Session, now: datetime | None = None) -> dict:
    """
    What ``orglife/_leave_box.html`` needs for ``member`` on ``session``'s page:
    ``leave`` (their request or None), ``can_ask`` (expected, not started, not
    cancelled, not asked yet) and ``started``. At most two small queries.
    """
    now = now or timezone.now()
    leave = LeaveRequest.objects.filter(session=session, member_id=member.pk).first()
    started = session.has_started(now)
    can_ask = leave is None and not started and not session.is_cancelled
    return {
        "session": session,
        "leave": leave,
        "can_ask": can_ask and is_expected(member, session),
        "started": started,
    }
