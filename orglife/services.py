"""
Writes of organisational life that concern the session itself: scheduling
(who is expected) and cancelling. Check-in, leave and make-up, the record and
compliance live in their own modules beside this one.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import BRANCH_ROLES, Branch, Role, Unit, User

from .errors import OrglifeError
from .models import (
    Attendance,
    CommitteeSeat,
    PartyGroup,
    Session,
    SessionKind,
    SessionStatus,
)

DEFAULT_LENGTH = timedelta(hours=2)


SessionError = OrglifeError  # the name the session services raise


def expected_members(
    *, kind: str, branch: Branch | None, unit: Unit | None, group: PartyGroup | None
) -> QuerySet[User]:
    """Who is expected at a session of ``kind`` (the defaults the issue names)."""
    people = User.objects.filter(is_active=True, role__in=BRANCH_ROLES)
    if kind == SessionKind.HALL_LECTURE:
        return people.filter(unit=unit) if unit is not None else people
    if kind == SessionKind.GROUP:
        return people.filter(party_groups=group)
    if kind == SessionKind.COMMITTEE:
        seats = CommitteeSeat.objects.filter(branch=branch).values("member_id")
        return people.filter(Q(branch=branch, role=Role.SECRETARY) | Q(pk__in=seats))
    return people.filter(branch=branch)


@dataclass
class SessionInput:
    kind: str
    title: str
    starts_at: datetime
    branch: Branch | None = None
    unit: Unit | None = None
    group: PartyGroup | None = None
    ends_at: datetime | None = None
    place: str = ""
    topic: str = ""
    host: User | None = None
    lecture: object | None = None
    quiz: object | None = None
    reading_items: tuple = ()


@transaction.atomic
def session_create(*, by: User, data: SessionInput) -> Session:
    """
    Schedules a session and writes down who is expected (the caller has been
    checked for scope). A branch's session belongs to the branch's unit too.
    """
    kind = data.kind
    branch, unit, group = data.branch, data.unit, data.group
    if kind == SessionKind.HALL_LECTURE:
        branch, group = None, None
    else:
        if branch is None:
            raise SessionError(_("Choose the branch that holds this session."), "branch_required")
        unit = branch.unit
        if kind == SessionKind.GROUP:
            if group is None or group.branch_id != branch.pk:
                raise SessionError(_("Choose one of the branch's Party groups."), "group_required")
        else:
            group = None
    ends_at = data.ends_at or data.starts_at + DEFAULT_LENGTH
    if ends_at <= data.starts_at:
        raise SessionError(_("The session must end after it starts."), "invalid_time")
    session = Session.objects.create(
        kind=kind,
        branch=branch,
        unit=unit,
        group=group,
        title=data.title.strip(),
        topic=data.topic.strip(),
        starts_at=data.starts_at,
        ends_at=ends_at,
        place=data.place.strip(),
        host=data.host or by,
        lecture=data.lecture,
        quiz=data.quiz,
        created_by=by,
    )
    if data.reading_items:
        session.reading_items.set(data.reading_items)
    people = expected_members(kind=kind, branch=branch, unit=unit, group=group)
    Attendance.objects.bulk_create(
        [
            Attendance(session=session, member_id=pk, branch_id=branch_id, expected=True)
            for pk, branch_id in people.values_list("pk", "branch_id")
        ],
        batch_size=2000,
    )
    return session


@transaction.atomic
def session_cancel(*, session: Session, now: datetime | None = None) -> Session:
    if session.has_started(now or timezone.now()):
        raise SessionError(_("A session that has started cannot be cancelled."), "started")
    session.status = SessionStatus.CANCELLED
    session.save(update_fields=["status", "updated_at"])
    return session
