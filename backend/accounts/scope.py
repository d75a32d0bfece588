"""
Who may see and manage what in the org tree: the ground floor of scoping.

Every selector, API view, admin class and consumer asks this module (or an app's
own rules built on it, such as ``quizzes.scope`` and ``contests.scope``); nothing
filters by the org tree on its own. This module imports no feature app. The rules:

- a **city admin** (or a superuser) sees and manages everything;
- a **unit admin** sees and manages the own unit: its branches and people;
- a **secretary** sees the own branch (its members, their progress) but does
  not edit accounts;
- a **member** sees the own record only.

Model permissions (what the admin offers) are given by role, in
``ROLE_PERMISSIONS``, which each app fills for its own models; row-level limits
come from the querysets below and from each app's scope module.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from .models import Branch, Role, Unit, User

ADMIN_ROLES = frozenset({Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.SECRETARY})

#: Model permissions each role holds, on top of any given in the database. Each app
#: registers its own (``register_role_permissions`` from its ``AppConfig.ready``), so
#: at runtime this merged table is the one source; the foundation names no feature.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {role: frozenset() for role in Role}


def register_role_permissions(role: str, permissions) -> None:
    """Adds ``permissions`` (``"app_label.codename"``) to what ``role`` holds.
    Idempotent: registering the same set twice changes nothing."""
    ROLE_PERMISSIONS[role] = ROLE_PERMISSIONS.get(role, frozenset()) | frozenset(permissions)


#: The org tree's own model permissions (registered by ``AccountsConfig.ready``).
ACCOUNTS_ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CITY_ADMIN: frozenset(
        {
            "accounts.view_unit",
            "accounts.add_unit",
            "accounts.change_unit",
            "accounts.delete_unit",
            "accounts.view_branch",
            "accounts.add_branch",
            "accounts.change_branch",
            "accounts.delete_branch",
            "accounts.view_user",
            "accounts.add_user",
            "accounts.change_user",
        }
    ),
    Role.UNIT_ADMIN: frozenset(
        {
            "accounts.view_unit",
            "accounts.view_branch",
            "accounts.add_branch",
            "accounts.change_branch",
            "accounts.view_user",
            "accounts.add_user",
            "accounts.change_user",
        }
    ),
    Role.SECRETARY: frozenset({"accounts.view_branch", "accounts.view_user"}),
}

UserLike = User | AnonymousUser


def is_city_admin(user: UserLike) -> bool:
    return bool(
        user.is_active and (user.is_superuser or getattr(user, "role", None) == Role.CITY_ADMIN)
    )


def role_permissions(user: UserLike) -> frozenset[str]:
    if not user.is_active or user.is_anonymous:
        return frozenset()
    if is_city_admin(user):
        return ROLE_PERMISSIONS[Role.CITY_ADMIN]
    return ROLE_PERMISSIONS.get(user.role, frozenset())


def can_use_admin(user: UserLike) -> bool:
    return bool(
        user.is_active and user.is_authenticated and (user.is_superuser or user.role in ADMIN_ROLES)
    )


# --- what a user may see ----------------------------------------------------------


def units_visible_to(user: UserLike) -> QuerySet[Unit]:
    if is_city_admin(user):
        return Unit.objects.all()
    if not user.is_active or user.is_anonymous or user.unit_id is None:
        return Unit.objects.none()
    return Unit.objects.filter(pk=user.unit_id)


def branches_visible_to(user: UserLike) -> QuerySet[Branch]:
    if is_city_admin(user):
        return Branch.objects.all()
    if not user.is_active or user.is_anonymous:
        return Branch.objects.none()
    if user.role == Role.UNIT_ADMIN:
        return Branch.objects.filter(unit_id=user.unit_id)
    if user.branch_id is None:
        return Branch.objects.none()
    return Branch.objects.filter(pk=user.branch_id)


def members_visible_to(user: UserLike) -> QuerySet[User]:
    """People whose records (profile, points, progress) the user may read."""
    if is_city_admin(user):
        return User.objects.all()
    if not user.is_active or user.is_anonymous:
        return User.objects.none()
    if user.role == Role.UNIT_ADMIN:
        return User.objects.filter(unit_id=user.unit_id)
    if user.role == Role.SECRETARY:
        return User.objects.filter(branch_id=user.branch_id)
    return User.objects.filter(pk=user.pk)


def can_view_study_reports(user: UserLike) -> bool:
    """Secretaries and admins supervise study; members see only their own."""
    return bool(
        user.is_active and user.is_authenticated and (user.is_superuser or user.role in ADMIN_ROLES)
    )


def study_audience_visible_to(user: UserLike) -> QuerySet[User]:
    """The people in the user's scope who are expected to study: active, in a branch."""
    return members_visible_to(user).filter(is_active=True, branch__isnull=False)


# --- what a user may manage -------------------------------------------------------


def units_manageable_by(user: UserLike) -> QuerySet[Unit]:
    if is_city_admin(user):
        return Unit.objects.all()
    if user.is_active and getattr(user, "role", None) == Role.UNIT_ADMIN:
        return Unit.objects.filter(pk=user.unit_id)
    return Unit.objects.none()


def branches_manageable_by(user: UserLike) -> QuerySet[Branch]:
    if is_city_admin(user):
        return Branch.objects.all()
    if user.is_active and getattr(user, "role", None) == Role.UNIT_ADMIN:
        return Branch.objects.filter(unit_id=user.unit_id)
    return Branch.objects.none()


def assignable_roles(user: UserLike) -> list[Role]:
    """Roles the user may give to an account."""
    if is_city_admin(user):
        return list(Role)
    if user.is_active and getattr(user, "role", None) == Role.UNIT_ADMIN:
        return [Role.MEMBER, Role.SECRETARY]
    return []


def members_manageable_by(user: UserLike) -> QuerySet[User]:
    """Accounts the user may edit (and award point corrections to)."""
    if is_city_admin(user):
        return User.objects.all()
    if user.is_active and getattr(user, "role", None) == Role.UNIT_ADMIN:
        return User.objects.filter(unit_id=user.unit_id, role__in=assignable_roles(user))
    return User.objects.none()


def can_manage_member(user: UserLike, member: User) -> bool:
    return members_manageable_by(user).filter(pk=member.pk).exists()
