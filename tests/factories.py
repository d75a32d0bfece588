"""Test data built the way the product builds it."""

import itertools

from backend.accounts.models import Branch, Role, Unit, User

_seq = itertools.count(1)
PASSWORD = "correct-horse-42"


def make_unit(name: str | None = None) -> Unit:
    return Unit.objects.create(name=name or f"单位{next(_seq)}")


def make_branch(unit: Unit | None = None, name: str | None = None) -> Branch:
    return Branch.objects.create(unit=unit or make_unit(), name=name or f"第{next(_seq)}党支部")


def make_user(
    role: str = Role.MEMBER,
    *,
    branch: Branch | None = None,
    unit: Unit | None = None,
    username: str | None = None,
    display_name: str = "",
    password: str = PASSWORD,
    **extra,
) -> User:
    if role in (Role.MEMBER, Role.SECRETARY) and branch is None:
        branch = make_branch(unit)
    if branch is not None:
        unit = branch.unit
    if role == Role.UNIT_ADMIN and unit is None:
        unit = make_unit()
    user = User(
        username=username or f"user{next(_seq)}",
        display_name=display_name or f"测试{next(_seq)}",
        role=role,
        unit=unit,
        branch=branch,
        **extra,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


def make_lecture(
    *,
    month=None,
    title: str | None = None,
    body: str = "## 学习要点\n\n认真学习党章，**严守纪律**。",
    min_read_seconds: int = 60,
    published: bool = True,
    is_featured: bool = True,
    reading: list[tuple[str, bool]] = (),
    **extra,
):
    """A lecture saved through the service (rendered body), with an optional reading list."""
    from datetime import timedelta

    from django.utils import timezone

    from courses.models import Lecture, LectureStatus, ReadingItem, ReadingList
    from courses.services import lecture_save

    month = month or timezone.localdate().replace(day=1)
    lecture = Lecture(
        title=title or f"第{next(_seq)}讲",
        speaker="李明远",
        month=month,
        body=body,
        min_read_seconds=min_read_seconds,
        is_featured=is_featured,
        status=LectureStatus.PUBLISHED if published else LectureStatus.DRAFT,
        published_at=timezone.now() - timedelta(minutes=1),
        **extra,
    )
    lecture_save(lecture=lecture)
    if reading:
        reading_list = ReadingList.objects.create(title="本讲阅读清单", lecture=lecture)
        for position, (item_title, required) in enumerate(reading):
            ReadingItem.objects.create(
                reading_list=reading_list, title=item_title, required=required, position=position
            )
    return lecture


def make_bank(name: str | None = None, unit=None):
    from quizzes.models import QuestionBank

    return QuestionBank.objects.create(name=name or f"题库{next(_seq)}", unit=unit)


def make_question(
    bank, kind: str = "single", *, category: str = "党章党规", difficulty: int = 2, **extra
):
    """A valid question of ``kind``; the correct single answer is always "B"."""
    from quizzes.models import Question
    from quizzes.scoring import normalise_stem

    n = next(_seq)
    defaults = {
        "single": {
            "stem": f"第{n}题 单选（　）。",
            "options": ["甲", "乙", "丙", "丁"],
            "answer": ["B"],
        },
        "multiple": {
            "stem": f"第{n}题 多选（　）。",
            "options": ["甲", "乙", "丙", "丁"],
            "answer": ["A", "C"],
        },
        "truefalse": {"stem": f"第{n}题 判断。", "options": [], "answer": [True]},
        "fill": {"stem": f"第{n}题 党员年满（　）岁。", "options": [], "answer": [["十八", "18"]]},
    }[kind]
    fields = {**defaults, **extra}
    fields.setdefault("explanation", f"解析{n}")
    return Question.objects.create(
        bank=bank,
        kind=kind,
        stem_key=normalise_stem(fields["stem"]),
        difficulty=difficulty,
        category=category,
        **fields,
    )


def make_quiz(questions=(), *, rules=None, banks=(), **extra):
    """A published quiz of fixed ``questions`` (1 point each) or drawn by ``rules``;
    a practice test unless ``purpose`` says otherwise (an open exam is not hosted)."""
    from quizzes.models import Quiz, QuizQuestion

    quiz = Quiz.objects.create(
        title=extra.pop("title", f"测试{next(_seq)}"),
        rules=rules or [],
        status=extra.pop("status", "published"),
        purpose=extra.pop("purpose", "practice"),
        shuffle_options=extra.pop("shuffle_options", False),
        **extra,
    )
    quiz.banks.set(banks or {q.bank for q in questions})
    QuizQuestion.objects.bulk_create(
        QuizQuestion(quiz=quiz, question=q, position=i, points=1) for i, q in enumerate(questions)
    )
    return quiz
