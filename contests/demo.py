"""The demo's contests: a ready on-stage final (现场赛) of four branches with three
rounds (必答, 抢答, 风险题), hosted by the city admin, waiting in its lobby; and the
finished contests of the past year (``seed_past_contests``) with their results."""

import random
from datetime import date, datetime, timedelta

from django.utils import timezone

from backend.accounts.models import Branch, User
from backend.points.demo import DemoAward, ledger_bulk_add
from backend.points.models import PointRule
from quizzes.models import Quiz, QuizPurpose

from . import services
from .models import Contest, ContestResult, ContestStatus

FINAL_BRANCHES = [
    ("市委组织部", "机关第一党支部"),
    ("市委组织部", "机关第二党支部"),
    ("市财政局", "预算处党支部"),
    ("市教育局", "教研室党支部"),
]


def final_title(year: int) -> str:
    return f"{year} 年度机关党建知识竞赛决赛"


def seed_contests(*, quiz: Quiz, year: int | None = None) -> list[Contest]:
    """Idempotent: the final is made once (while one waits unfinished, it stays)."""
    title = final_title(year or timezone.localdate().year)
    host = User.objects.get(username="cityadmin")
    waiting = (
        Contest.objects.filter(title=title, host=host)
        .exclude(status=ContestStatus.FINISHED)
        .first()
    )
    if waiting is not None:
        return [waiting]
    branches = [Branch.objects.get(unit__name=unit, name=name) for unit, name in FINAL_BRANCHES]
    final = services.contest_create_stage(
        host=host,
        quiz=quiz,
        title=title,
        teams=[{"branch": b.pk, "mode": "captain"} for b in branches],
        rounds=[
            {"format": "bida", "count": 2 * len(branches)},
            {"format": "qiangda", "count": 6},
            {"format": "risk", "count": len(branches)},
        ],
        reserve=3,
    )
    return [final]


#: The past year's finished contests: (months ago, host's username, title, the
#: players' unit or None for the whole city, the players' branch or None, share
#: of them who played). The weaker unit (市教育局) holds none of its own.
PAST_CONTESTS = [
    (11, "cityadmin", "机关党建知识竞赛", None, None, 0.35),
    (9, "unitadmin", "市委组织部学党章知识竞赛", "市委组织部", None, 0.7),
    (8, "cityadmin", "机关党建知识竞赛", None, None, 0.4),
    (7, "secretary", "机关第一党支部应知应会竞答", "市委组织部", "机关第一党支部", 0.9),
    (5, "cityadmin", "机关党建知识竞赛", None, None, 0.45),
    (4, "secretary2", "预算处党支部知识竞答", "市财政局", "预算处党支部", 0.85),
    (3, "unitadmin", "市委组织部理论学习竞赛", "市委组织部", None, 0.6),
    (3, "secretary", "机关第一党支部主题党日竞答", "市委组织部", "机关第一党支部", 0.8),
    (1, "cityadmin", "机关党建知识竞赛", None, None, 0.4),
    (1, "secretary2", "预算处党支部学习竞答", "市财政局", "预算处党支部", 0.8),
]
ASKED = 10


def seed_past_contests(*, members: list[User], today: date | None = None) -> list[Contest]:
    """
    Finished classic contests of the past months (hosted by the demo's admins and
    secretaries, made through ``contest_create`` on the paper their reach allows)
    with a ``ContestResult`` per player and the participation points the finish
    awards (``contest:<pk>``, written in bulk with the ledger kept in step).
    Idempotent: a contest is matched by its title.
    """
    today = today or timezone.localdate()
    rng = random.Random(1949)  # noqa: S311 (demo data)
    hosts = {u.username: u for u in User.objects.filter(username__in={c[1] for c in PAST_CONTESTS})}
    papers = {
        q.audience_unit.name if q.audience_unit_id else None: q
        for q in Quiz.objects.filter(purpose=QuizPurpose.CONTEST).select_related("audience_unit")
    }
    titled = [
        (_months_before(today, ago), host, f"{title}（{_month_label(today, ago)}）", *rest)
        for ago, host, title, *rest in PAST_CONTESTS
    ]
    existing = {
        c.title: c
        for c in Contest.objects.filter(
            title__in=[c[2] for c in titled], status=ContestStatus.FINISHED
        )
    }
    points = PointRule.objects.get(kind="contest_participation").points
    contests, awards = [], []
    for month, host_name, title, unit, branch, share in titled:
        finished = timezone.make_aware(
            datetime(month.year, month.month, rng.randint(8, 25), rng.choice((10, 15, 16)))
        )
        players = [
            m
            for m in members
            if (unit is None or m.unit.name == unit)
            and (branch is None or m.branch.name == branch)
            and rng.random() < share
        ]
        if title in existing or host_name not in hosts:
            contests.extend([existing[title]] if title in existing else [])
            continue
        contest = services.contest_create(
            host=hosts[host_name], quiz=papers.get(unit) or papers[None]
        )
        contest.title = title
        contest.status = ContestStatus.FINISHED
        contest.finished_at = finished
        contest.save(update_fields=["title", "status", "finished_at"])
        Contest.objects.filter(pk=contest.pk).update(created_at=finished - timedelta(hours=1))
        draw = random.Random(title)  # noqa: S311 (the contest's own draws)
        rows = []
        for member in players:
            correct = sum(draw.random() < 0.55 + 0.4 * draw.random() for _ in range(ASKED))
            score = correct * 1000 - draw.randint(0, correct * 400)
            rows.append((score, correct, member))
        rows.sort(key=lambda r: (-r[0], r[2].pk))
        ContestResult.objects.bulk_create(
            ContestResult(
                contest=contest,
                player=f"u{member.pk}",
                member=member,
                name=member.display_name,
                rank=1 + sum(1 for other in rows if other[0] > score),
                score=score,
                correct=correct,
                answered=ASKED,
                asked=ASKED,
            )
            for score, correct, member in rows
        )
        awards.extend(
            DemoAward(member.pk, "contest_participation", f"contest:{contest.pk}", points, finished)
            for _score, _correct, member in rows
        )
        contests.append(contest)
    ledger_bulk_add(awards)
    return contests


def _months_before(today: date, n: int) -> date:
    index = today.year * 12 + today.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def _month_label(today: date, n: int) -> str:
    month = _months_before(today, n)
    return f"{month.year}年{month.month}月"
