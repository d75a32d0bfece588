"""Reads of organisational life that the pages and the API share."""

from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from backend.accounts.scope import UserLike

from .models import Record, Session
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
