"""
The demo city's question bank and quizzes, called by ``manage.py seed_demo``:
the bank is imported from fixtures/question_bank.xlsx through the real
importer; two published quizzes (a fixed practice test and an exam drawn by
rules); contest papers (竞赛题) that the secretaries host at /contests/ (one for the
whole city, one for each of the first two units); past attempts and daily
practice for some members through the services, so results, statistics and
mistakes notebooks are not empty; and, written in bulk (``_seed_year``), a year
of daily practice and a closed exam for each of the past four quarters with
their sittings. Some questions cite the passage of a demo lecture they test
(``LECTURE_CITATIONS``), so "出自《…》" and 学完测一测 show (this month's lecture
among them). Idempotent.
"""

import random
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone

from backend.accounts.models import Unit, User
from backend.points.demo import DemoAward, ledger_bulk_add
from courses.models import Lecture

from . import services
from .importing.plan import questions_import
from .models import (
    Attempt,
    AttemptKind,
    AttemptQuestion,
    AttemptStatus,
    Question,
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
#: Questions tied to the demo lectures (fixtures/lectures.json): (month of this
#: year's lecture, paragraph of its text, the start of the question's stem). Every
#: month's lecture has some, so this month's always ends with 学完测一测.
LECTURE_CITATIONS = [
    (1, 2, "根据党章，党的最高理想和最终目标是"),
    (1, 2, "根据党章，党的纪律处分共有几种"),
    (1, 2, "根据党章，党的全国代表大会每几年举行一次"),
    (2, 2, "“三会一课”中的“三会”是指"),
    (2, 2, "根据《中国共产党支部工作条例（试行）》，党员大会一般多长时间"),
    (2, 2, "根据《中国共产党支部工作条例（试行）》，党支部委员会会议一般多长时间"),
    (2, 2, "根据《中国共产党支部工作条例（试行）》，党小组会一般多长时间"),
    (2, 4, "根据《中国共产党支部工作条例（试行）》，党支部书记每年至少讲几次党课"),
    (3, 1, "根据《中国共产党支部工作条例（试行）》，党支部应当每月相对固定"),
    (3, 1, "根据《中国共产党支部工作条例（试行）》，主题党日可以组织党员"),
    (3, 4, "主题党日开展前，党支部应当认真研究确定主题和内容"),
    (4, 2, "中央八项规定第一条要求改进的是"),
    (4, 4, "中央八项规定要求，到基层调研要"),
    (4, 6, "“四风”是指形式主义、官僚主义、享乐主义和"),
    (4, 6, "下列属于“四风”问题的有"),
    (5, 2, "《中国共产党廉洁自律准则》对全体党员提出的廉洁自律规范包括"),
    (5, 3, "《中国共产党廉洁自律准则》对党员领导干部提出的“廉洁齐家”要求是"),
    (5, 3, "《中国共产党廉洁自律准则》对党员领导干部提出的“廉洁用权”要求是"),
    (5, 5, "党支部委员之间、党支部委员和党员之间、党员和党员之间，每年谈心谈话"),
    (6, 3, "在职党员每月工资收入（税后）在3000元以下"),
    (6, 3, "在职党员每月工资收入（税后）在10000元以上"),
    (6, 3, "预备党员从何时开始交纳党费"),
    (7, 1, "伟大建党精神的内涵包括"),
    (7, 1, "中国共产党人的初心和使命是"),
    (8, 5, "为体现对上级领导的重视，下级单位接待调研时"),
    (8, 5, "根据中央八项规定，领导同志到基层调研时应当"),
    (9, 4, "党的群众路线是：一切为了群众"),
    (10, 2, "除另有规定外，绝密级国家秘密的保密期限"),
    (10, 2, "关于涉密计算机，下列做法正确的是"),
    (10, 2, "废弃的涉密文件资料应当"),
    (11, 2, "根据《中国共产党支部工作条例（试行）》，有正式党员多少人以上"),
    (11, 2, "根据《中国共产党支部工作条例（试行）》，正式党员不足7人"),
    (11, 2, "根据《中国共产党支部工作条例（试行）》，党支部党员人数一般不超过"),
    (11, 2, "正式党员不足3人的单位"),
    (11, 2, "党员人数较多或者党员工作地、居住地比较分散"),
    (12, 1, "根据《中国共产党支部工作条例（试行）》，组织生活会一般安排在"),
    (12, 1, "根据《中国共产党支部工作条例（试行）》，党支部一般多长时间开展1次民主评议"),
    (12, 1, "党支部应当每年至少召开1次组织生活会"),
    (12, 2, "召开组织生活会，应当确定主题"),
    (12, 4, "组织生活会的正确做法包括"),
    (12, 4, "组织生活会上应当查摆问题"),
    (12, 6, "民主评议党员时，党支部组织党员联系个人实际"),
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
        report = questions_import(
            bank=bank,
            data=BANK_FILE.read_bytes(),
            filename=BANK_FILE.name,
            duplicates="keep",
            dry_run=False,
        )
        if not report.committed:
            problems = "; ".join(f"row {e.row} {e.column}: {e.message}" for e in report.errors[:5])
            raise CommandError(f"The demo question bank does not import: {problems}")
    _cite_lectures(bank, today)
    fixed = _fixed_quiz(bank)
    exam = _exam(bank, today)
    papers = [_contest_paper(bank, title, unit) for title, unit in CONTEST_PAPERS]
    rng = random.Random(71)  # noqa: S311 (demo data)
    for member in members[: len(members) // 5]:
        if not Attempt.objects.filter(member=member, quiz=fixed).exists():
            _take(member, fixed, rng, days_ago=rng.randint(3, 40))
    for member in members[::8]:
        for days_ago in (3, 2, 1):
            _daily(member, rng, today, days_ago)
    quarterly = [_quarter_exam(bank, start) for start in _past_quarters(today)]
    _seed_year(members, quarterly, today)
    return [fixed, exam, *papers]


def _cite_lectures(bank: QuestionBank, today: date) -> None:
    """Ties ``LECTURE_CITATIONS``' questions to this year's demo lectures (a stem
    or lecture not found is left alone). Two queries and an update per cited passage."""
    lectures = {
        lecture.month.month: lecture
        for lecture in Lecture.objects.filter(month__year=today.year, is_featured=True)
    }
    stems = dict(bank.questions.values_list("stem", "pk"))
    cited: dict[tuple[int, int], list[int]] = {}
    for month, passage, start in LECTURE_CITATIONS:
        if month in lectures:
            ids = [pk for stem, pk in stems.items() if stem.startswith(start)]
            cited.setdefault((lectures[month].pk, passage), []).extend(ids)
    for (lecture_id, passage), ids in cited.items():
        Question.objects.filter(pk__in=ids).update(lecture_id=lecture_id, passage=passage)


# --- a year of activity, in bulk -------------------------------------------------------

#: The demo's weaker unit: its members practise and sit exams less (and score lower).
WEAK_UNIT = "市教育局"
QUARTER_NAMES = "一二三四"
EXAM_RULES = [
    {"kind": "single", "count": 10, "max_difficulty": 4, "points": 2},
    {"kind": "multiple", "count": 5, "points": 3},
    {"kind": "truefalse", "count": 10, "points": 1},
    {"kind": "fill", "count": 5, "points": 2},
]
EXAM_MAX = 55


def _past_quarters(today: date, n: int = 4) -> list[date]:
    """The first days of the ``n`` quarters before the running one, oldest first."""
    start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    out = []
    for _ in range(n):
        start = (
            date(start.year - 1, 10, 1)
            if start.month == 1
            else start.replace(month=start.month - 3)
        )
        out.append(start)
    return out[::-1]


def _quarter_exam(bank: QuestionBank, start: date) -> Quiz:
    """The quarter's 应知应会 exam for the whole city, open for six weeks, closed now."""
    title = f"{start.year} 年第{QUARTER_NAMES[(start.month - 1) // 3]}季度应知应会测试"
    opens = timezone.make_aware(datetime(start.year, start.month, 1, 9)) + timedelta(days=20)
    quiz, created = Quiz.objects.get_or_create(
        title=title,
        defaults={
            "description": (
                "本季度应知应会测试：单选、多选、判断、填空共 30 题，55 分，限时 30 分钟。"
            ),
            "rules": EXAM_RULES,
            "time_limit_minutes": 30,
            "max_attempts": 1,
            "shuffle_options": True,
            "pass_percent": 60,
            "pass_points": 10,
            "opens_at": opens,
            "closes_at": opens + timedelta(days=42, hours=14, minutes=59),
            "purpose": QuizPurpose.EXAM,
            "status": "published",
        },
    )
    if created:
        quiz.banks.set([bank])
    return quiz


def _seed_year(members: list[User], exams: list[Quiz], today: date) -> None:
    """
    The past year's daily practice (每日答题) and the past quarters' exams, written
    in bulk: a member's diligence and ability are drawn once, the weaker unit's are
    lower, so branches, units and people differ. The rows carry scores but no
    questions (the question-level detail exists for the recent attempts made
    through the services above). Points go to the ledger with the caps the rules
    set (daily practice: one per right answer, at most five a day, as one row per
    day; a passed exam:
    its pass points, once per quiz). A second run adds nothing: daily attempts are
    one per member and day, exam attempts are skipped for who has one.
    """
    rng = random.Random(2025)  # noqa: S311 (demo data)
    people = []
    for member in members:
        weak = member.unit.name == WEAK_UNIT
        diligence = rng.uniform(0.15, 0.9) * (0.45 if weak else 1.0)
        ability = rng.uniform(0.55, 0.95) - (0.12 if weak else 0.0)
        people.append((member, diligence, ability))

    daily = []
    for days_ago in range(365, 0, -1):
        day = today - timedelta(days=days_ago)
        # fewer at weekends and in the holiday weeks of February and October
        season = 0.6 if day.weekday() >= 5 else 1.0
        season *= 0.7 if (day.month, day.day // 8) in ((2, 1), (2, 2), (10, 0)) else 1.0
        for member, diligence, ability in people:
            if rng.random() >= diligence * season:
                continue
            right = sum(rng.random() < ability for _ in range(services.DAILY_COUNT))
            started = timezone.make_aware(
                datetime(day.year, day.month, day.day, rng.choice((7, 12, 20, 21)))
            ) + timedelta(minutes=rng.randint(0, 59))
            daily.append(
                Attempt(
                    member=member,
                    kind=AttemptKind.DAILY,
                    day=day,
                    seed=rng.getrandbits(48),
                    started_at=started,
                    finished_at=started + timedelta(seconds=rng.randint(60, 240)),
                    status=AttemptStatus.SUBMITTED,
                    score=right,
                    max_score=services.DAILY_COUNT,
                )
            )
    Attempt.objects.bulk_create(daily, batch_size=2000, ignore_conflicts=True)

    taken = set(
        Attempt.objects.filter(quiz__in=exams, kind=AttemptKind.QUIZ).values_list(
            "member_id", "quiz_id"
        )
    )
    sittings = []
    for quiz in exams:
        for member, diligence, ability in people:
            # every draw made before the check, so a re-run draws the same for the rest
            sits = rng.random() < 0.35 + diligence * 0.65 or member.username == "member001"
            share = min(1.0, max(0.2, rng.gauss(ability, 0.1)))
            started = quiz.opens_at + timedelta(
                days=rng.randint(0, 40), hours=rng.randint(0, 10), minutes=rng.randint(0, 59)
            )
            seconds, seed = rng.randint(540, 1790), rng.getrandbits(48)
            if not sits or (member.pk, quiz.pk) in taken:
                continue
            score = round(EXAM_MAX * share)
            sittings.append(
                Attempt(
                    member=member,
                    kind=AttemptKind.QUIZ,
                    quiz=quiz,
                    seed=seed,
                    started_at=started,
                    deadline=started + timedelta(minutes=quiz.time_limit_minutes),
                    finished_at=started + timedelta(seconds=seconds),
                    status=AttemptStatus.SUBMITTED,
                    score=score,
                    max_score=EXAM_MAX,
                    passed=score * 100 >= EXAM_MAX * quiz.pass_percent,
                )
            )
    Attempt.objects.bulk_create(sittings, batch_size=2000)
    _year_points(members, exams)


def _year_points(members: list[User], exams: list[Quiz]) -> None:
    """The ledger rows of the bulk attempts (those without questions), keyed as the
    services key them, so a re-run (or the real service) adds nothing twice."""
    bulk = Attempt.objects.filter(
        member__in=members, items__isnull=True, status=AttemptStatus.SUBMITTED
    )
    awards = []
    for pk, member_id, score, finished in bulk.filter(kind=AttemptKind.DAILY).values_list(
        "pk", "member_id", "score", "finished_at"
    ):
        if score:
            # one row for the day's right answers (the service writes one per answer)
            right = min(services.DAILY_COUNT, int(score))
            awards.append(DemoAward(member_id, "daily_practice", f"practice:{pk}", right, finished))
    points = {quiz.pk: quiz.pass_points for quiz in exams}
    for member_id, quiz_id, finished in bulk.filter(quiz__in=exams, passed=True).values_list(
        "member_id", "quiz_id", "finished_at"
    ):
        awards.append(
            DemoAward(member_id, "quiz_pass", f"quiz:{quiz_id}", points[quiz_id], finished)
        )
    ledger_bulk_add(awards)


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
