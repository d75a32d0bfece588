"""
Who may use and manage question banks and quizzes: the quizzes app's own rules,
built on the org tree's functions in ``backend.accounts.scope``.

- a **city admin** manages every bank and quiz;
- a **unit admin** manages the own unit's banks and the quizzes addressed to the
  own unit or its branches;
- everyone practises from the city's banks and the own unit's;
- a quiz is addressed to the whole city, a unit or a branch (``quizzes_open_to``);
  a contest paper (竞赛题) is for live contests and is not taken as a quiz.
"""

from django.db.models import Q, QuerySet

from backend.accounts.models import Role
from backend.accounts.scope import UserLike, is_city_admin

from .models import QuestionBank, Quiz, QuizPurpose

#: Banks and quizzes in the admin: city admins manage all, unit admins their own
#: unit's (rows limited by ``banks_manageable_by`` / ``quizzes_manageable_by``).
QUIZ_ADMIN_PERMISSIONS = frozenset(
    f"quizzes.{action}_{model}"
    for action in ("view", "add", "change", "delete")
    for model in ("questionbank", "question", "quiz", "quizquestion")
)

#: Registered by ``QuizzesConfig.ready``.
ROLE_PERMISSIONS = {
    Role.CITY_ADMIN: QUIZ_ADMIN_PERMISSIONS,
    Role.UNIT_ADMIN: QUIZ_ADMIN_PERMISSIONS,
}


def _is_unit_admin(user: UserLike) -> bool:
    return bool(user.is_active and getattr(user, "role", None) == Role.UNIT_ADMIN)


def banks_usable_by(user: UserLike) -> QuerySet[QuestionBank]:
    """Banks whose questions the user may practise (and host): the city's and the
    own unit's."""
    if is_city_admin(user):
        return QuestionBank.objects.all()
    if not user.is_active or user.is_anonymous:
        return QuestionBank.objects.none()
    return QuestionBank.objects.filter(Q(unit__isnull=True) | Q(unit_id=user.unit_id))


def can_manage_banks(user: UserLike) -> bool:
    return is_city_admin(user) or _is_unit_admin(user)


def banks_manageable_by(user: UserLike) -> QuerySet[QuestionBank]:
    if is_city_admin(user):
        return QuestionBank.objects.all()
    if _is_unit_admin(user):
        return QuestionBank.objects.filter(unit_id=user.unit_id)
    return QuestionBank.objects.none()


def quizzes_manageable_by(user: UserLike) -> QuerySet[Quiz]:
    if is_city_admin(user):
        return Quiz.objects.all()
    if _is_unit_admin(user):
        return Quiz.objects.filter(
            Q(audience_unit_id=user.unit_id) | Q(audience_branch__unit_id=user.unit_id)
        )
    return Quiz.objects.none()


def quizzes_open_to(user: UserLike) -> QuerySet[Quiz]:
    """Quizzes addressed to the user: the whole city, the own unit or the own branch."""
    if not user.is_active or user.is_anonymous:
        return Quiz.objects.none()
    return Quiz.objects.filter(
        Q(audience_unit__isnull=True, audience_branch__isnull=True)
        | Q(audience_unit_id=user.unit_id, audience_unit__isnull=False)
        | Q(audience_branch_id=user.branch_id, audience_branch__isnull=False)
    )


def quizzes_to_take(user: UserLike) -> QuerySet[Quiz]:
    """Quizzes addressed to the user that are taken as quizzes: not contest papers
    (竞赛题), whose answers a member must not learn before the contest."""
    return quizzes_open_to(user).exclude(purpose=QuizPurpose.CONTEST)
