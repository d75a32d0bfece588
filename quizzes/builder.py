"""
The quiz builder's writes (组卷): a quiz saved with its paper in one transaction.

A paper is either drawn by ``rules`` (``Quiz.rules``, version 1) or a fixed list
of questions (``QuizQuestion`` rows); saving one clears the other, so that
``services.draw_questions`` never meets both. Publishing and withdrawing are
``quizzes.papers.quiz_publish`` / ``quiz_unpublish``.
"""

from collections.abc import Sequence

from django.db import transaction

from backend.accounts.models import User

from .models import Question, Quiz, QuizQuestion


@transaction.atomic
def quiz_save(
    *,
    quiz: Quiz,
    user: User,
    banks: Sequence,
    rules: list[dict] | None = None,
    items: Sequence[tuple[Question, int]] | None = None,
) -> Quiz:
    """Saves ``quiz`` (its fields already set, validated by the caller's form) with
    its banks and its paper: ``rules`` for a drawn paper, or ``items`` — (question,
    points) in order — for a fixed one. ``created_by`` is set on create."""
    if (rules is None) == (items is None):
        raise ValueError("a paper is drawn by rules or fixed, not both")
    if quiz.pk is None:
        quiz.created_by = user
    quiz.rules = rules or []
    quiz.save()
    quiz.banks.set(banks)
    quiz.items.all().delete()
    if items:
        QuizQuestion.objects.bulk_create(
            QuizQuestion(quiz=quiz, question=question, position=i, points=points)
            for i, (question, points) in enumerate(items, start=1)
        )
    return quiz
