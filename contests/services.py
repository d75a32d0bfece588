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

from . import engine, formats, stage
from .models import (
    Contest,
    ContestAnswer,
    ContestDecision,
    ContestFormat,
    ContestResult,
    ContestStatus,
)

STAGE_ROUND_TITLES = {stage.BIDA: "必答题", stage.QIANGDA: "抢答题", stage.RISK: "风险题"}
MAX_TEAMS = 20  # a final has 3 to 8; a preliminary on stage may have more


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
    return _create_with_pin(
        quiz=quiz,
        host=host,
        title=quiz.title,
        format=format,
        allow_guests=allow_guests,
        question_on_screen_only=question_on_screen_only,
        seconds_per_question=seconds_per_question,
        points_per_question=points_per_question,
        question_ids=[d.question.pk for d in drawn],
    )


def _create_with_pin(**fields) -> Contest:
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return Contest.objects.create(pin=_new_pin(), **fields)
        except IntegrityError:
            continue  # two contests drew the same PIN at once
    raise ContestError(_("No free PIN right now; try again."))


def _clean_teams(teams: list[dict], host: User) -> list[dict]:
    """Teams as stored: ``{name, mode, captain, branch}``. A branch team (``branch``:
    an id the host may see) is named after its branch (with the unit's short name
    when two branches share a name); its members join it by their branch. An
    ad-hoc team has a name and no branch; players choose it when they join."""
    if not 2 <= len(teams) <= MAX_TEAMS:
        raise ContestError(_("Put 2 to %(max)d teams on stage.") % {"max": MAX_TEAMS})
    branch_ids = [t["branch"] for t in teams if t.get("branch")]
    branches = scope.branches_visible_to(host).select_related("unit").in_bulk(branch_ids)
    if len(branches) != len(set(branch_ids)):
        raise ContestError(_("A team's branch is not one you may choose."))
    clashing = {b.name for b in branches.values()}
    clashing = {n for n in clashing if sum(b.name == n for b in branches.values()) > 1}
    cleaned = []
    for team in teams:
        branch = branches.get(team.get("branch"))
        name = str(team.get("name") or "")
        if branch is not None and not name:
            short = branch.unit.short_name or branch.unit.name
            name = f"{short}{branch.name}" if branch.name in clashing else branch.name
        mode = team.get("mode", stage.CAPTAIN_MODE)
        if mode not in (stage.CAPTAIN_MODE, stage.MEMBERS_MODE):
            raise ContestError(_("A team plays from the captain's device or from every phone."))
        cleaned.append(
            {
                "name": " ".join(name.split())[:100],
                "mode": mode,
                "captain": team.get("captain"),
                "branch": branch.pk if branch is not None else None,
            }
        )
    names = [t["name"] for t in cleaned]
    if "" in names or len(set(names)) != len(names):
        raise ContestError(_("Every team needs a name of its own."))
    if len({t["branch"] for t in cleaned if t["branch"]}) != len(branch_ids):
        raise ContestError(_("A branch can field one team only."))
    return cleaned


def stage_team_for(contest: Contest, user: User | None, requested: str = "") -> str | None:
    """The team a player joins on stage: the team of the own branch, or else the
    ad-hoc team asked for; None: a spectator."""
    teams = contest.stage.get("teams", [])
    if user is not None and user.branch_id:
        for team in teams:
            if team.get("branch") == user.branch_id:
                return team["name"]
    ad_hoc = {t["name"] for t in teams if not t.get("branch")}
    return requested if requested in ad_hoc else None


@transaction.atomic
def contest_create_stage(
    *,
    host: User,
    quiz: Quiz,
    teams: list[dict],
    rounds: list[dict],
    title: str = "",
    base: int = 100,
    reserve: int = 3,
    allow_guests: bool = False,
) -> Contest:
    """Makes an on-stage contest (现场赛) from ``quiz``: ``teams`` are ``{branch
    (id) or name, mode ("captain"|"members"), captain?}`` (a team is normally a
    branch, whose members join it; see ``_clean_teams``); ``rounds`` are ``{format ("bida"|
    "qiangda"|"risk"), count, title?, rules?}`` in order (rules over
    ``stage.DEFAULT_RULES``). The questions are drawn once: each round's, then
    ``reserve`` more for a tie-break."""
    if not can_host(host):
        raise ContestError(_("Only secretaries and admins hold contests."))
    teams = _clean_teams(teams, host)
    if not 1 <= len(rounds) <= 6:
        raise ContestError(_("An on-stage contest has 1 to 6 rounds."))
    if not 0 <= base <= 10_000 or not 0 <= reserve <= 20:
        raise ContestError(_("The base score or the number of reserve questions is out of range."))
    for spec in rounds:
        if spec.get("format") not in STAGE_ROUND_TITLES:
            raise ContestError(_("A round is compulsory, buzzer or risk."))
        if not 1 <= int(spec.get("count", 0)) <= 50:
            raise ContestError(_("A round has 1 to 50 questions."))
        try:
            stage.RoundSpec(spec["format"], "", [], spec.get("rules") or {})
        except ValueError as exc:
            raise ContestError(_("Invalid round rules: %(error)s") % {"error": exc}) from None
    try:
        drawn = [d.question.pk for d in draw_questions(quiz, random.Random(secrets.randbits(32)))]  # noqa: S311
    except QuizError as exc:
        raise ContestError(str(exc)) from None
    need = sum(int(spec["count"]) for spec in rounds) + reserve
    if len(drawn) < need:
        raise ContestError(
            _("The quiz gives %(have)d questions; these rounds need %(need)d.")
            % {"have": len(drawn), "need": need}
        )
    config_rounds, position = [], 0
    for spec in rounds:
        count = int(spec["count"])
        config_rounds.append(
            {
                "format": spec["format"],
                "title": spec.get("title") or STAGE_ROUND_TITLES[spec["format"]],
                "question_ids": drawn[position : position + count],
                "rules": spec.get("rules") or {},
            }
        )
        position += count
    config = {
        "base": base,
        "rounds": config_rounds,
        "teams": teams,
        "reserve_ids": drawn[position : position + reserve],
        # the tie-break is sudden-death 抢答: by the contest's buzzer rules, if it has any
        "tiebreak_rules": next(
            (r["rules"] for r in config_rounds if r["format"] == stage.QIANGDA), {}
        ),
    }
    return _create_with_pin(
        quiz=quiz,
        host=host,
        title=title.strip()[:120] or quiz.title,
        format=ContestFormat.STAGE,
        allow_guests=allow_guests,
        question_ids=drawn[:need],
        stage=config,
    )


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


def contest_room(contest: Contest, *, fresh: bool = False):
    """The room for ``contest`` (``engine.Room``, or ``stage.StageRoom`` on stage):
    as saved at its last checkpoint, or fresh."""
    if contest.snapshot and not fresh:
        return formats.room_from_dict(contest.snapshot)
    questions = Question.objects.in_bulk(contest.question_ids)
    if contest.format == ContestFormat.STAGE:
        config = contest.stage
        return stage.new_room(
            contest.pin,
            [
                stage.RoundSpec(
                    spec["format"],
                    spec["title"],
                    [_engine_question(questions[pk], contest) for pk in spec["question_ids"]],
                    spec["rules"],
                )
                for spec in config["rounds"]
            ],
            [stage.TeamSpec(t["name"], t["mode"], t.get("captain")) for t in config["teams"]],
            base=config["base"],
            reserve=[_engine_question(questions[pk], contest) for pk in config["reserve_ids"]],
            tiebreak_rules=config.get("tiebreak_rules") or {},
        )
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


# what an audit-log entry and its row share, besides its id (``entry``) and team
_DECISION_FIELDS = ("at", "round", "seq", "kind", "result", "delta", "by", "corrects", "response")


@transaction.atomic
def contest_record_decisions(*, contest: Contest, room: stage.StageRoom) -> None:
    """On stage, after every decision: the audit log (append-only; repeats are
    ignored) and a snapshot of the room, so a restarted worker carries on from here."""
    ContestDecision.objects.bulk_create(
        [
            ContestDecision(
                contest=contest,
                entry=entry.id,
                team=entry.team or "",
                **{name: getattr(entry, name) for name in _DECISION_FIELDS},
            )
            for entry in room.log
        ],
        ignore_conflicts=True,
    )
    Contest.objects.filter(pk=contest.pk).update(snapshot=formats.room_to_dict(room))


def _record_stage_results(contest: Contest, room: stage.StageRoom) -> None:
    """The teams' final order; every member who played on a team gets the team's
    rank and score, and the participation points."""
    contest_record_decisions(contest=contest, room=room)
    ranks = {row["name"]: row for row in stage.ranking(room)}
    players = [p for p in room.active_players() if room.team_of(p) is not None]
    members = {f"u{u.pk}": u for u in User.objects.filter(pk__in=_member_ids(room.players))}
    ContestResult.objects.filter(contest=contest).delete()
    ContestResult.objects.bulk_create(
        ContestResult(
            contest=contest,
            player=player.id,
            member=members.get(player.id),
            name=player.name,
            team=player.team,
            rank=ranks[player.team]["rank"],
            score=ranks[player.team]["score"],
            correct=sum(
                1
                for e in room.log
                if e.team == player.team and e.kind == stage.ANSWER and e.result == stage.RIGHT
            ),
            answered=sum(1 for e in room.log if e.team == player.team and e.kind == stage.ANSWER),
        )
        for player in players
    )
    for player in players:
        member = members.get(player.id)
        if member is not None:
            points_award(
                member=member, kind="contest_participation", source_key=f"contest:{contest.pk}"
            )


@transaction.atomic
def contest_record_results(*, contest: Contest, room) -> None:
    """The final ranking; members who answered earn the participation points."""
    if formats.is_stage(room):
        _record_stage_results(contest, room)
        _finish(contest, room)
        return
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
    _finish(contest, room)


def _finish(contest: Contest, room) -> None:
    contest.status = ContestStatus.FINISHED
    contest.finished_at = timezone.now()
    contest.snapshot = formats.room_to_dict(room)
    contest.save(update_fields=["status", "finished_at", "snapshot"])


def contest_stage_replay(contest: Contest) -> stage.StageRoom:
    """A finished on-stage contest rebuilt from its stored audit log alone (an
    offline recount, independent of the snapshot)."""
    room = contest_room(contest, fresh=True)
    room.log = [
        stage.Entry(
            id=d.entry,
            team=d.team or None,
            **{name: getattr(d, name) for name in _DECISION_FIELDS},
        )
        for d in contest.decisions.all()
    ]
    room.phase = engine.FINISHED
    return room


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
