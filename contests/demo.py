"""The demo's contests: a ready on-stage final (现场赛) of four branches with three
rounds (必答, 抢答, 风险题), hosted by the city admin, waiting in its lobby."""

from django.utils import timezone

from backend.accounts.models import Branch, User
from quizzes.models import Quiz

from . import services
from .models import Contest, ContestStatus

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
