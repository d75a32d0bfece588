"""
Writes for quizzes and practice: starting attempts (drawn with a seed, so an
attempt can be replayed), saving answers against the server's deadline,
submitting exactly once, closing overdue attempts, the mistakes notebook.

Times come in as ``now`` (default: the server clock); a phone's clock is never
consulted.
"""

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.points.services import points_award
from courses.models import Lecture

from . import rules as drawing
from . import scope, scoring
from .models import (
    Attempt,
    AttemptKind,
    AttemptQuestion,
    AttemptStatus,
    Mistake,
    Question,
    QuestionKind,
    Quiz,
    QuizStatus,
)

DAILY_COUNT = 5
PRACTICE_COUNT = 10
#: An abandoned practice session is closed (and graded) after this long.
PRACTICE_LIFETIME = timedelta(hours=24)


class QuizError(Exception):
    """A refused action. ``code`` is for clients (``closed``, ``late``, ``invalid``,
    ``answered``, ``not_open``, ``no_attempts_left``, ``no_questions``); the message
    is for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


# --- drawing ---


@dataclass(frozen=True)
class Drawn:
    question: Question
    points: int


def _draw_by_rules(quiz: Quiz, rng: random.Random) -> list[Drawn]:
    """A draw by ``quizzes.rules``: it never fails where ``quizzes.papers`` said the
    banks can fill the rules (both rest on ``rules.allocate``). Two queries."""
    from . import papers  # papers builds on this module's QuizError

    unfillable = QuizError(
        "no_questions", _("The bank has too few questions for this paper; tell the organiser.")
    )
    try:
        parsed = drawing.parse_rules(quiz.rules)
    except drawing.RuleErrors:
        raise unfillable from None
    picked = drawing.draw(parsed, papers.candidates(banks=quiz.banks.all()), rng)
    if picked is None:
        raise unfillable
    by_id = Question.objects.in_bulk([pk for ids in picked for pk in ids])
    return [
        Drawn(by_id[pk], rule.points)
        for rule, ids in zip(parsed, picked, strict=True)
        for pk in ids
    ]


def draw_questions(quiz: Quiz, rng: random.Random) -> list[Drawn]:
    """The paper for one attempt: the fixed list (shuffled if the quiz says so) or
    a draw by the rules. The same seed gives the same paper."""
    if quiz.rules:
        return _draw_by_rules(quiz, rng)
    drawn = [Drawn(item.question, item.points) for item in quiz.items.select_related("question")]
    if quiz.shuffle_questions:
        rng.shuffle(drawn)
    return drawn


def _option_order(question: Question, rng: random.Random, shuffle: bool) -> list[str]:
    keys = question.option_keys
    if shuffle and question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        rng.shuffle(keys)
    return keys


def _create_attempt(
    *,
    member: User,
    kind: str,
    drawn: list[Drawn],
    seed: int,
    rng: random.Random,
    now: datetime,
    quiz: Quiz | None = None,
    deadline: datetime | None = None,
    shuffle_options: bool = True,
    **fields,
) -> Attempt:
    if not drawn:
        raise QuizError("no_questions", _("There are no questions to practise here yet."))
    attempt = Attempt.objects.create(
        member=member,
        kind=kind,
        quiz=quiz,
        seed=seed,
        started_at=now,
        deadline=deadline,
        max_score=sum(d.points for d in drawn),
        **fields,
    )
    AttemptQuestion.objects.bulk_create(
        AttemptQuestion(
            attempt=attempt,
            question=d.question,
            position=position,
            points=d.points,
            option_order=_option_order(d.question, rng, shuffle_options),
        )
        for position, d in enumerate(drawn, start=1)
    )
    return attempt


# --- quizzes ---


def quiz_check_open(*, quiz: Quiz, member: User, now: datetime) -> None:
    """Raises QuizError unless ``member`` may start ``quiz`` now."""
    if (
        quiz.status != QuizStatus.PUBLISHED
        or not scope.quizzes_to_take(member).filter(pk=quiz.pk).exists()
    ):
        raise QuizError("not_open", _("This quiz is not open to you."))
    if quiz.opens_at and now < quiz.opens_at:
        raise QuizError("not_open", _("This quiz has not opened yet."))
    if quiz.closes_at and now >= quiz.closes_at:
        raise QuizError("not_open", _("This quiz has closed."))


@transaction.atomic
def attempt_start(*, member: User, quiz: Quiz, now: datetime | None = None) -> Attempt:
    """Starts an attempt, or returns the member's attempt still in progress."""
    now = now or timezone.now()
    User.objects.select_for_update().filter(pk=member.pk).first()  # one start at a time
    running = Attempt.objects.filter(member=member, quiz=quiz, status=AttemptStatus.OPEN).first()
    if running is not None and (running.deadline is None or running.deadline > now):
        return running
    if running is not None:
        _finish(running, now=now, auto=True)
    quiz_check_open(quiz=quiz, member=member, now=now)
    used = Attempt.objects.filter(member=member, quiz=quiz).count()
    if quiz.max_attempts is not None and used >= quiz.max_attempts:
        raise QuizError("no_attempts_left", _("You have used all attempts at this quiz."))
    seed = secrets.randbits(48)
    rng = random.Random(seed)  # noqa: S311 (a replayable draw, not a secret)
    deadline = None
    if quiz.time_limit_minutes:
        deadline = now + timedelta(minutes=quiz.time_limit_minutes)
    if quiz.closes_at and (deadline is None or quiz.closes_at < deadline):
        deadline = quiz.closes_at
    return _create_attempt(
        member=member,
        kind=AttemptKind.QUIZ,
        quiz=quiz,
        drawn=draw_questions(quiz, rng),
        seed=seed,
        rng=rng,
        now=now,
        deadline=deadline,
        shuffle_options=quiz.shuffle_options,
    )


# --- practice ---


def _end_of_day(now: datetime) -> datetime:
    """Today's practice is today's: it closes at local midnight."""
    local = timezone.localtime(now)
    return local.replace(hour=23, minute=59, second=59, microsecond=999999)


def _practice_pool(member: User):
    return Question.objects.filter(bank__in=scope.banks_usable_by(member), is_active=True)


@transaction.atomic
def daily_practice_start(*, member: User, now: datetime | None = None) -> Attempt:
    """Today's five questions (the same five all day): first the notebook's open
    mistakes, then questions never seen, then the rest."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    existing = Attempt.objects.filter(member=member, kind=AttemptKind.DAILY, day=day).first()
    if existing is not None:
        return existing
    seed = secrets.randbits(48)
    rng = random.Random(seed)  # noqa: S311
    pool = _practice_pool(member)
    wrong = list(
        pool.filter(mistakes__member=member, mistakes__resolved_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    seen = AttemptQuestion.objects.filter(attempt__member=member).values("question_id")
    unseen = list(pool.exclude(pk__in=seen).values_list("pk", flat=True))
    rest = list(pool.filter(pk__in=seen).values_list("pk", flat=True))
    chosen: list[int] = []
    for group, limit in ((wrong, 2), (unseen, DAILY_COUNT), (rest, DAILY_COUNT)):
        group = [pk for pk in sorted(set(group)) if pk not in chosen]
        chosen += rng.sample(group, min(len(group), limit, DAILY_COUNT - len(chosen)))
    questions = Question.objects.in_bulk(chosen)
    return _create_attempt(
        member=member,
        kind=AttemptKind.DAILY,
        drawn=[Drawn(questions[pk], 1) for pk in chosen],
        seed=seed,
        rng=rng,
        now=now,
        day=day,
        deadline=_end_of_day(now),
    )


def _unseen_first(member: User, pool, rng: random.Random) -> list[int]:
    """Up to ``PRACTICE_COUNT`` ids drawn from ``pool``: those the member has never
    been asked first, then the others."""
    seen = set(
        AttemptQuestion.objects.filter(attempt__member=member).values_list("question_id", flat=True)
    )
    ids = list(pool.order_by("pk").values_list("pk", flat=True))
    unseen = [pk for pk in ids if pk not in seen]
    chosen = rng.sample(unseen, min(len(unseen), PRACTICE_COUNT))
    others = [pk for pk in ids if pk not in chosen]
    return chosen + rng.sample(others, min(len(others), PRACTICE_COUNT - len(chosen)))


def _practice_attempt(
    *, member: User, kind: str, pool, now: datetime, empty: str | None = None, **fields
) -> Attempt:
    """A practice attempt of up to ``PRACTICE_COUNT`` questions of ``pool``, unseen
    ones first, open for ``PRACTICE_LIFETIME``. ``empty`` replaces the generic
    ``no_questions`` message when the pool has nothing to draw."""
    seed = secrets.randbits(48)
    rng = random.Random(seed)  # noqa: S311
    chosen = _unseen_first(member, pool, rng)
    if not chosen and empty is not None:
        raise QuizError("no_questions", empty)
    questions = Question.objects.in_bulk(chosen)
    return _create_attempt(
        member=member,
        kind=kind,
        drawn=[Drawn(questions[pk], 1) for pk in chosen],
        seed=seed,
        rng=rng,
        now=now,
        deadline=now + PRACTICE_LIFETIME,
        **fields,
    )


@transaction.atomic
def special_practice_start(*, member: User, category: str, now: datetime | None = None) -> Attempt:
    """Ten questions of one category (专项练习), unseen ones first."""
    now = now or timezone.now()
    pool = _practice_pool(member).filter(category=category)
    return _practice_attempt(
        member=member, kind=AttemptKind.SPECIAL, pool=pool, now=now, category=category
    )


@transaction.atomic
def mistakes_practice_start(*, member: User, now: datetime | None = None) -> Attempt:
    """Up to ten open mistakes from the notebook, the most recent first."""
    now = now or timezone.now()
    seed = secrets.randbits(48)
    rng = random.Random(seed)  # noqa: S311
    mistakes = (
        Mistake.objects.filter(member=member, resolved_at__isnull=True)
        .select_related("question")
        .order_by("-last_wrong_at")[:PRACTICE_COUNT]
    )
    return _create_attempt(
        member=member,
        kind=AttemptKind.MISTAKES,
        drawn=[Drawn(m.question, 1) for m in mistakes],
        seed=seed,
        rng=rng,
        now=now,
        deadline=now + PRACTICE_LIFETIME,
    )


def lecture_questions(member: User, lecture_id: int):
    """The questions citing the lecture that ``member`` may practise (学完测一测)."""
    return _practice_pool(member).filter(lecture_id=lecture_id)


@transaction.atomic
def lecture_practice_start(
    *, member: User, lecture: Lecture, now: datetime | None = None
) -> Attempt:
    """学完测一测: up to ten of the questions citing ``lecture`` (unseen ones first),
    answered with feedback like special practice. A practice of the lecture still
    open is returned instead of a second one. Refused (``not_found``) for a lecture
    members cannot see, ``no_questions`` when none cites it."""
    now = now or timezone.now()
    if not Lecture.objects.published(now).filter(pk=lecture.pk).exists():
        raise QuizError("not_found", _("No such lecture."))
    User.objects.select_for_update().filter(pk=member.pk).first()  # one start at a time
    running = Attempt.objects.filter(
        member=member,
        kind=AttemptKind.LECTURE,
        lecture=lecture,
        status=AttemptStatus.OPEN,
        deadline__gt=now,
    ).first()
    if running is not None:
        return running
    return _practice_attempt(
        member=member,
        kind=AttemptKind.LECTURE,
        pool=lecture_questions(member, lecture.pk),
        now=now,
        empty=_("No questions cite this lecture yet."),
        lecture=lecture,
    )


# --- answers ---


def response_from_client(item: AttemptQuestion, data: dict) -> dict:
    """Checks a client's answer for ``item`` and maps its display letters back
    to the bank's option keys. Raises QuizError("invalid") with the reason."""
    kind = item.question.kind
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUEFALSE):
        choices = data.get("choices")
        if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
            raise QuizError("invalid", _("Answer with a list of option keys in “choices”."))
        if kind == QuestionKind.TRUEFALSE:
            if len(choices) != 1 or choices[0] not in ("true", "false"):
                raise QuizError("invalid", _("Answer true-or-false with “true” or “false”."))
            return {"choices": choices}
        display = [chr(ord("A") + i) for i in range(len(item.option_order))]
        if len(set(choices)) != len(choices) or any(c not in display for c in choices):
            raise QuizError("invalid", _("That option does not exist."))
        if kind == QuestionKind.SINGLE and len(choices) > 1:
            raise QuizError("invalid", _("Choose one option."))
        mapping = dict(zip(display, item.option_order, strict=True))
        return {"choices": sorted(mapping[c] for c in choices)}
    blanks = data.get("blanks")
    if blanks is None and isinstance(data.get("text"), str):
        blanks = [data["text"]]
    expected = len(item.question.answer)
    if (
        not isinstance(blanks, list)
        or len(blanks) != expected
        or not all(isinstance(b, str) and len(b) <= 200 for b in blanks)
    ):
        raise QuizError(
            "invalid", _("Fill in %(n)d blank(s) (“blanks”: a list of texts).") % {"n": expected}
        )
    return {"blanks": [b.strip() for b in blanks]}


def _grade_item(item: AttemptQuestion) -> None:
    result = scoring.grade(item.question.kind, item.question.answer, item.response)
    item.correct = result.correct
    item.points_awarded = Decimal(str(scoring.points_for(result, item.points)))


def _note_mistakes(member: User, items: list[AttemptQuestion], now: datetime) -> None:
    """Wrong answers go into the notebook; an open mistake is resolved after two
    right answers in a row."""
    question_ids = [item.question_id for item in items]
    notebook = {
        m.question_id: m
        for m in Mistake.objects.filter(member=member, question_id__in=question_ids)
    }
    for item in items:
        mistake = notebook.get(item.question_id)
        if not item.correct:
            if mistake is None:
                Mistake.objects.create(
                    member=member, question_id=item.question_id, last_wrong_at=now
                )
            else:
                mistake.wrong_count += 1
                mistake.right_streak = 0
                mistake.resolved_at = None
                mistake.last_wrong_at = now
                mistake.save()
        elif mistake is not None and mistake.resolved_at is None:
            mistake.right_streak += 1
            if mistake.right_streak >= 2:
                mistake.resolved_at = now
            mistake.save()


def _locked_open_attempt(attempt_id: int, member: User, now: datetime) -> Attempt:
    attempt = Attempt.objects.select_for_update().filter(pk=attempt_id, member=member).first()
    if attempt is None:
        raise QuizError("not_found", _("No such attempt."))
    if attempt.status != AttemptStatus.OPEN:
        raise QuizError("closed", _("This attempt is already closed."))
    return attempt


@transaction.atomic
def answer_save(
    *, attempt_id: int, member: User, question_id: int, data: dict, now: datetime | None = None
) -> AttemptQuestion:
    """
    Saves (autosaves) one answer; saving the same answer again changes nothing.
    Refused, and not stored, once the attempt is closed or its deadline has
    passed by the server's clock. In practice the first answer is final and is
    graded at once (the reply then carries the correct answer and explanation).
    """
    now = now or timezone.now()
    attempt = _locked_open_attempt(attempt_id, member, now)
    if attempt.deadline is not None and now > attempt.deadline:
        raise QuizError("late", _("Time is up; this answer came after the deadline."))
    item = (
        attempt.items.select_related("question__lecture")
        .defer("question__lecture__body", "question__lecture__body_html")
        .filter(question_id=question_id)
        .first()
    )
    if item is None:
        raise QuizError("not_found", _("This question is not part of the attempt."))
    response = response_from_client(item, data)
    if attempt.is_practice:
        if item.correct is not None:
            if item.response == response:
                return item  # a retry of the same answer
            raise QuizError("answered", _("This question has been answered already."))
        item.response, item.saved_at = response, now
        _grade_item(item)
        item.save(update_fields=["response", "saved_at", "correct", "points_awarded"])
        _note_mistakes(member, [item], now)
        if attempt.kind == AttemptKind.DAILY and item.correct:
            points_award(
                member=member,
                kind="daily_practice",
                source_key=f"practice:{attempt.pk}:{item.question_id}",
                now=now,
            )
        if not attempt.items.filter(correct__isnull=True).exists():
            _finish(attempt, now=now, auto=False)
        return item
    if item.response != response:
        item.response, item.saved_at = response, now
        item.save(update_fields=["response", "saved_at"])
    return item


# --- finishing ---


def _finish(attempt: Attempt, *, now: datetime, auto: bool) -> Attempt:
    """Grades what was saved and closes the attempt. Call with the row locked.
    An attempt closed after its deadline finishes at the deadline."""
    items = list(attempt.items.select_related("question"))
    to_grade = [item for item in items if item.correct is None]
    for item in to_grade:
        _grade_item(item)
    AttemptQuestion.objects.bulk_update(to_grade, ["correct", "points_awarded"])
    if not attempt.is_practice:
        _note_mistakes(attempt.member, [i for i in items if i.response is not None], now)
    overdue = attempt.deadline is not None and now > attempt.deadline
    attempt.score = sum((item.points_awarded or Decimal(0)) for item in items)
    attempt.finished_at = attempt.deadline if overdue else now
    attempt.status = AttemptStatus.EXPIRED if (overdue or auto) else AttemptStatus.SUBMITTED
    if attempt.quiz_id is not None and attempt.max_score:
        attempt.passed = attempt.score * 100 >= attempt.max_score * attempt.quiz.pass_percent
        if attempt.passed and attempt.quiz.pass_points:
            points_award(
                member=attempt.member,
                kind="quiz_pass",
                source_key=f"quiz:{attempt.quiz_id}",
                points=attempt.quiz.pass_points,
                now=attempt.finished_at,
            )
    attempt.save(update_fields=["score", "finished_at", "status", "passed"])
    return attempt


@transaction.atomic
def attempt_submit(*, attempt_id: int, member: User, now: datetime | None = None) -> Attempt:
    """Submits once: of two submits at once, the second finds the attempt closed."""
    now = now or timezone.now()
    attempt = _locked_open_attempt(attempt_id, member, now)
    return _finish(attempt, now=now, auto=False)


def attempts_close_overdue(*, now: datetime | None = None) -> int:
    """Closes every open attempt past its deadline, grading the saved answers;
    for the scheduled job (``manage.py close_overdue_attempts``)."""
    now = now or timezone.now()
    closed = 0
    overdue = Attempt.objects.filter(status=AttemptStatus.OPEN, deadline__lt=now)
    for pk in overdue.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            attempt = (
                Attempt.objects.select_for_update(of=("self",))
                .filter(pk=pk, status=AttemptStatus.OPEN)
                .select_related("quiz", "member")
                .first()
            )
            if attempt is not None:
                _finish(attempt, now=now, auto=True)
                closed += 1
    return closed
