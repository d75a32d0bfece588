"""
``manage.py seed_demo --password PW``: the demo city.

Idempotent: units, branches and accounts are matched by name/username and
brought to the fixture's state; every run sets the demo accounts' password to
PW. Each capability adds its demo data through a ``seed_*`` step of its own
app called from ``handle`` (``courses.demo.seed_lectures``, …). This command lives
in the ``demo`` app, above the feature apps, so the foundation imports none.
"""

import json
import random
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from backend.accounts.models import Branch, Role, Unit, User
from backend.points.demo import DemoAward, ledger_bulk_add, ledger_resync_deferred
from contests.demo import seed_contests, seed_past_contests
from courses.demo import seed_lectures
from orglife.demo import seed_orglife
from quizzes.demo import seed_quizzes
from quizzes.models import QuizPurpose
from supervision.demo import seed_assessment

FIXTURE = settings.BASE_DIR / "fixtures" / "demo_city.json"


class Command(BaseCommand):
    help = "Create or refresh the demo city and its accounts (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--password", required=True, help="password for every demo account")

    def handle(self, *args, password, **options):
        data = json.loads(FIXTURE.read_text(encoding="utf-8"))
        with transaction.atomic():
            branches = seed_org(data)
            users = seed_accounts(data, branches, password_hash=make_password(password))
        members = [u for u in users if u.branch_id]
        # A year of activity; the ledger's bulk rows are recounted into balances
        # and period totals once, at the end of the block.
        with ledger_resync_deferred():
            seed_points(users)
            with transaction.atomic():
                lectures = seed_lectures(members=members)
            with transaction.atomic():
                quizzes = seed_quizzes(members=members)
            # the final draws from the city-wide contest paper (竞赛题, never an exam)
            paper = next(
                q
                for q in quizzes
                if q.purpose == QuizPurpose.CONTEST and q.audience_unit_id is None
            )
            with transaction.atomic():
                contests = seed_contests(quiz=paper)
                past = seed_past_contests(members=members)
            with transaction.atomic():
                sessions = seed_orglife(members=members)
        # last: the quarter is published from the year's activity above
        with transaction.atomic():
            assessment = seed_assessment()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo city ready: {Unit.objects.count()} units, "
                f"{Branch.objects.count()} branches, {len(users)} demo accounts, "
                f"{len(lectures)} monthly lectures, {len(quizzes)} published quizzes "
                f"(contest papers among them), "
                f"{len(contests)} contest waiting (PIN {contests[0].pin}), "
                f"{len(past)} finished in the past months, "
                f"{len(sessions)} new sessions of organisational life, "
                f"assessment {assessment} published."
            )
        )


def seed_org(data) -> dict[tuple[str, str], Branch]:
    branches = {}
    for u_pos, unit_data in enumerate(data["units"]):
        unit, _ = Unit.objects.update_or_create(
            name=unit_data["name"],
            defaults={"short_name": unit_data["short_name"], "position": u_pos, "is_active": True},
        )
        for b_pos, branch_name in enumerate(unit_data["branches"]):
            branch, _ = Branch.objects.update_or_create(
                unit=unit, name=branch_name, defaults={"position": b_pos, "is_active": True}
            )
            branches[(unit.name, branch_name)] = branch
    return branches


def demo_member_names(data) -> list[str]:
    rng = random.Random(2026)  # noqa: S311 (demo names, not secrets)
    names: list[str] = []
    while len(names) < data["members"]:
        name = rng.choice(data["surnames"]) + rng.choice(data["given_names"])
        if name not in names:
            names.append(name)
    return names


def seed_accounts(data, branches, *, password_hash: str) -> list[User]:
    ordered_branches = list(branches.values())
    specs = []
    for account in data["accounts"]:
        branch = branches.get((account.get("unit"), account.get("branch")))
        unit = branch.unit if branch else Unit.objects.filter(name=account.get("unit")).first()
        specs.append((account["username"], account["display_name"], account["role"], unit, branch))
    for number, name in enumerate(demo_member_names(data), start=1):
        # Round-robin: member001 lands in the first branch of the first unit,
        # the branch of the `secretary` account.
        branch = ordered_branches[(number - 1) % len(ordered_branches)]
        specs.append((f"member{number:03d}", name, Role.MEMBER, branch.unit, branch))

    users = []
    for username, name, role, unit, branch in specs:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "display_name": name,
                "role": role,
                "unit": unit,
                "branch": branch,
                "is_active": True,
                "is_staff": False,
                "is_superuser": False,
                "must_change_password": False,
                "password": password_hash,
            },
        )
        users.append(user)
    return users


#: The demo's weaker unit: its people sign in, study and practise less.
WEAK_UNIT = "市教育局"


def seed_points(users: list[User], *, today=None) -> int:
    """
    Sign-in points (每日登录, one a day) over the past year and today, so the points pages,
    the leaderboards and the trends are not empty: each person signs in on a
    share of the days of their own, lower in the weaker unit and at weekends.
    Written in bulk through ``backend.points.demo`` (the ledger's balances and
    period totals recounted); the keys are the real ones (``login:<day>``), so a
    second run adds nothing. Returns the rows added.
    """
    rng = random.Random(7)  # noqa: S311
    now = timezone.now()
    today = today or timezone.localdate(now)
    awards = []
    for user in users:
        diligence = rng.uniform(0.25, 0.95) * (
            0.6 if user.unit and user.unit.name == WEAK_UNIT else 1
        )
        for days_ago in range(365, -1, -1):
            day = today - timedelta(days=days_ago)
            signs_in = rng.random() < diligence * (0.5 if day.weekday() >= 5 else 1.0)
            at = timezone.make_aware(datetime(day.year, day.month, day.day, 8)) + timedelta(
                minutes=rng.randint(0, 600)
            )
            if not days_ago:
                # today: signed in by now (member001, the walk-through's member, has)
                signs_in = signs_in or user.username == "member001"
                at = min(at, now)
            if signs_in:
                awards.append(DemoAward(user.pk, "daily_login", f"login:{day.isoformat()}", 1, at))
    return ledger_bulk_add(awards)
