"""Writes for contests: making one from a quiz, building its room, recording
accepted answers and final results (which feed the points ledger)."""

import random
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts import scope
from backend.accounts.models import User
from backend.points.services import points_award
from quizzes.models import Question, QuestionKind, Quiz
from quizzes.services import QuizError, draw_questions

from . import engine
from .models import Contest, ContestAnswer, ContestFormat, ContestResult, ContestStatus


class ContestError(Exception):
    """A refused action; the message is fit to show."""


def can_host(user: User) -> bool:
    """Secretaries and admins hold contests."""
    return scope.can_use_admin(user)


def _new_pin() -> str:
    for _attempt in range(20):
        pin = f"{secrets.randbelow(900_000) + 100_000}"
        if not Contest.objects.filter(pin=pin).exclude(status=ContestStatus.FINISHED).exists():
            return pin
    raise ContestError(_("No free PIN right now; try again."))


@transaction.atomic
def contest_create(
    *,
    host: User,
    quiz: Quiz,
    format: str = ContestFormat.CLASSIC,
    allow_guests: bool = False,
    question_on_screen_only: bool = False,
    seconds_per_question: int = 20,
    points_per_question: int = 1000,
) -> Contest:
    """Makes a contest from ``quiz`` (its questions drawn once, in order)."""
    if not can_host(host):
        raise ContestError(_("Only secretaries and admins hold contests."))
    if not 5 <= seconds_per_question <= 300:
        raise ContestError(_("Allow 5 to 300 seconds per question."))
    try:
        drawn = draw_questions(quiz, random.Random(secrets.randbits(32)))  # noqa: S311
    except QuizError as exc:
        raise ContestError(str(exc)) from None
    if not drawn:
        raise ContestError(_("The quiz has no questions."))
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return Contest.objects.create(
                    quiz=quiz,
                    host=host,
                    title=quiz.title,
                    pin=_new_pin(),
                    format=format,
                    allow_guests=allow_guests,
                    question_on_screen_only=question_on_screen_only,
                    seconds_per_question=seconds_per_question,
                    points_per_question=points_per_question,
                    question_ids=[d.question.pk for d in drawn],
                )
        except IntegrityError:
            continue  # two contests drew the same PIN at once
    raise ContestError(_("No free PIN right now; try again."))


def _engine_question(question: Question, contest: Contest) -> engine.Question:
    if question.kind == QuestionKind.TRUEFALSE:
        options = [{"key": "true", "text": "正确"}, {"key": "false", "text": "错误"}]
        key = ["true" if question.answer[0] else "false"]
    elif question.kind == QuestionKind.FILL:
        options, key = [], question.answer
    else:
        options = [
            {"key": chr(ord("A") + i), "text": text} for i, text in enumerate(question.options)
        ]
        key = list(question.answer)
    return engine.Question(
        id=question.pk,
        kind=question.kind,
        text=question.stem,
        options=options,
        key=key,
        points=contest.points_per_question,
        duration_ms=contest.seconds_per_question * 1000,
    )


def contest_room(contest: Contest, *, fresh: bool = False) -> engine.Room:
    """The engine room for ``contest``: as saved at its last reveal, or fresh."""
    if contest.snapshot and not fresh:
        return engine.room_from_dict(contest.snapshot)
    questions = Question.objects.in_bulk(contest.question_ids)
    return engine.Room(
        code=contest.pin,
        questions=[_engine_question(questions[pk], contest) for pk in contest.question_ids],
        format=contest.format,
        screen_only=contest.question_on_screen_only,
    )


@transaction.atomic
def contest_checkpoint(*, contest: Contest, room: engine.Room) -> None:
    """At a reveal: the question's accepted answers and a snapshot of the room, so a
    restarted worker carries on from here."""
    contest_record_answers(contest=contest, room=room, seq=room.seq)
    Contest.objects.filter(pk=contest.pk).update(snapshot=engine.room_to_dict(room))


def contest_record_answers(*, contest: Contest, room: engine.Room, seq: int) -> int:
    """Writes the accepted answers of question ``seq`` (bulk; repeats are ignored)."""
    question_id = room.questions[seq - 1].id
    rows = [
        ContestAnswer(
            contest=contest,
            player=answer.player,
            seq=seq,
            question_id=question_id,
            response=answer.response,
            at=answer.at,
            elapsed_ms=answer.elapsed_ms,
        )
        for answer in room.answers.values()
        if answer.seq == seq
    ]
    ContestAnswer.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


@transaction.atomic
def contest_record_results(*, contest: Contest, room: engine.Room) -> None:
    """The final ranking; members who answered earn the participation points."""
    for seq in range(1, room.seq + 1):
        contest_record_answers(contest=contest, room=room, seq=seq)
    table = engine.standings(room)
    ContestResult.objects.filter(contest=contest).delete()
    members = {f"u{u.pk}": u for u in User.objects.filter(pk__in=_member_ids(table))}
    ContestResult.objects.bulk_create(
        ContestResult(
            contest=contest,
            player=s.player,
            member=members.get(s.player),
            name=s.name,
            team=s.team or "",
            rank=s.rank,
            score=s.score,
            correct=s.correct,
            answered=s.answered,
        )
        for s in table.values()
    )
    for standing in table.values():
        member = members.get(standing.player)
        if member is not None and standing.answered:
            points_award(
                member=member, kind="contest_participation", source_key=f"contest:{contest.pk}"
            )
    contest.status = ContestStatus.FINISHED
    contest.finished_at = timezone.now()
    contest.snapshot = engine.room_to_dict(room)
    contest.save(update_fields=["status", "finished_at", "snapshot"])


def _member_ids(table) -> list[int]:
    return [int(pid[1:]) for pid in table if pid.startswith("u") and pid[1:].isdigit()]


def contest_replay(contest: Contest) -> engine.Room:
    """The finished room rebuilt from the stored answers and results alone: for
    exports and audits (an offline recount, independent of the snapshot)."""
    room = contest_room(contest, fresh=True)
    for answer in contest.answers.all():
        room.answers[f"{answer.seq}:{answer.player}"] = engine.Answer(
            answer.player, answer.seq, answer.response, answer.at, answer.elapsed_ms
        )
    for result in contest.results.all():
        room.players[result.player] = engine.Player(result.player, result.name, result.team or None)
    room.seq = max((a.seq for a in room.answers.values()), default=0)
    room.phase = engine.FINISHED
    return room
