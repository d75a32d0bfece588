"""Reads for lectures: lists, the lecture page, "my study", supervision reports."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.html import escape

from backend.accounts import scope
from backend.accounts.models import Branch, Unit, User

from .models import Lecture, LectureProgress, ReadingCheck, ReadingItem, ReadingList


def month_from_text(value: str | None) -> date | None:
    """``YYYY-MM`` → the first day of that month; None for anything else."""
    try:
        year, month = (value or "").split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        return None


def _with_my_progress(lectures: QuerySet[Lecture], user: User) -> QuerySet[Lecture]:
    mine = LectureProgress.objects.filter(lecture=OuterRef("pk"), member=user)
    return lectures.annotate(
        my_completed_at=Subquery(mine.values("completed_at")[:1]),
        my_seconds_read=Subquery(mine.values("seconds_read")[:1]),
    )


def lecture_list_for_user(
    *, user: User, month: date | None = None, query: str = "", now: datetime | None = None
) -> QuerySet[Lecture]:
    """Published lectures, newest month first, with the user's own progress joined in.

    ``query`` finds lectures by title or text. Chinese has no word breaks, so a
    substring match is always part of it; on PostgreSQL full-text ranking puts
    the best matches (title above body) first."""
    lectures = Lecture.objects.published(now).defer("body", "body_html")
    if month is not None:
        lectures = lectures.filter(month=month.replace(day=1))
    if query:
        substring = Q(title__icontains=query) | Q(body__icontains=query)
        if connection.vendor == "postgresql":
            vector = SearchVector("title", weight="A", config="simple") + SearchVector(
                "body", weight="B", config="simple"
            )
            search = SearchQuery(query, search_type="websearch", config="simple")
            lectures = (
                lectures.annotate(rank=SearchRank(vector, search))
                .filter(substring | Q(rank__gt=0))
                .order_by("-rank", "-month", "-is_featured")
            )
        else:
            lectures = lectures.filter(substring)
    return _with_my_progress(lectures, user)


def lecture_of_the_month(*, today: date | None = None) -> Lecture | None:
    """This month's featured lecture; else the latest published one."""
    today = today or timezone.localdate()
    published = Lecture.objects.published()
    return (
        published.filter(month=today.replace(day=1), is_featured=True).first()
        or published.filter(month__lte=today).order_by("-month", "-is_featured").first()
    )


def _items_with_my_checks(user: User) -> QuerySet[ReadingItem]:
    return ReadingItem.objects.select_related("attachment").annotate(
        checked=Exists(ReadingCheck.objects.filter(item=OuterRef("pk"), member=user))
    )


def _cited_questions_usable_by(user: User) -> Q:
    """The questions citing a lecture (``Lecture.questions``, from quizzes) that
    ``user`` may practise: active, in the city's banks or the own unit's; every bank
    for a city admin. The same rule as ``quizzes.scope.banks_usable_by`` (courses does
    not import quizzes, which builds on it; tests/quizzes/test_lecture_practice.py
    checks that the two agree)."""
    usable = Q(questions__is_active=True)
    if scope.is_city_admin(user):
        return usable
    return usable & (
        Q(questions__bank__unit__isnull=True) | Q(questions__bank__unit_id=user.unit_id)
    )


def lecture_for_user(*, user: User, pk: int) -> Lecture:
    """A published lecture with attachments, reading list (with the user's
    check-offs), the user's progress and ``quiz_questions``: how many questions
    citing it the user may practise (学完测一测); 404 when not published."""
    lecture = get_object_or_404(
        Lecture.objects.published()
        .annotate(quiz_questions=Count("questions", filter=_cited_questions_usable_by(user)))
        .prefetch_related(
            "attachments",
            Prefetch(
                "reading_list__items",
                queryset=_items_with_my_checks(user),
            ),
        ),
        pk=pk,
    )
    lecture.my_progress = LectureProgress.objects.filter(member=user, lecture=lecture).first()
    return lecture


def body_with_cited_passage(body_html: str, passage: int | None, note: str) -> str:
    """The lecture's (sanitised, numbered) text with paragraph ``passage`` marked as
    the one a question cites: ``class="is-cited"`` and a short ``note`` (escaped)
    at its start. The text unchanged when there is no such paragraph."""
    if not passage:
        return body_html
    start = f'<p id="p{passage}">'
    if start not in body_html:
        return body_html
    marked = (
        f'<p id="p{passage}" class="is-cited" data-cited>'
        f'<span class="cited-note">{escape(note)}</span>'
    )
    return body_html.replace(start, marked, 1)


def reading_item_for_user(*, user: User, pk: int) -> ReadingItem:
    """A reading item the user may check off: on a published list whose lecture,
    if any, is published."""
    visible_lectures = Lecture.objects.published()
    return get_object_or_404(
        ReadingItem.objects.filter(reading_list__is_published=True).filter(
            Q(reading_list__lecture__isnull=True) | Q(reading_list__lecture__in=visible_lectures)
        ),
        pk=pk,
    )


@dataclass
class StudyOverview:
    month: date
    lectures: list[Lecture]
    standing_lists: list[ReadingList]
    required_items: int = 0
    required_done: int = 0

    @property
    def lectures_done(self) -> int:
        return sum(1 for lecture in self.lectures if lecture.my_completed_at)


def study_overview(*, user: User, month: date) -> StudyOverview:
    """What the month asks of the user and what is done: the month's lectures with
    their reading lists, and the year's standing reading lists."""
    month = month.replace(day=1)
    items = Prefetch("reading_list__items", queryset=_items_with_my_checks(user))
    lectures = list(
        _with_my_progress(
            Lecture.objects.published().filter(month=month).prefetch_related(items), user
        ).order_by("-is_featured", "title")
    )
    standing = list(
        ReadingList.objects.filter(lecture__isnull=True, year=month.year, is_published=True)
        .prefetch_related(Prefetch("items", queryset=_items_with_my_checks(user)))
        .order_by("position", "id")
    )
    overview = StudyOverview(month=month, lectures=lectures, standing_lists=standing)
    all_items = [
        item
        for lecture in lectures
        if hasattr(lecture, "reading_list")
        for item in lecture.reading_list.items.all()
    ] + [item for reading_list in standing for item in reading_list.items.all()]
    required = [item for item in all_items if item.required]
    overview.required_items = len(required)
    overview.required_done = sum(1 for item in required if item.checked)
    return overview


# --- supervision ----------------------------------------------------------------------------


@dataclass
class ReportRow:
    member_id: int
    name: str
    username: str
    unit: str
    branch: str
    seconds_read: int
    completed_at: datetime | None


@dataclass
class LectureReport:
    lecture: Lecture
    branch: Branch | None
    unit: Unit | None
    rows: list[ReportRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def completed(self) -> list[ReportRow]:
        return [row for row in self.rows if row.completed_at]

    @property
    def not_completed(self) -> list[ReportRow]:
        return [row for row in self.rows if not row.completed_at]

    @property
    def rate(self) -> float:
        return len(self.completed) / self.total if self.total else 0.0


def lecture_report(
    *, user: User, lecture: Lecture, branch_id: int | None = None, unit_id: int | None = None
) -> LectureReport:
    """Who in the user's scope (optionally one branch or unit of it) has completed
    the lecture. A branch or unit outside the scope is a 404, not an empty list."""
    branch = unit = None
    people = scope.study_audience_visible_to(user)
    if branch_id is not None:
        branch = get_object_or_404(
            scope.branches_visible_to(user).select_related("unit"), pk=branch_id
        )
        people = people.filter(branch=branch)
    if unit_id is not None:
        unit = get_object_or_404(scope.units_visible_to(user), pk=unit_id)
        people = people.filter(unit=unit)
    progress = LectureProgress.objects.filter(lecture=lecture, member=OuterRef("pk"))
    people = (
        people.annotate(
            completed_at=Subquery(progress.values("completed_at")[:1]),
            seconds_read=Subquery(progress.values("seconds_read")[:1]),
            unit_name=F("unit__name"),
            branch_name=F("branch__name"),
        )
        .order_by("unit__position", "unit__name", "branch__position", "branch__name", "username")
        .values(
            "pk",
            "display_name",
            "username",
            "unit_name",
            "branch_name",
            "completed_at",
            "seconds_read",
        )
    )
    rows = [
        ReportRow(
            member_id=p["pk"],
            name=p["display_name"] or p["username"],
            username=p["username"],
            unit=p["unit_name"],
            branch=p["branch_name"],
            seconds_read=p["seconds_read"] or 0,
            completed_at=p["completed_at"],
        )
        for p in people
    ]
    return LectureReport(lecture=lecture, branch=branch, unit=unit, rows=rows)


@dataclass
class BranchCompletion:
    branch_id: int
    branch: str
    unit: str
    total: int
    completed: int

    @property
    def rate(self) -> float:
        return self.completed / self.total if self.total else 0.0


def lecture_completion_by_branch(*, user: User, lecture: Lecture) -> list[BranchCompletion]:
    """Per branch in the user's scope: how many have completed the lecture (one query);
    the branches that lag behind come first."""
    audience = scope.study_audience_visible_to(user)
    done = LectureProgress.objects.filter(lecture=lecture, completed_at__isnull=False)
    rows = (
        audience.values("branch_id", "branch__name", "unit__name")
        .annotate(
            total=Count("pk"),
            completed=Count("pk", filter=Q(pk__in=done.values("member_id"))),
        )
        .order_by()
    )
    result = [
        BranchCompletion(
            branch_id=r["branch_id"],
            branch=r["branch__name"],
            unit=r["unit__name"],
            total=r["total"],
            completed=r["completed"],
        )
        for r in rows
    ]
    return sorted(result, key=lambda b: (b.rate, b.unit, b.branch))


def lectures_for_reports(*, year: int, now: datetime | None = None) -> QuerySet[Lecture]:
    return Lecture.objects.published(now).filter(month__year=year).defer("body", "body_html")
