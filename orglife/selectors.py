"""Reads of organisational life that the pages and the API share."""

from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from backend.accounts.scope import UserLike

from .models import Attendance, LeaveRequest, LeaveStatus, MakeupTask, Record, Session
from .scope import sessions_visible_to


def with_counts(sessions: QuerySet[Session]) -> QuerySet[Session]:
    """Sessions with ``expected_count``, ``present_count`` and ``signed`` (one query)."""
    return sessions.select_related("branch", "unit", "host", "group").annotate(
        expected_count=Count("attendance", filter=Q(attendance__expected=True), distinct=True),
        present_count=Count(
            "attendance", filter=Q(attendance__checked_in_at__isnull=False), distinct=True
        ),
        signed=Exists(Record.objects.filter(session=OuterRef("pk"), signed_at__isnull=False)),
    )


def sessions_for(
    user: UserLike,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    branch_id: int | None = None,
) -> QuerySet[Session]:
    sessions = Session.objects.filter(pk__in=sessions_visible_to(user).values("pk"))
    if start is not None:
        sessions = sessions.filter(starts_at__gte=start)
    if end is not None:
        sessions = sessions.filter(starts_at__lte=end)
    if branch_id is not None:
        sessions = sessions.filter(branch_id=branch_id)
    return with_counts(sessions).order_by("-starts_at", "-id")


class MyStatus:
    """What a member's row at a session says (the codes the API sends)."""

    PRESENT = "present"
    LATE = "late"
    LEAVE_PENDING = "leave_pending"
    ON_LEAVE = "on_leave"
    LEAVE_DECLINED = "leave_declined"
    ABSENT = "absent"
    EXPECTED = "expected"


def my_status(row, *, now: datetime) -> str:
    """The status of an ``Attendance`` row from ``my_attendance``."""
    if row.checked_in_at is not None:
        return MyStatus.LATE if row.late else MyStatus.PRESENT
    if row.leave_status == LeaveStatus.APPROVED:
        return MyStatus.ON_LEAVE
    started = row.session.has_started(now)
    if row.leave_status == LeaveStatus.PENDING:
        return MyStatus.ABSENT if started else MyStatus.LEAVE_PENDING
    if started:
        return MyStatus.ABSENT
    return (
        MyStatus.LEAVE_DECLINED if row.leave_status == LeaveStatus.DECLINED else MyStatus.EXPECTED
    )


def my_attendance(user: UserLike, *, since: datetime | None = None) -> QuerySet[Attendance]:
    """
    The member's rows at the sessions they are expected at, each with its session
    (branch, unit, host, group, lecture), ``leave_status``, ``leave_id`` and
    ``makeup_status`` (one query, whatever the number of sessions).
    """
    leave = LeaveRequest.objects.filter(
        session=OuterRef("session_id"), member=OuterRef("member_id")
    )
    makeup = MakeupTask.objects.filter(session=OuterRef("session_id"), member=OuterRef("member_id"))
    rows = Attendance.objects.filter(member_id=user.pk, expected=True)
    if since is not None:
        rows = rows.filter(session__starts_at__gte=since)
    return (
        rows.select_related(
            "session__branch",
            "session__unit",
            "session__host",
            "session__group",
            "session__lecture",
        )
        .annotate(
            leave_status=Subquery(leave.values("status")[:1]),
            leave_id=Subquery(leave.values("pk")[:1]),
            makeup_status=Subquery(makeup.values("status")[:1]),
        )
        .order_by("session__starts_at", "session_id")
    )
