"""
Make-up study (补学): after a session has ended, everyone expected who did not
check in gets a ``MakeupTask`` (``on_leave`` when their leave was approved).

A task's items are what the session studied: its record (read on the signed
record page: ``makeup_record_read``), its lecture (``LectureProgress.completed_at``),
its reading items (``ReadingCheck`` rows) and its quiz (a finished attempt with
``passed``). A task is done when the system has seen every item done — never by
a click: ``makeup_refresh(member)`` is called when any of these changes
(``orglife/signals.py``) and closes the member's tasks whose items are all done,
awarding the ``orglife_makeup`` points once per task.

Tasks are created by ``makeup_create_due(now)``: from ``manage.py orglife_tick``
(the compose ``scheduler`` runs it every minute) and lazily before the pages that
show them; with nothing to do it costs one query.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.points.services import points_award
from courses.models import LectureProgress, ReadingCheck, ReadingItem
from quizzes.models import Attempt

from .models import (
    Attendance,
    LeaveRequest,
    LeaveStatus,
    MakeupStatus,
    MakeupTask,
    Session,
    SessionStatus,
)

POINT_KIND = "orglife_makeup"


# --- creating the tasks -----------------------------------------------------------------


def sessions_due(now: datetime) -> QuerySet[Session]:
    """Ended, not cancelled, and not yet given their make-up tasks."""
    return Session.objects.filter(
        status=SessionStatus.SCHEDULED, ends_at__lte=now, makeup_created_at__isnull=True
    )


@transaction.atomic
def makeup_create_for_session(*, session_id: int, now: datetime) -> int:
    """
    Creates the tasks of one ended session, once: the session row is locked and
    ``makeup_created_at`` checked under the lock, so two ticks at once create
    them once. Returns how many were created.
    """
    session = (
        Session.objects.select_for_update()
        .filter(pk=session_id, makeup_created_at__isnull=True, status=SessionStatus.SCHEDULED)
        .first()
    )
    if session is None or not session.has_ended(now):
        return 0
    absent = Attendance.objects.filter(
        session=session, expected=True, checked_in_at__isnull=True, member__is_active=True
    ).values_list("member_id", flat=True)
    excused = set(
        LeaveRequest.objects.filter(session=session, status=LeaveStatus.APPROVED).values_list(
            "member_id", flat=True
        )
    )
    created = MakeupTask.objects.bulk_create(
        [
            MakeupTask(session=session, member_id=pk, on_leave=pk in excused, created_at=now)
            for pk in absent
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    session.makeup_created_at = now
    session.save(update_fields=["makeup_created_at"])
    return len(created)


def makeup_create_due(now: datetime | None = None) -> int:
    """Creates the tasks of every session that ended and has none yet (one
    query when there is none). Each session in its own transaction."""
    now = now or timezone.now()
    total = 0
    for pk in list(sessions_due(now).values_list("pk", flat=True)):
        total += makeup_create_for_session(session_id=pk, now=now)
    return total


# --- items ------------------------------------------------------------------------------


@dataclass
class Item:
    kind: str  # "record" | "lecture" | "reading" | "quiz"
    title: str
    done: bool
    url: str
    target_id: int | None = None  # the lecture, reading item or quiz


@dataclass
class TaskView:
    task: MakeupTask
    items: list[Item] = field(default_factory=list)

    @property
    def session(self) -> Session:
        return self.task.session

    @property
    def all_done(self) -> bool:
        return all(item.done for item in self.items)

    @property
    def done_count(self) -> int:
        return sum(item.done for item in self.items)


def record_url(session_id: int) -> str:
    """Where a session's record is read (opening it signed marks the record item)."""
    return reverse("orglife:record", args=[session_id])


def _reading_url(item: ReadingItem) -> str:
    lecture_id = item.reading_list.lecture_id
    return (
        reverse("courses:lecture", args=[lecture_id]) if lecture_id else reverse("courses:my_study")
    )


def _tasks_with_material(tasks: QuerySet[MakeupTask]) -> QuerySet[MakeupTask]:
    return tasks.select_related("session", "session__lecture", "session__quiz").prefetch_related(
        Prefetch(
            "session__reading_items",
            queryset=ReadingItem.objects.select_related("reading_list").order_by(
                "reading_list", "position", "id"
            ),
        )
    )


def task_views(member: User, tasks: QuerySet[MakeupTask]) -> list[TaskView]:
    """
    ``tasks`` (all the member's) with their items and whether each is done: at most
    five queries whatever the number of tasks (tasks, reading items, and the member's
    lecture progress, reading checks and passed attempts among those studied).
    """
    tasks = list(_tasks_with_material(tasks))
    lectures = {t.session.lecture_id for t in tasks if t.session.lecture_id}
    quizzes = {t.session.quiz_id for t in tasks if t.session.quiz_id}
    readings = {item.pk for t in tasks for item in t.session.reading_items.all()}
    lectures_done = set(
        LectureProgress.objects.filter(
            member=member, lecture_id__in=lectures, completed_at__isnull=False
        ).values_list("lecture_id", flat=True)
        if lectures
        else ()
    )
    readings_done = set(
        ReadingCheck.objects.filter(member=member, item_id__in=readings).values_list(
            "item_id", flat=True
        )
        if readings
        else ()
    )
    quizzes_done = set(
        Attempt.objects.filter(
            member=member, quiz_id__in=quizzes, passed=True, finished_at__isnull=False
        ).values_list("quiz_id", flat=True)
        if quizzes
        else ()
    )
    views = []
    for task in tasks:
        session = task.session
        items = [
            Item(
                "record",
                _("Read the record of the session"),
                task.record_read_at is not None,
                record_url(session.pk),
                session.pk,
            )
        ]
        if session.lecture_id:
            items.append(
                Item(
                    "lecture",
                    session.lecture.title,
                    session.lecture_id in lectures_done,
                    reverse("courses:lecture", args=[session.lecture_id]),
                    session.lecture_id,
                )
            )
        for item in session.reading_items.all():
            items.append(
                Item("reading", item.title, item.pk in readings_done, _reading_url(item), item.pk)
            )
        if session.quiz_id:
            items.append(
                Item(
                    "quiz",
                    session.quiz.title,
                    session.quiz_id in quizzes_done,
                    reverse("quizzes:hub"),
                    session.quiz_id,
                )
            )
        views.append(TaskView(task, items))
    return views


def makeup_tasks_for(member: User) -> list[TaskView]:
    """The member's tasks, open ones first (newest session first within each)."""
    # "open" sorts after "done": descending puts the open tasks first.
    tasks = MakeupTask.objects.filter(member=member).order_by(
        "-status", "-session__starts_at", "-id"
    )
    return task_views(member, tasks)


# --- closing them -----------------------------------------------------------------------


def has_open_tasks(member_id: int) -> bool:
    return MakeupTask.objects.filter(member_id=member_id, status=MakeupStatus.OPEN).exists()


def makeup_refresh(member: User, now: datetime | None = None) -> list[MakeupTask]:
    """
    Closes the member's open tasks whose items are all seen done, sets ``done_at``
    and awards the ``orglife_makeup`` points (idempotent per task). One query when
    the member has no open task; bounded otherwise (``task_views``, then a save
    and an award per task closed). Returns the tasks closed.
    """
    if not has_open_tasks(member.pk):
        return []
    return makeup_close_done(member, now)


@transaction.atomic
def makeup_close_done(member: User, now: datetime | None = None) -> list[MakeupTask]:
    """``makeup_refresh`` once the member is known to have open tasks (locks them)."""
    now = now or timezone.now()
    open_tasks = MakeupTask.objects.filter(member=member, status=MakeupStatus.OPEN)
    closed = []
    for view in task_views(member, open_tasks.select_for_update(of=("self",))):
        if not view.all_done:
            continue
        task = view.task
        task.status = MakeupStatus.DONE
        task.done_at = now
        task.save(update_fields=["status", "done_at"])
        points_award(member=member, kind=POINT_KIND, source_key=f"makeup:{task.pk}", now=now)
        closed.append(task)
    return closed


@transaction.atomic
def makeup_record_read(*, member: User, session: Session, now: datetime | None = None) -> None:
    """
    The member has opened the session's signed record: marks the record item of
    their task (if any) and closes the task if that was the last item. Call it from
    the record page when the record is signed and the reader is the member.
    Costs one query when the member has no task there or has read it before.
    """
    now = now or timezone.now()
    marked = MakeupTask.objects.filter(
        Q(record_read_at__isnull=True), session=session, member=member
    ).update(record_read_at=now)
    if marked:
        makeup_close_done(member, now)
