"""
Who may see, schedule and run which sessions, on the org tree of
``backend.accounts.scope``.

- A member sees the sessions they are expected at (or checked in to as a guest).
- A secretary also sees and runs every session of the own branch, and sees the
  unit's and the city's lectures in the hall.
- A unit admin sees and runs the unit's sessions (its branches' and its hall
  lectures) and sees the city's hall lectures; the city admin, everything.
- The host named on a session runs it (check-in, record) even as a member.

Anything outside these sets is answered with 404, never 403: the caller does not
learn that it exists.
"""

from django.db.models import Q, QuerySet

from backend.accounts.models import Branch, Role, Unit, User
from backend.accounts.scope import UserLike, is_city_admin

from .models import Session, SessionKind


def _active(user: UserLike) -> bool:
    return bool(user.is_active and user.is_authenticated)


def sessions_visible_to(user: UserLike) -> QuerySet[Session]:
    if not _active(user):
        return Session.objects.none()
    if is_city_admin(user):
        return Session.objects.all()
    mine = Q(attendance__member_id=user.pk) | Q(host_id=user.pk)
    city_hall = Q(kind=SessionKind.HALL_LECTURE, unit__isnull=True, branch__isnull=True)
    if user.role == Role.UNIT_ADMIN:
        return Session.objects.filter(Q(unit_id=user.unit_id) | city_hall | mine).distinct()
    if user.role == Role.SECRETARY:
        unit_hall = Q(kind=SessionKind.HALL_LECTURE, branch__isnull=True, unit_id=user.unit_id)
        return Session.objects.filter(
            Q(branch_id=user.branch_id) | unit_hall | city_hall | mine
        ).distinct()
    return Session.objects.filter(mine).distinct()


def sessions_manageable_by(user: UserLike) -> QuerySet[Session]:
    """Sessions the user may change, check people in to, and keep the record of."""
    if not _active(user):
        return Session.objects.none()
    if is_city_admin(user):
        return Session.objects.all()
    if user.role == Role.UNIT_ADMIN:
        return Session.objects.filter(Q(unit_id=user.unit_id) | Q(host_id=user.pk))
    if user.role == Role.SECRETARY:
        return Session.objects.filter(Q(branch_id=user.branch_id) | Q(host_id=user.pk))
    return Session.objects.filter(host_id=user.pk)


def can_manage_session(user: UserLike, session: Session) -> bool:
    return sessions_manageable_by(user).filter(pk=session.pk).exists()


def can_schedule(user: UserLike) -> bool:
    """Secretaries and admins schedule sessions; members do not (403)."""
    return _active(user) and (is_city_admin(user) or user.role in (Role.SECRETARY, Role.UNIT_ADMIN))


def branches_schedulable_by(user: UserLike) -> QuerySet[Branch]:
    if not can_schedule(user):
        return Branch.objects.none()
    if is_city_admin(user):
        return Branch.objects.filter(is_active=True)
    if user.role == Role.UNIT_ADMIN:
        return Branch.objects.filter(is_active=True, unit_id=user.unit_id)
    return Branch.objects.filter(pk=user.branch_id)


def units_schedulable_by(user: UserLike) -> QuerySet[Unit]:
    """Units for which the user may hold a lecture in the hall."""
    if not _active(user):
        return Unit.objects.none()
    if is_city_admin(user):
        return Unit.objects.filter(is_active=True)
    if user.role == Role.UNIT_ADMIN:
        return Unit.objects.filter(pk=user.unit_id)
    return Unit.objects.none()


def can_hold_city_lecture(user: UserLike) -> bool:
    return _active(user) and is_city_admin(user)


def can_view_compliance(user: UserLike) -> bool:
    return _active(user) and (is_city_admin(user) or user.role in (Role.SECRETARY, Role.UNIT_ADMIN))


def leave_deciders(session: Session) -> QuerySet[User]:
    """Who may approve a leave request: the host and the secretaries of the branch."""
    q = Q(pk=session.host_id)
    if session.branch_id:
        q |= Q(role=Role.SECRETARY, branch_id=session.branch_id)
    return User.objects.filter(q, is_active=True)


def can_decide_leave(user: UserLike, session: Session) -> bool:
    return can_manage_session(user, session)
