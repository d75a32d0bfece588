"""Reads for quizzes and practice."""

from datetime import datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from backend.accounts.models import User

from . import scope
from .models import Attempt, AttemptStatus, Mistake, Question, Quiz, QuizStatus


def quizzes_for_member(*, member: User, now: datetime | None = None) -> QuerySet[Quiz]:
    """Published quizzes addressed to the member and open now, with the member's
    attempt count."""
    now = now or timezone.now()
    quizzes = (
        scope.quizzes_to_take(member)
        .filter(status=QuizStatus.PUBLISHED)
        .filter(Q(opens_at__isnull=True) | Q(opens_at__lte=now))
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
    )
    return with_attempts_used(quizzes, member=member).order_by("closes_at", "-created_at")


def with_attempts_used(quizzes: QuerySet[Quiz], *, member: User) -> QuerySet[Quiz]:
    """``quizzes`` annotated with ``attempts_used``: the member's attempts at each."""
    mine = (
        Attempt.objects.filter(quiz=OuterRef("pk"), member=member)
        .order_by()
        .values("quiz")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return quizzes.annotate(attempts_used=Coalesce(Subquery(mine), 0))


#: An explained answer links to the lecture it cites (``sources.source_link``): load
#: the lecture with the question, without its long text.
CITED_LECTURE_TEXT = ("question__lecture__body", "question__lecture__body_html")


def attempt_for_member(*, member: User, pk: int) -> Attempt:
    """The member's own attempt, with its questions (and the lectures they cite)
    loaded (two queries)."""
    attempt = get_object_or_404(
        Attempt.objects.select_related("quiz", "lecture")
        .defer("lecture__body", "lecture__body_html")
        .filter(member=member),
        pk=pk,
    )
    attempt.loaded_items = list(
        attempt.items.select_related("question__lecture")
        .defer(*CITED_LECTURE_TEXT)
        .order_by("position")
    )
    return attempt


def practice_categories(*, member: User) -> list[dict]:
    rows = (
        Question.objects.filter(bank__in=scope.banks_usable_by(member), is_active=True)
        .values("category")
        .annotate(count=Count("pk"))
        .order_by("category")
    )
    return [{"name": row["category"], "count": row["count"]} for row in rows]


def mistakes_for_member(*, member: User, include_resolved: bool = False) -> QuerySet[Mistake]:
    mistakes = (
        Mistake.objects.filter(member=member)
        .select_related("question__lecture")
        .defer(*CITED_LECTURE_TEXT)
    )
    if not include_resolved:
        mistakes = mistakes.filter(resolved_at__isnull=True)
    return mistakes.order_by("-last_wrong_at")


def attempts_of_member(*, member: User) -> QuerySet[Attempt]:
    return (
        Attempt.objects.filter(member=member)
        .exclude(status=AttemptStatus.OPEN, deadline__isnull=True, finished_at__isnull=True)
        .select_related("quiz", "lecture")
        .defer("lecture__body", "lecture__body_html")
        .order_by("-started_at")
    )
