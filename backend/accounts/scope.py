"""
Who may see and manage what: the one place that answers it.

Every selector, API view, admin class and consumer asks this module; nothing
else filters by the org tree on its own. The rules:

- a **city admin** (or a superuser) sees and manages everything;
- a **unit admin** sees and manages the own unit: its branches and people;
- a **secretary** sees the own branch (its members, their progress) but does
  not edit accounts;
- a **member** sees the own record only.

Model permissions (what the admin offers) are given by role, in
``ROLE_PERMISSIONS``; row-level limits come from the querysets below.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from .models import Branch, Role, Unit, User

ADMIN_ROLES = frozenset({Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.SECRETARY})

#: Banks and quizzes: city admins manage all, unit admins their own unit's
#: (rows limited by ``banks_manageable_by`` / ``quizzes_manageable_by``).
QUIZ_ADMIN_PERMISSIONS = frozenset(
    f"quizzes.{action}_{model}"
    for action in ("view", "add", "change", "delete")
    for model in ("questionbank", "question", "quiz", "quizquestion")
)

#: Model permissions each role holds, on top of any given in the database.
#: Later apps add their own entries here, so the table stays the one source.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
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
            "points.view_pointrule",
            "points.change_pointrule",
            "points.view_pointevent",
            "points.add_pointevent",
            "courses.view_lecture",
            "courses.add_lecture",
            "courses.change_lecture",
            "courses.delete_lecture",
            "courses.view_attachment",
            "courses.add_attachment",
            "courses.change_attachment",
            "courses.delete_attachment",
            "courses.view_readinglist",
            "courses.add_readinglist",
            "courses.change_readinglist",
            "courses.delete_readinglist",
            "courses.view_readingitem",
            "courses.add_readingitem",
            "courses.change_readingitem",
            "courses.delete_readingitem",
            *QUIZ_ADMIN_PERMISSIONS,
        }
    ),
    Role.UNIT_ADMIN: frozenset(
        {
            *QUIZ_ADMIN_PERMISSIONS,
            "accounts.view_unit",
            "accounts.view_branch",
            "accounts.add_branch",
            "accounts.change_branch",
            "accounts.view_user",
            "accounts.add_user",
            "accounts.change_user",
            "points.view_pointrule",
            "points.view_pointevent",
            "points.add_pointevent",
        }
    ),
    Role.SECRETARY: frozenset(
        {
            "accounts.view_branch",
            "accounts.view_user",
            "points.view_pointevent",
        }
    ),
    Role.MEMBER: frozenset(),
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


# --- question banks and quizzes ----------------------------------------------------


def banks_usable_by(user: UserLike):
    """Banks whose questions the user may practise: the city's and the own unit's."""
    from quizzes.models import QuestionBank

    if is_city_admin(user):
        return QuestionBank.objects.all()
    if not user.is_active or user.is_anonymous:
        return QuestionBank.objects.none()
    return QuestionBank.objects.filter(Q(unit__isnull=True) | Q(unit_id=user.unit_id))


def can_manage_banks(user: UserLike) -> bool:
    return is_city_admin(user) or bool(
        user.is_active and getattr(user, "role", None) == Role.UNIT_ADMIN
    )


def banks_manageable_by(user: UserLike):
    from quizzes.models import QuestionBank

    if is_city_admin(user):
        return QuestionBank.objects.all()
    if user.is_active and getattr(user, "role", None) == Role.UNIT_ADMIN:
        return QuestionBank.objects.filter(unit_id=user.unit_id)
    return QuestionBank.objects.none()


def quizzes_manageable_by(user: UserLike):
    from quizzes.models import Quiz

    if is_city_admin(user):
        return Quiz.objects.all()
    if user.is_active and getattr(user, "role", None) == Role.UNIT_ADMIN:
        return Quiz.objects.filter(
            Q(audience_unit_id=user.unit_id) | Q(audience_branch__unit_id=user.unit_id)
        )
    return Quiz.objects.none()


def quizzes_open_to(user: UserLike):
    """Quizzes addressed to the user: the whole city, the own unit or the own branch."""
    from quizzes.models import Quiz

    if not user.is_active or user.is_anonymous:
        return Quiz.objects.none()
    return Quiz.objects.filter(
        Q(audience_unit__isnull=True, audience_branch__isnull=True)
        | Q(audience_unit_id=user.unit_id, audience_unit__isnull=False)
        | Q(audience_branch_id=user.branch_id, audience_branch__isnull=False)
    )
