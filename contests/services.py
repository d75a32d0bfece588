"""Writes for contests: making one from a quiz, building its room, recording
accepted answers and final results (which feed the points ledger)."""

import random
import secrets

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts import scope
from backend.accounts.models import User
from backend.points.services import points_award
from quizzes.models import Question, QuestionKind, Quiz
from quizzes.services import QuizError, draw_questions

from . import engine, games, stage
from .models import (
    Contest,
    ContestAnswer,
    ContestDecision,
    ContestFormat,
    ContestResult,
    ContestStatus,
)
from .scope import check_hosting

STAGE_ROUND_TITLES = {stage.BIDA: "必答题", stage.QIANGDA: "抢答题", stage.RISK: "风险题"}
MAX_TEAMS = 20  # a final has 3 to 8; a preliminary on stage may have more


class ContestError(Exception):
    """A refused action; the message is fit to show."""


def can_host(user: User) -> bool:
    """Secretaries and admins hold contests."""
    return scope.can_use_admin(user)


def can_run(user, contest: Contest) -> bool:
    """Who runs a contest — hosts it, judges it, shows its big screen (page and
    socket alike): its host, or a city admin."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.pk == contest.host_id or scope.is_city_admin(user))
    )


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
    check_hosting(host, quiz)  # scope.HostingRefused
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
    check_hosting(host, quiz)  # scope.HostingRefused
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


def engine_question(question: Question, contest: Contest) -> engine.Question:
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
    as saved at its last step, or fresh."""
    if contest.snapshot and not fresh:
        data = dict(contest.snapshot)
        # a running room's players and board are kept apart (a finished one has them inline)
        if "players" not in data:
            data["players"] = contest.snapshot_players or []
        if "board" not in data and contest.snapshot_board is not None:
            data["board"] = contest.snapshot_board
        return games.room_from_dict(data)
    questions = Question.objects.in_bulk(
        [*contest.question_ids, *contest.stage.get("reserve_ids", [])]
    )

    def engine_questions(ids):
        return [engine_question(questions[pk], contest) for pk in ids]

    return games.game_for(contest.format).build(contest, engine_questions)


def stored_answers(answers) -> dict[str, engine.Answer]:
    """``ContestAnswer`` rows as the engine keeps answers: ``"seq:player"`` → answer."""
    return {
        f"{a.seq}:{a.player}": engine.Answer(a.player, a.seq, a.response, a.at, a.elapsed_ms)
        for a in answers
    }


def contest_restore(contest_id: int):
    """The room rebuilt from the database alone, as a worker needs it when no store
    holds it (a fresh worker, a Redis that restarted): the latest snapshot (read
    now, not from a cached row), with every stored answer of the questions closed
    since merged in. Returns ``(room, open_answers)``: the answers already
    accepted (and acknowledged) for the question still open, for the store."""
    contest = Contest.objects.get(pk=contest_id)
    room = contest_room(contest)
    game = games.game_of(room)
    if not game.answers_outside_lock:
        return room, {}
    open_seq = room.seq if room.phase in (engine.QUESTION, engine.PAUSED) else None
    stored = stored_answers(ContestAnswer.objects.filter(contest_id=contest_id, seq__lte=room.seq))
    closed = {k: a for k, a in stored.items() if a.seq != open_seq and k not in room.answers}
    if closed:
        room = engine.with_answers(room, closed)
        # The board's running totals may lack an answer stored after its reveal.
        engine.recount_board(room)
    return room, {k: a for k, a in stored.items() if a.seq == open_seq}


def contest_answers_save(rows: list[ContestAnswer]) -> None:
    """Makes accepted answers durable (before they are acknowledged); a repeat of
    a stored answer is ignored."""
    ContestAnswer.objects.bulk_create(rows, ignore_conflicts=True)


def contest_answers(contest_id: int, seq: int | None = None) -> dict[str, engine.Answer]:
    """The stored answers of question ``seq`` (of every question: None), keyed as
    the engine keys them."""
    answers = ContestAnswer.objects.filter(contest_id=contest_id)
    return stored_answers(answers if seq is None else answers.filter(seq=seq))


def contest_answers_stored(
    contest_id: int, seq: int, known: set[str]
) -> tuple[frozenset[str], dict[str, engine.Answer]]:
    """For a question being closed: the keys of its stored answers, and those of
    its stored answers that are not in ``known`` (the store's; normally none, so
    the common case reads one column, not every row)."""
    answers = ContestAnswer.objects.filter(contest_id=contest_id, seq=seq)
    stored = frozenset(f"{seq}:{player}" for player in answers.values_list("player", flat=True))
    missing = [key.split(":", 1)[1] for key in stored - known]
    return stored, stored_answers(answers.filter(player__in=missing)) if missing else {}


@transaction.atomic
def contest_save(*, contest: Contest, before, room, stored: frozenset[str] = frozenset()) -> None:
    """After every step that changed the room, before anyone hears of it: the
    rows its game keeps (a closed question's answers the database lacks —
    ``stored`` holds the keys of those it has —, the audit log's new entries),
    the status, and the snapshot — which never goes back to an older state of
    the room (``state_version``). At the end, the results."""
    game = games.game_of(room)
    rows = game.rows(contest, before, room, stored)
    if rows:
        type(rows[0]).objects.bulk_create(rows, ignore_conflicts=True)
    if before.phase == engine.LOBBY and room.phase != engine.LOBBY:
        Contest.objects.filter(pk=contest.pk, status=ContestStatus.LOBBY).update(
            status=ContestStatus.RUNNING
        )
    if room.phase == engine.FINISHED and before.phase != engine.FINISHED:
        contest_record_results(contest=contest, room=room)
        return
    Contest.objects.filter(
        Q(snapshot__isnull=True) | Q(snapshot__state_version__lt=room.version), pk=contest.pk
    ).exclude(status=ContestStatus.FINISHED).update(**_snapshot_fields(game, before, room))


def _snapshot_fields(game, before, room) -> dict:
    """The snapshot, and the parts the game keeps apart (players, board) only if
    this step changed them: the columns then hold what ``before`` had, since the
    steps of a room are saved one after another, each before the store moves on."""
    data = game.snapshot(room)
    fields = {"snapshot": {k: v for k, v in data.items() if k not in game.kept_apart}}
    for part in game.kept_apart:
        if before is room or getattr(before, part) != getattr(room, part):
            fields[f"snapshot_{part}"] = data[part]
    return fields


def contest_record_answers(*, contest: Contest, room: engine.Room, seq: int) -> int:
    """Writes the accepted answers of question ``seq`` (bulk; repeats are ignored)."""
    rows = games.answer_rows(contest, [a for a in room.answers.values() if a.seq == seq])
    ContestAnswer.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


@transaction.atomic
def contest_record_decisions(*, contest: Contest, room: stage.StageRoom) -> None:
    """On stage: the whole audit log (append-only; repeats are ignored)."""
    rows = games.decision_rows(contest, room.log)
    ContestDecision.objects.bulk_create(rows, ignore_conflicts=True)


@transaction.atomic
def contest_record_results(*, contest: Contest, room) -> bool:
    """The final ranking, once: what the game keeps (every answer, the whole audit
    log), the results, and the participation points of the members who played.
    A contest finished already keeps its results (False): a room rebuilt late
    never overwrites them."""
    locked = Contest.objects.select_for_update().get(pk=contest.pk)
    if locked.status == ContestStatus.FINISHED:
        return False
    game = games.game_of(room)
    if game is games.CLASSIC:
        # The database is the record: an answer stored (and acknowledged) that the
        # live room missed still counts in the final table.
        stored = stored_answers(ContestAnswer.objects.filter(contest=contest))
        room = engine.with_answers(room, {k: a for k, a in stored.items() if k not in room.answers})
        for seq in range(1, room.seq + 1):
            contest_record_answers(contest=contest, room=room, seq=seq)
    else:
        contest_record_decisions(contest=contest, room=room)
    table = game.results(room)
    members = {
        f"u{u.pk}": u for u in User.objects.filter(pk__in=_member_ids(r["player"] for r in table))
    }
    ContestResult.objects.filter(contest=contest).delete()
    ContestResult.objects.bulk_create(
        ContestResult(
            contest=contest,
            member=members.get(row["player"]),
            **{k: v for k, v in row.items() if k != "participated"},
        )
        for row in table
    )
    for row in table:
        member = members.get(row["player"])
        if member is not None and row["participated"]:
            points_award(
                member=member, kind="contest_participation", source_key=f"contest:{contest.pk}"
            )
    contest.status = ContestStatus.FINISHED
    contest.finished_at = timezone.now()
    contest.snapshot = game.to_dict(room)
    contest.save(update_fields=["status", "finished_at", "snapshot"])
    return True


def contest_stage_replay(contest: Contest) -> stage.StageRoom:
    """A finished on-stage contest rebuilt from its stored audit log alone (an
    offline recount, independent of the snapshot)."""
    room = contest_room(contest, fresh=True)
    room.log = [
        stage.Entry(
            id=d.entry,
            team=d.team or None,
            **{name: getattr(d, name) for name in games.DECISION_FIELDS},
        )
        for d in contest.decisions.all()
    ]
    room.phase = engine.FINISHED
    return room


def _member_ids(players) -> list[int]:
    return [int(pid[1:]) for pid in players if pid.startswith("u") and pid[1:].isdigit()]


def contest_replay(contest: Contest) -> engine.Room:
    """The finished room rebuilt from the stored answers and results, with the
    host's corrections (the questions voided and rescored, and how many were
    asked, from the final snapshot): for exports and audits, an offline recount
    that gives what the game gave (``games.ClassicGame.results``)."""
    room = contest_room(contest, fresh=True)
    room.answers.update(stored_answers(contest.answers.all()))
    for result in contest.results.all():
        room.players[result.player] = engine.Player(
            result.player, result.name, result.team or None, guest=result.player.startswith("g-")
        )
    final = contest.snapshot or {}
    room.voided = set(final.get("voided") or [])
    room.rescored = {int(seq): key for seq, key in (final.get("rescored") or {}).items()}
    asked = max((a.seq for a in room.answers.values()), default=0)
    room.seq = max(final.get("seq") or 0, asked)
    room.phase = engine.FINISHED
    return room
