"""
The demo city's question bank and quizzes, called by ``manage.py seed_demo``:
the bank is imported from fixtures/question_bank.xlsx through the real
importer; two published quizzes (a fixed practice test and an exam drawn by
rules); contest papers (竞赛题) that the secretaries host at /contests/ (one for the
whole city, one for each of the first two units); past attempts and daily
practice for some members, so results, statistics and mistakes notebooks are not
empty. Idempotent.
"""

import random
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone

from backend.accounts.models import Unit, User

from . import excel, services
from .models import (
    Attempt,
    AttemptKind,
    AttemptQuestion,
    QuestionBank,
    QuestionKind,
    Quiz,
    QuizPurpose,
)

BANK_FILE = settings.BASE_DIR / "fixtures" / "question_bank.xlsx"
BANK_NAME = "市直机关党建知识题库"
FIXED_TITLE = "党章党规知识测试"
#: Contest papers: (title, the unit it is addressed to or None for the whole city).
CONTEST_PAPERS = [
    ("机关党建知识竞赛题", None),
    ("市委组织部支部知识竞赛题", "市委组织部"),
    ("市财政局支部知识竞赛题", "市财政局"),
]
CONTEST_RULES = [
    {"kind": "single", "count": 12, "max_difficulty": 4, "points": 1},
    {"kind": "multiple", "count": 4, "points": 1},
    {"kind": "truefalse", "count": 8, "points": 1},
]


def seed_quizzes(*, members: list[User], today: date | None = None) -> list[Quiz]:
    today = today or timezone.localdate()
    bank, _ = QuestionBank.objects.get_or_create(
        name=BANK_NAME, unit=None, defaults={"description": "全市共享的党建知识题库"}
    )
    if not bank.questions.exists():
        report = excel.questions_import_xlsx(bank=bank, data=BANK_FILE.read_bytes())
        if not report.ok:
            problems = "; ".join(f"row {e.row} {e.column}: {e.message}" for e in report.errors[:5])
            raise CommandError(f"The demo question bank does not import: {problems}")
    fixed = _fixed_quiz(bank)
    exam = _exam(bank, today)
    papers = [_contest_paper(bank, title, unit) for title, unit in CONTEST_PAPERS]
    rng = random.Random(71)  # noqa: S311 (demo data)
    for member in members[: len(members) * 2 // 5]:
        if not Attempt.objects.filter(member=member, quiz=fixed).exists():
            _take(member, fixed, rng, days_ago=rng.randint(3, 40))
    for member in members[::4]:
        for days_ago in (3, 2, 1):
            _daily(member, rng, today, days_ago)
    return [fixed, exam, *papers]


def _purpose(quiz: Quiz, purpose: str) -> Quiz:
    """Brings a demo quiz made before quizzes had a purpose to its own."""
    if quiz.purpose != purpose:
        quiz.purpose = purpose
        quiz.save(update_fields=["purpose"])
    return quiz


def _contest_paper(bank: QuestionBank, title: str, unit_name: str | None) -> Quiz:
    quiz, created = Quiz.objects.get_or_create(
        title=title,
        defaults={
            "description": "知识竞赛用题（竞赛题）：每场随机抽取 24 题，单选、多选、判断。",
            "purpose": QuizPurpose.CONTEST,
            "rules": CONTEST_RULES,
            "audience_unit": Unit.objects.get(name=unit_name) if unit_name else None,
            "status": "published",
        },
    )
    if created:
        quiz.banks.set([bank])
    return quiz


def _fixed_quiz(bank: QuestionBank) -> Quiz:
    quiz, created = Quiz.objects.get_or_create(
        title=FIXED_TITLE,
        defaults={
            "description": "20 道党章党规基础题，限时 20 分钟，可作答 3 次。",
            "time_limit_minutes": 20,
            "max_attempts": 3,
            "shuffle_options": True,
            "pass_percent": 60,
            "pass_points": 5,
            "purpose": QuizPurpose.PRACTICE,
            "status": "published",
        },
    )
    _purpose(quiz, QuizPurpose.PRACTICE)
    if created:
        quiz.banks.set([bank])
        questions = bank.questions.filter(category="党章党规").order_by("pk")[:20]
        quiz.items.bulk_create(
            quiz.items.model(quiz=quiz, question=q, position=i, points=5)
            for i, q in enumerate(questions)
        )
    return quiz


def _exam(bank: QuestionBank, today: date) -> Quiz:
    title = f"{today.year} 年度机关党建知识考试"
    quiz, created = Quiz.objects.get_or_create(
        title=title,
        defaults={
            "description": (
                "每人随机抽题：单选 10 题、多选 5 题、判断 10 题、填空 5 题，"
                "共 55 分，限时 30 分钟。"
            ),
            "rules": [
                {"kind": "single", "count": 10, "max_difficulty": 4, "points": 2},
                {"kind": "multiple", "count": 5, "points": 3},
                {"kind": "truefalse", "count": 10, "points": 1},
                {"kind": "fill", "count": 5, "points": 2},
            ],
            "time_limit_minutes": 30,
            "max_attempts": 1,
            "shuffle_options": True,
            "pass_percent": 60,
            "pass_points": 10,
            "closes_at": timezone.make_aware(datetime(today.year, 12, 31, 23, 59)),
            "purpose": QuizPurpose.EXAM,
            "status": "published",
        },
    )
    _purpose(quiz, QuizPurpose.EXAM)
    if created:
        quiz.banks.set([bank])
    return quiz


def _response(item: AttemptQuestion, right: bool, rng: random.Random) -> dict:
    """What a member answers, as the client would send it (display letters)."""
    question = item.question
    if question.kind == QuestionKind.FILL:
        return {"blanks": [v[0] if right else "不清楚" for v in question.answer]}
    if question.kind == QuestionKind.TRUEFALSE:
        value = question.answer[0] if right else not question.answer[0]
        return {"choices": ["true" if value else "false"]}
    display = {key: chr(ord("A") + i) for i, key in enumerate(item.option_order)}
    if right:
        return {"choices": sorted(display[key] for key in question.answer)}
    wrong = [key for key in item.option_order if key not in question.answer]
    return {"choices": [display[rng.choice(wrong)]]}


def _take(member: User, quiz: Quiz, rng: random.Random, days_ago: int) -> None:
    start = timezone.now() - timedelta(days=days_ago, hours=rng.randint(1, 8))
    attempt = services.attempt_start(member=member, quiz=quiz, now=start)
    ability = rng.uniform(0.4, 0.95)
    moment = start
    for item in attempt.items.select_related("question").order_by("position"):
        moment += timedelta(seconds=rng.randint(10, 40))
        services.answer_save(
            attempt_id=attempt.pk,
            member=member,
            question_id=item.question_id,
            data=_response(item, rng.random() < ability, rng),
            now=moment,
        )
    services.attempt_submit(attempt_id=attempt.pk, member=member, now=moment)


def _daily(member: User, rng: random.Random, today: date, days_ago: int) -> None:
    day = today - timedelta(days=days_ago)
    moment = timezone.make_aware(datetime(day.year, day.month, day.day, 20))
    if Attempt.objects.filter(member=member, kind=AttemptKind.DAILY, day=moment.date()).exists():
        return
    attempt = services.daily_practice_start(member=member, now=moment)
    for item in attempt.items.select_related("question").order_by("position"):
        moment += timedelta(seconds=20)
        services.answer_save(
            attempt_id=attempt.pk,
            member=member,
            question_id=item.question_id,
            data=_response(item, rng.random() < 0.7, rng),
            now=moment,
        )
