"""
A member's study record (学习档案) for a year: what the member was asked to study
and did, as the page, the API and the printed PDF show it.

- **lectures**: the lectures published for a month of the year (the lecture of the
  month and the extra ones), with the member's study time and completion;
- **reading**: the items of the year's published reading lists (a lecture's list, or
  a standing list for the year), checked off or not;
- **sessions**: the organisational-life sessions of the year the member was expected
  at (cancelled ones left out): present, late, on leave, absent, or still to come;
  the make-up task (补学) of each one missed, open or done;
- **exams**: each quiz the member took in the year (an attempt started in it): the
  best score (the quicker of equal ones), attempts, passed; and the days of daily
  practice;
- **contests**: the finished contests of the year the member played, with rank, score
  and right answers (``contests.selectors.contests_played_by``);
- **points**: the points earned per month of the year (the ledger's local ``day``),
  the year's sum, and the balance now.

Who may read it: the member, the own branch's secretary, the unit admin and the city
admin (``scope.members_visible_to``); anyone else gets a 404. A fixed number of
queries whatever the member did.

The result is a plain dict of JSON-ready values (``version`` 1), so the API sends it
as it is and the PDF template (``study_record.typ``) reads the same data.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Q, Sum
from django.db.models.functions import ExtractMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone

from backend.accounts import scope
from backend.accounts.models import User
from backend.points.models import PointBalance, PointEvent
from contests.selectors import contests_played_by
from courses.models import Lecture, LectureProgress, ReadingCheck, ReadingItem
from orglife.models import Attendance, LeaveRequest, LeaveStatus, MakeupTask, SessionStatus
from quizzes.models import Attempt, AttemptKind, AttemptStatus

VERSION = 1
CLOSED = (AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED)

# a session's outcome for the member
PRESENT, LATE, ON_LEAVE, ABSENT, UPCOMING = "present", "late", "on_leave", "absent", "upcoming"


def member_for_record(user, pk: int) -> User:
    """The member whose record ``user`` may read; 404 for anyone else (a member
    outside the scope is not told apart from one who does not exist)."""
    return get_object_or_404(
        scope.members_visible_to(user).select_related("branch__unit", "unit"), pk=pk
    )


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The year in local time, as aware datetimes [start, end)."""
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(date(year, 1, 1), time.min, tzinfo=tz),
        datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=tz),
    )


def _iso(value) -> str | None:
    return timezone.localtime(value).isoformat(timespec="minutes") if value else None


def _lectures(member: User, year: int) -> dict:
    lectures = list(
        Lecture.objects.published()
        .filter(month__year=year)
        .order_by("month", "-is_featured", "title")
        .values("pk", "title", "month", "is_featured", "speaker")
    )
    progress = {
        row["lecture_id"]: row
        for row in LectureProgress.objects.filter(
            member=member, lecture_id__in=[lecture["pk"] for lecture in lectures]
        ).values("lecture_id", "seconds_read", "completed_at")
    }
    items = []
    for lecture in lectures:
        mine = progress.get(lecture["pk"], {})
        items.append(
            {
                "id": lecture["pk"],
                "title": lecture["title"],
                "speaker": lecture["speaker"],
                "month": lecture["month"].strftime("%Y-%m"),
                "featured": lecture["is_featured"],
                "seconds_read": mine.get("seconds_read", 0),
                "completed": mine.get("completed_at") is not None,
                "completed_at": _iso(mine.get("completed_at")),
            }
        )
    return {
        "total": len(items),
        "completed": sum(1 for item in items if item["completed"]),
        "items": items,
    }


def _reading(member: User, year: int) -> dict:
    now = timezone.now()
    rows = list(
        ReadingItem.objects.filter(reading_list__is_published=True)
        .filter(
            Q(reading_list__lecture__isnull=True, reading_list__year=year)
            | Q(
                reading_list__lecture__month__year=year,
                reading_list__lecture__in=Lecture.objects.published(now),
            )
        )
        .order_by("reading_list__position", "reading_list_id", "position", "pk")
        .values("pk", "title", "author", "required", "reading_list__title")
    )
    checked = dict(
        ReadingCheck.objects.filter(member=member, item_id__in=[r["pk"] for r in rows]).values_list(
            "item_id", "checked_at"
        )
    )
    items = [
        {
            "id": row["pk"],
            "title": row["title"],
            "author": row["author"],
            "list": row["reading_list__title"],
            "required": row["required"],
            "checked": row["pk"] in checked,
            "checked_at": _iso(checked.get(row["pk"])),
        }
        for row in rows
    ]
    return {
        "total": len(items),
        "checked": sum(1 for item in items if item["checked"]),
        "required": sum(1 for item in items if item["required"]),
        "required_checked": sum(1 for item in items if item["required"] and item["checked"]),
        "items": items,
    }


def _sessions(member: User, year: int) -> dict:
    start, end = year_bounds(year)
    now = timezone.now()
    rows = list(
        Attendance.objects.filter(
            member=member,
            expected=True,
            session__starts_at__gte=start,
            session__starts_at__lt=end,
        )
        .exclude(session__status=SessionStatus.CANCELLED)
        .select_related("session")
        .order_by("session__starts_at", "session_id")
    )
    ids = [row.session_id for row in rows]
    leave = set(
        LeaveRequest.objects.filter(
            member=member, session_id__in=ids, status=LeaveStatus.APPROVED
        ).values_list("session_id", flat=True)
    )
    makeup = {
        task["session_id"]: task
        for task in MakeupTask.objects.filter(member=member, session_id__in=ids).values(
            "session_id", "status", "done_at"
        )
    }
    items = []
    for row in rows:
        session = row.session
        if row.checked_in_at is not None:
            outcome = LATE if row.late else PRESENT
        elif not session.has_ended(now):
            outcome = UPCOMING
        elif session.pk in leave:
            outcome = ON_LEAVE
        else:
            outcome = ABSENT
        task = makeup.get(session.pk)
        items.append(
            {
                "id": session.pk,
                "title": session.title,
                "kind": session.kind,
                "kind_label": str(session.get_kind_display()),
                "starts_at": _iso(session.starts_at),
                "outcome": outcome,
                "makeup": task["status"] if task else None,
                "makeup_done_at": _iso(task["done_at"]) if task else None,
            }
        )

    def count(*outcomes):
        return sum(1 for item in items if item["outcome"] in outcomes)

    return {
        "expected": len(items),
        "attended": count(PRESENT, LATE),
        "late": count(LATE),
        "on_leave": count(ON_LEAVE),
        "absent": count(ABSENT),
        "upcoming": count(UPCOMING),
        "makeup_open": sum(1 for item in items if item["makeup"] == "open"),
        "makeup_done": sum(1 for item in items if item["makeup"] == "done"),
        "items": items,
    }


def _exams(member: User, year: int) -> tuple[list[dict], int]:
    start, end = year_bounds(year)
    attempts = list(
        Attempt.objects.filter(
            member=member, kind=AttemptKind.QUIZ, started_at__gte=start, started_at__lt=end
        )
        .order_by("started_at")
        .values(
            "quiz_id", "quiz__title", "quiz__purpose", "status", "score", "max_score", "passed",
            "started_at", "finished_at",
        )
    )  # fmt: skip
    by_quiz: dict[int, list[dict]] = {}
    for attempt in attempts:
        by_quiz.setdefault(attempt["quiz_id"], []).append(attempt)
    exams = []
    for rows in by_quiz.values():
        closed = [a for a in rows if a["status"] in CLOSED]

        def used(a):
            return (a["finished_at"] - a["started_at"]).total_seconds() if a["finished_at"] else 0

        best = min(closed, key=lambda a: (-(a["score"] or 0), used(a))) if closed else None
        exams.append(
            {
                "quiz": rows[0]["quiz_id"],
                "title": rows[0]["quiz__title"],
                "purpose": rows[0]["quiz__purpose"],
                "attempts": len(rows),
                "best_score": float(best["score"] or 0) if best else None,
                "max_score": float(best["max_score"]) if best else None,
                "passed": any(a["passed"] for a in closed),
                "seconds": int(used(best)) if best and best["finished_at"] else None,
                "finished_at": _iso(best["finished_at"]) if best else None,
            }
        )
    daily_days = (
        Attempt.objects.filter(member=member, kind=AttemptKind.DAILY, day__year=year)
        .filter(items__correct__isnull=False)
        .values("day")
        .distinct()
        .count()
    )
    return exams, daily_days


def _contests(member: User, year: int) -> list[dict]:
    played = contests_played_by(member)
    return [
        {
            "id": row.id,
            "title": row.title,
            "finished_at": _iso(row.finished_at),
            "rank": row.rank,
            "players": row.players,
            "score": row.score,
            "correct": row.correct,
            "asked": row.asked,
        }
        for row in played
        if row.finished_at and timezone.localtime(row.finished_at).year == year
    ]


def _points(member: User, year: int) -> dict:
    by_month = dict(
        PointEvent.objects.filter(member=member, day__year=year)
        .annotate(m=ExtractMonth("day"))
        .order_by()
        .values_list("m")
        .annotate(points=Sum("points"))
    )
    balance = PointBalance.objects.filter(member=member).values_list("total", flat=True).first()
    months = [{"month": m, "points": by_month.get(m, 0) or 0} for m in range(1, 13)]
    return {
        "months": months,
        "year_total": sum(row["points"] for row in months),
        "balance": balance or 0,
    }


def study_record(*, member: User, year: int) -> dict:
    """The member's record for ``year`` (see the module's docstring); ``member``
    comes from ``member_for_record`` (its branch and unit loaded)."""
    exams, daily_days = _exams(member, year)
    return {
        "version": VERSION,
        "year": year,
        "member": {
            "id": member.pk,
            "name": member.name,
            "username": member.username,
            "role": member.role,
            "branch": member.branch.name if member.branch_id else "",
            "unit": member.unit.name if member.unit_id else "",
        },
        "generated_at": _iso(timezone.now()),
        "lectures": _lectures(member, year),
        "reading": _reading(member, year),
        "sessions": _sessions(member, year),
        "exams": exams,
        "daily_practice_days": daily_days,
        "contests": _contests(member, year),
        "points": _points(member, year),
    }


def years_with_data(member: User) -> list[int]:
    """The years the record's year picker offers: from the member's first points
    (or joining) to this year."""
    this_year = timezone.localdate().year
    first = PointEvent.objects.filter(member=member).order_by("day").values_list("day", flat=True)
    first_day = first.first()
    start = min(
        first_day.year if first_day else this_year, timezone.localtime(member.date_joined).year
    )
    return list(range(this_year, start - 1, -1))
