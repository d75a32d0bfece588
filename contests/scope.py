"""
Which quizzes a host may hold a live contest with: the contests app's rule,
built on the org tree (``backend.accounts.scope``) and the quizzes app's scoping
(``quizzes.scope``). The API (``POST /api/v1/contests/``, ``GET
/api/v1/quizzes/?host=1``), both contest forms and the create services all ask
here, so they list and accept the same quizzes.

A host may use a **published** quiz that is

1. **addressed within the host's reach** (every audience restriction it carries
   lies in the host's part of the tree):
   - a city admin: any quiz;
   - a unit admin: city-wide quizzes, quizzes for the own unit, and quizzes for
     one of its branches;
   - a secretary: city-wide quizzes, quizzes for the own unit (as a whole), and
     quizzes for the own branch;
2. **drawn from banks the host may use** (``quizzes.scope.banks_usable_by``: the
   city's and the own unit's; a city admin any): the quiz's banks and the banks
   of its fixed questions;
3. and **not an exam open right now**: a quiz of purpose ``exam`` that is
   published and inside its window (``opens_at`` ≤ now < ``closes_at``, either
   end open) is refused, since a contest reveals every answer and anyone signed
   in may join a room by its PIN, so the answers would reach people who may
   still take the exam. An admin over the quiz lifts this by ticking
   ``contest_while_open``; a practice test or a contest paper (竞赛题) is never
   an exam. A closed exam may be reused in contests.

Refusals are codes (``quiz_out_of_scope``, ``quiz_open_as_exam``); ``REFUSALS``
holds their texts.
"""

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Role
from backend.accounts.scope import UserLike, can_use_admin, is_city_admin
from quizzes.models import QuestionBank, Quiz, QuizPurpose, QuizStatus
from quizzes.scope import banks_usable_by

OUT_OF_SCOPE = "quiz_out_of_scope"
OPEN_AS_EXAM = "quiz_open_as_exam"

REFUSALS = {
    OUT_OF_SCOPE: _("This quiz is not one you may host."),
    OPEN_AS_EXAM: _(
        "This quiz is open as an exam right now; a contest would show its answers. "
        "An admin over it may allow it."
    ),
}


class HostingRefused(Exception):
    """The host may not hold a contest with this quiz; ``code`` says why."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(str(REFUSALS[code]))


def _addressed_within_reach(user: UserLike) -> Q | None:
    """The audiences a host reaches; None: none at all."""
    if is_city_admin(user):
        return Q()
    role = getattr(user, "role", None)
    unit_ok = Q(audience_unit__isnull=True) | Q(audience_unit_id=user.unit_id)
    if role == Role.UNIT_ADMIN and user.unit_id:
        return unit_ok & (
            Q(audience_branch__isnull=True) | Q(audience_branch__unit_id=user.unit_id)
        )
    if role == Role.SECRETARY and user.unit_id and user.branch_id:
        return unit_ok & (Q(audience_branch__isnull=True) | Q(audience_branch_id=user.branch_id))
    return Q(audience_unit__isnull=True, audience_branch__isnull=True)


def quizzes_in_hosting_scope(user: UserLike) -> QuerySet[Quiz]:
    """Published quizzes addressed within the host's reach, drawn from banks the
    host may use (rules 1 and 2), whether or not open as an exam."""
    if not can_use_admin(user):
        return Quiz.objects.none()
    quizzes = Quiz.objects.filter(_addressed_within_reach(user), status=QuizStatus.PUBLISHED)
    if not is_city_admin(user):
        unusable = QuestionBank.objects.exclude(pk__in=banks_usable_by(user).values("pk"))
        quizzes = quizzes.exclude(banks__in=unusable).exclude(items__question__bank__in=unusable)
    return quizzes


def _open_as_exam(now: datetime) -> Q:
    return (
        Q(purpose=QuizPurpose.EXAM, status=QuizStatus.PUBLISHED, contest_while_open=False)
        & (Q(opens_at__isnull=True) | Q(opens_at__lte=now))
        & (Q(closes_at__isnull=True) | Q(closes_at__gt=now))
    )


def quizzes_hostable_by(user: UserLike, *, now: datetime | None = None) -> QuerySet[Quiz]:
    """The quizzes ``user`` may hold a contest with now (the rule above)."""
    now = now or timezone.now()
    return quizzes_in_hosting_scope(user).exclude(_open_as_exam(now)).order_by("-created_at")


def hosting_refusal(user: UserLike, quiz: Quiz, *, now: datetime | None = None) -> str | None:
    """Why ``user`` may not host ``quiz`` now (a code of ``REFUSALS``), or None."""
    now = now or timezone.now()
    if not quizzes_in_hosting_scope(user).filter(pk=quiz.pk).exists():
        return OUT_OF_SCOPE
    if Quiz.objects.filter(_open_as_exam(now), pk=quiz.pk).exists():
        return OPEN_AS_EXAM
    return None


def check_hosting(user: UserLike, quiz: Quiz, *, now: datetime | None = None) -> None:
    """Raises ``HostingRefused`` unless ``user`` may host ``quiz`` now."""
    code = hosting_refusal(user, quiz, now=now)
    if code is not None:
        raise HostingRefused(code)
