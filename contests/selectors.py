"""Reads for contests: a finished contest's results as every view of them shows
them (the results page, ``GET /api/v1/contests/{id}/results/``, its workbook),
and the contests a member played ("我的竞赛").

The numbers come from one recount: ``ContestResult`` rows are what
``games.Game.results`` gave for the final room (every stored answer, the host's
voids and rescores, the judge's corrections) — the same standings the live
board kept — and the team standings are computed from them by the engine's one
formula (``engine.teams_ranked``). No view recounts on its own."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from quizzes.models import QuestionKind
from quizzes.sources import source_link

from . import engine, services, stage
from .models import Contest, ContestAnswer, ContestFormat, ContestResult, ContestStatus

GUEST_PREFIX = "g-"  # a guest's player id (contests.consumers); a member's is u<pk>


def is_guest(player: str) -> bool:
    """Whether a stored player id is a guest's: results keep no guest flag of their own."""
    return player.startswith(GUEST_PREFIX)


@dataclass
class ResultRow:
    """One player's final line."""

    player: str
    name: str
    team: str
    rank: int
    score: int
    correct: int
    answered: int
    asked: int

    @property
    def guest(self) -> bool:
        return is_guest(self.player)

    @property
    def accuracy_of_asked(self) -> float:
        """Right answers of the questions asked (a player who answered 1 of 5: 0.2)."""
        return self.correct / self.asked if self.asked else 0.0

    @property
    def accuracy_of_answered(self) -> float:
        """Right answers of the questions the player answered."""
        return self.correct / self.answered if self.answered else 0.0


@dataclass
class ContestResults:
    contest: Contest
    ranking: list[ResultRow]
    asked: int
    #: classic/team: ``engine.TeamStanding`` per branch (team format only);
    #: on stage: ``stage.ranking`` rows, recounted from the stored audit log
    teams: list


_FIELDS = ("player", "name", "team", "rank", "score", "correct", "answered", "asked")


def contest_results(contest: Contest) -> ContestResults:
    """The final results of ``contest`` (empty while it runs): players best
    first, the questions asked, and the teams (team format: the live
    scoreboard's formula over the stored results; on stage: the audit log)."""
    ranking = [ResultRow(**row) for row in contest.results.values(*_FIELDS)]
    asked = max((row.asked for row in ranking), default=0)
    teams: list = []
    if contest.format == ContestFormat.TEAM:
        teams = engine.teams_ranked(ranking, asked)
    elif contest.format == ContestFormat.STAGE:
        teams = stage.ranking(services.contest_stage_replay(contest))
    return ContestResults(contest=contest, ranking=ranking, asked=asked, teams=teams)


@dataclass
class PlayedContest:
    id: int
    title: str
    finished_at: object
    rank: int
    score: int
    correct: int
    asked: int
    answered: int
    format: str
    players: int
    results_visible: bool


def contests_played_by(user, *, visible: QuerySet[Contest] | None = None) -> list[PlayedContest]:
    """The finished contests ``user`` played as a member, newest first, with the
    own rank, score and right answers. ``visible``: the contests whose results
    page the user may open (the rows link there). Three queries, whatever the
    number of contests."""
    rows = list(
        ContestResult.objects.filter(member=user, contest__status=ContestStatus.FINISHED)
        .select_related("contest")
        .defer(*_HEAVY)
        .order_by("-contest__finished_at", "-contest_id")
    )
    ids = [row.contest_id for row in rows]
    counts = dict(
        ContestResult.objects.filter(contest_id__in=ids)
        .values("contest_id")
        .annotate(n=Count("pk"))
        .values_list("contest_id", "n")
    )
    open_to = set(visible.filter(pk__in=ids).values_list("pk", flat=True)) if visible else set()
    return [
        PlayedContest(
            id=row.contest.id,
            title=row.contest.title,
            finished_at=row.contest.finished_at,
            rank=row.rank,
            score=row.score,
            correct=row.correct,
            asked=row.asked,
            answered=row.answered,
            format=row.contest.format,
            players=counts.get(row.contest_id, 0),
            results_visible=row.contest_id in open_to,
        )
        for row in rows
    ]


#: a contest's columns that no list of results reads (a finished room's snapshot is large)
_HEAVY = ("contest__snapshot", "contest__snapshot_players", "contest__snapshot_board")


def finished_result_for(user, pin: str) -> ContestResult | None:
    """The own result of the newest finished contest with this PIN that ``user``
    played (a reload of /join/<pin>/ after the end), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        ContestResult.objects.filter(
            member=user, contest__pin=pin, contest__status=ContestStatus.FINISHED
        )
        .select_related("contest")
        .defer(*_HEAVY)
        .order_by("-contest__finished_at")
        .first()
    )


# --- after the contest: what the member got wrong -------------------------------------------


@dataclass
class MissedQuestion:
    """A question the member answered wrong in a finished contest, explained: the
    right answer, 解析, 出处 and the cited lecture passage (``source_link``)."""

    seq: int
    text: str
    your_answer: str
    correct_answer: str
    explanation: str
    source: str
    source_link: dict | None


def _answer_text(question, key_or_choices: list) -> str:
    """An answer as the phone showed it: "B. 乙", "正确", "十八/18；…"."""
    if question.kind == QuestionKind.FILL:
        return "；".join(
            "/".join(v) if isinstance(v, list) else str(v) for v in key_or_choices if v is not None
        )
    if question.kind == QuestionKind.TRUEFALSE:
        return "、".join({"true": "正确", "false": "错误"}.get(k, str(k)) for k in key_or_choices)
    texts = []
    for key in sorted(key_or_choices):
        index = ord(str(key)[:1] or "?") - ord("A")
        option = question.options[index] if 0 <= index < len(question.options) else ""
        texts.append(f"{key}. {option}" if option else str(key))
    return "；".join(texts)


def missed_questions(result: ContestResult) -> list[MissedQuestion]:
    """The questions ``result``'s member answered wrong in its (finished, classic or
    team) contest, in the order asked, graded as the contest graded them: the
    host's corrected keys count, voided questions are left out. From the
    member's ``ContestAnswer`` rows; two queries. On stage the teams answer, so
    there is nothing per member (empty)."""
    contest = result.contest
    if result.member_id is None or contest.format == ContestFormat.STAGE:
        return []
    marks = (
        Contest.objects.filter(pk=contest.pk)
        .values_list("snapshot__voided", "snapshot__rescored")
        .first()
    ) or (None, None)
    voided = set(marks[0] or [])
    rescored = {int(seq): key for seq, key in (marks[1] or {}).items()}
    answers = (
        ContestAnswer.objects.filter(contest=contest, player=f"u{result.member_id}")
        .select_related("question__lecture")
        .defer("question__lecture__body", "question__lecture__body_html")
        .order_by("seq")
    )
    missed = []
    for answer in answers:
        if answer.seq in voided:
            continue
        question = answer.question
        asked = services.engine_question(question, contest)
        key = rescored.get(answer.seq, asked.key)
        if engine.is_correct(asked, key, answer.response):
            continue
        response = answer.response or {}
        if question.kind == QuestionKind.FILL:
            given = response.get("blanks") or [response.get("text")]
        else:
            given = response.get("choices") or []
        missed.append(
            MissedQuestion(
                seq=answer.seq,
                text=question.stem,
                your_answer=_answer_text(question, given),
                correct_answer=_answer_text(question, key),
                explanation=question.explanation,
                source=question.source,
                source_link=source_link(question),
            )
        )
    return missed
