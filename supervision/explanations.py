"""
Explanations (说明): what a published quarter demands of the units ranked last.

Publishing a quarter (``supervision.assessment``) calls ``explanations_create``:
the bottom units of the snapshot (``AssessmentSetting.bottom_n`` of the year; a
tie at the cut takes every unit of that rank) each get an ``Explanation`` due
``explanation_days`` after the publication. One unit has at most one explanation
per quarter, whichever version demanded it: a re-publication keeps the rows of
units still at the bottom (their deadline too), creates rows for units new to
it, and drops only the untouched rows of units that left it (a filed one stays).

The workflow, one service each (the caller's right is checked by the caller,
``can_file`` / ``can_review``)::

    pending ──file──► submitted ──review──► reviewed (final)
                        │   ▲ edit (text, more files) until reviewed
                      return│
                        ▼   │ file again
                      returned

Filing after the deadline is allowed and marked late: an explanation is *late*
when it was first filed after ``due_at``, or is not filed and the deadline has
passed. ``submitted_at`` keeps the first filing (a later edit does not move it).
Files are checked as a lecture's attachments are (size, type from the bytes) and
stored all or none; one refused file and nothing is written.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from rest_framework import status as http

from backend.accounts.models import Role, Unit, User
from backend.accounts.scope import UserLike, is_city_admin
from courses import filetypes
from courses.services import CheckedUpload, attachment_check, upload_fields, uploads_store

from .models import (
    Assessment,
    AssessmentSetting,
    Explanation,
    ExplanationFile,
    ExplanationStatus,
)

#: What an explanation takes: photos, PDF and office documents (no audio, no video).
FILE_KINDS = frozenset({"image", "pdf", "document", "slides"})
FILE_ACCEPT = "image/*,application/pdf,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx"
MAX_FILES_AT_ONCE = 20
MAX_TEXT_CHARS = 20_000
MAX_NOTE_CHARS = 2_000
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")

#: The list's filters besides the statuses.
LATE = "late"
FILTERS = (
    ExplanationStatus.PENDING,
    LATE,
    ExplanationStatus.SUBMITTED,
    ExplanationStatus.RETURNED,
    ExplanationStatus.REVIEWED,
)
FILTER_NAMES = {
    ExplanationStatus.PENDING: pgettext_lazy("explanation", "Outstanding"),
    LATE: pgettext_lazy("explanation", "Late"),
    ExplanationStatus.SUBMITTED: pgettext_lazy("explanation", "Submitted"),
    ExplanationStatus.RETURNED: pgettext_lazy("explanation", "Returned"),
    ExplanationStatus.REVIEWED: pgettext_lazy("explanation", "Reviewed"),
}


class ExplanationError(Exception):
    """A refused step: a Chinese message, a ``code`` for programs and the HTTP status."""

    def __init__(
        self, message: str, code: str = "invalid", status: int = http.HTTP_400_BAD_REQUEST
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


def quarter_label(quarter: str) -> str:
    """``2026-Q3`` as people read it (2026年第3季度)."""
    match = QUARTER.match(quarter or "")
    if not match:
        return quarter
    return _("%(year)s Q%(n)s") % {"year": match.group(1), "n": match.group(2)}


def is_late(explanation: Explanation, now: datetime | None = None) -> bool:
    """Filed after the deadline, or not filed and the deadline has passed."""
    moment = explanation.submitted_at or now or timezone.now()
    return moment > explanation.due_at


# --- creating the tasks -------------------------------------------------------------------


def bottom_units(units: list[dict], n: int) -> list[tuple[int, int]]:
    """``(unit id, rank)`` of the ``n`` units ranked last in a snapshot's ``units``
    (``[{id, rank, …}]``), worst first; units tied with the n-th from the bottom come
    too (ties share a rank, so none of them is spared by the order of the list)."""
    ranked = sorted(
        ((u["id"], u["rank"]) for u in units if u.get("rank") is not None),
        key=lambda pair: (-pair[1], pair[0]),
    )
    if n <= 0 or not ranked:
        return []
    if len(ranked) <= n:
        return ranked
    cut = ranked[n - 1][1]
    return [pair for pair in ranked if pair[1] >= cut]


@transaction.atomic
def explanations_create(assessment: Assessment) -> list[Explanation]:
    """
    The explanation tasks of a published version (idempotent): a row for each
    bottom unit without one for this quarter yet, due ``explanation_days`` after
    ``assessment.published_at``; a unit that left the bottom loses its row only if
    nothing was filed on it. Returns the rows created.
    """
    setting = AssessmentSetting.for_year(assessment.year)
    wanted = bottom_units(assessment.snapshot.get("units", []), setting.bottom_n)
    existing_units = set(
        Unit.objects.filter(pk__in=[u for u, _r in wanted]).values_list("pk", flat=True)
    )
    rows = {
        e.unit_id: e
        for e in Explanation.objects.select_for_update().filter(
            assessment__quarter=assessment.quarter
        )
    }
    due = assessment.published_at + timedelta(days=setting.explanation_days)
    created = [
        Explanation(assessment=assessment, unit_id=unit_id, rank=rank, due_at=due)
        for unit_id, rank in wanted
        if unit_id in existing_units and unit_id not in rows
    ]
    Explanation.objects.bulk_create(created)
    still = {unit_id for unit_id, _rank in wanted}
    untouched = [
        e.pk
        for unit_id, e in rows.items()
        if unit_id not in still and e.status == ExplanationStatus.PENDING and not e.text
    ]
    if untouched:
        Explanation.objects.filter(pk__in=untouched, files__isnull=True).delete()
    return created


# --- who may see and do what --------------------------------------------------------------


def can_see_explanations(user: UserLike) -> bool:
    """The city admin (all units) and a unit admin (the own unit)."""
    return is_city_admin(user) or bool(
        user.is_active and getattr(user, "role", None) == Role.UNIT_ADMIN and user.unit_id
    )


def explanations_visible_to(user: UserLike) -> QuerySet[Explanation]:
    if is_city_admin(user):
        return Explanation.objects.all()
    if can_see_explanations(user):
        return Explanation.objects.filter(unit_id=user.unit_id)
    return Explanation.objects.none()


def can_file(user: UserLike, explanation: Explanation) -> bool:
    """The admin of the explanation's unit files it (the city admin does not)."""
    return bool(
        user.is_active
        and getattr(user, "role", None) == Role.UNIT_ADMIN
        and user.unit_id == explanation.unit_id
    )


def can_review(user: UserLike) -> bool:
    return is_city_admin(user)


def published_quarter(quarter: str) -> Assessment | None:
    """The latest published version of ``quarter``, or None (unknown or not published)."""
    if not QUARTER.match(quarter or ""):
        return None
    return Assessment.objects.filter(quarter=quarter).order_by("-version").first()


def _with_details(rows: QuerySet[Explanation]) -> QuerySet[Explanation]:
    return rows.select_related(
        "unit", "assessment", "submitted_by", "reviewed_by"
    ).prefetch_related(
        Prefetch("files", queryset=ExplanationFile.objects.select_related("added_by"))
    )


def explanations_of_quarter(user: UserLike, quarter: str) -> list[Explanation]:
    """The quarter's explanations the caller may see, worst rank first (three queries)."""
    rows = explanations_visible_to(user).filter(assessment__quarter=quarter)
    return list(_with_details(rows).order_by("-rank", "unit__name", "pk"))


def explanations_listed(
    user: UserLike, *, quarter: str | None = None, status: str | None = None, now=None
) -> list[Explanation]:
    """The caller's explanations (newest quarter first), filtered by quarter and by a
    status or ``late``; three queries."""
    now = now or timezone.now()
    rows = explanations_visible_to(user)
    if quarter:
        rows = rows.filter(assessment__quarter=quarter)
    if status in ExplanationStatus.values:
        rows = rows.filter(status=status)
    listed = _with_details(rows).order_by("-assessment__quarter", "-rank", "unit__name", "pk")
    return [e for e in listed if matches(e, status, now)]


def matches(explanation: Explanation, wanted: str | None, now: datetime | None = None) -> bool:
    """Whether ``explanation`` passes the list's filter (a status, ``late``, or none)."""
    if wanted == LATE:
        return is_late(explanation, now)
    if wanted in ExplanationStatus.values:
        return explanation.status == wanted
    return True


def explanation_visible(user: UserLike, pk: int) -> Explanation | None:
    return _with_details(explanations_visible_to(user).filter(pk=pk)).first()


def explanation_of_unit(quarter: str, unit_id: int | None) -> Explanation | None:
    """The unit's explanation for ``quarter`` (whichever version demanded it)."""
    if unit_id is None:
        return None
    rows = Explanation.objects.filter(assessment__quarter=quarter, unit_id=unit_id)
    return _with_details(rows).first()


@dataclass
class Counts:
    total: int = 0
    outstanding: int = 0
    late: int = 0
    submitted: int = 0
    returned: int = 0
    reviewed: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def explanation_counts(explanations: list[Explanation], now: datetime | None = None) -> Counts:
    """Outstanding (not filed yet), late (see ``is_late``), submitted (waiting for the
    review), returned (waiting for the unit), reviewed."""
    now = now or timezone.now()
    counts = Counts(total=len(explanations))
    for e in explanations:
        if e.status == ExplanationStatus.PENDING:
            counts.outstanding += 1
        elif e.status == ExplanationStatus.SUBMITTED:
            counts.submitted += 1
        elif e.status == ExplanationStatus.RETURNED:
            counts.returned += 1
        elif e.status == ExplanationStatus.REVIEWED:
            counts.reviewed += 1
        if is_late(e, now):
            counts.late += 1
    return counts


def explanations_due_for(user: UserLike) -> list[Explanation]:
    """What the unit admin's unit must still (re)file: pending or returned, oldest
    deadline first, each with its ``quarter_name`` (the home page's card); one query."""
    if not user.is_active or getattr(user, "role", None) != Role.UNIT_ADMIN or not user.unit_id:
        return []
    due = list(
        Explanation.objects.filter(
            unit_id=user.unit_id,
            status__in=(ExplanationStatus.PENDING, ExplanationStatus.RETURNED),
        )
        .select_related("assessment")
        .order_by("due_at", "pk")
    )
    for e in due:
        e.quarter_name = quarter_label(e.assessment.quarter)
    return due


def explanations_waiting_count(user: UserLike) -> int | None:
    """For the city admin: how many filed explanations wait for the review (one
    query); None for everyone else."""
    if not can_review(user):
        return None
    return Explanation.objects.filter(status=ExplanationStatus.SUBMITTED).count()


# --- filing -------------------------------------------------------------------------------


def explanation_upload_check(upload) -> CheckedUpload:
    """Validates one upload (size, type from its bytes: photos, PDF, documents);
    raises ``ExplanationError`` ("file_refused") saying why."""
    try:
        checked = attachment_check(upload=upload)
    except filetypes.RefusedFile as exc:
        raise ExplanationError(str(exc), "file_refused") from None
    if checked.type.kind not in FILE_KINDS:
        raise ExplanationError(
            _("%(name)s is %(type)s; an explanation takes photos, PDF and documents.")
            % {"name": upload.name, "type": checked.type.label},
            "file_refused",
        )
    return checked


def explanation_uploads_check(uploads) -> list[CheckedUpload]:
    """Validates every upload before any is stored (one bad file: none is taken)."""
    if len(uploads) > MAX_FILES_AT_ONCE:
        raise ExplanationError(
            _("At most %(n)d files at once.") % {"n": MAX_FILES_AT_ONCE}, "too_many_files"
        )
    return [explanation_upload_check(upload) for upload in uploads]


def _text(value: str | None) -> str:
    """A form's text without Windows line ends and NUL characters (PostgreSQL refuses them)."""
    return (value or "").replace("\r\n", "\n").replace("\x00", "").strip()


def _reviewed_error() -> ExplanationError:
    return ExplanationError(
        _("This explanation has been reviewed; it can no longer be changed."),
        "reviewed",
        http.HTTP_409_CONFLICT,
    )


@transaction.atomic
def explanation_file(
    *,
    explanation: Explanation,
    by: User,
    text: str,
    uploads: list[CheckedUpload] = (),
    remove: list[int] = (),
    now: datetime | None = None,
) -> Explanation:
    """
    Files (or edits, or files again after a return) the unit's explanation: the text
    replaces the last one, checked uploads are added, files ``remove`` are taken off.
    The caller may file it (``can_file``); the uploads are checked
    (``explanation_uploads_check``). Refused once reviewed (409 "reviewed").
    """
    now = now or timezone.now()
    text = _text(text)
    if not text:
        raise ExplanationError(_("Write the explanation."), "text_required")
    if len(text) > MAX_TEXT_CHARS:
        raise ExplanationError(
            _("The explanation is longer than %(n)d characters.") % {"n": MAX_TEXT_CHARS},
            "too_long",
        )
    row = Explanation.objects.select_for_update().get(pk=explanation.pk)
    if row.status == ExplanationStatus.REVIEWED:
        raise _reviewed_error()
    row.text = text
    if row.submitted_at is None:
        row.submitted_at = now
    row.submitted_by = by
    row.status = ExplanationStatus.SUBMITTED
    row.save(update_fields=["text", "submitted_at", "submitted_by", "status"])
    gone = list(ExplanationFile.objects.filter(explanation=row, pk__in=list(remove)))
    for item in gone:
        stored = item.file
        item.delete()
        transaction.on_commit(lambda stored=stored: stored.delete(save=False))
    if uploads:
        uploads_store(
            list(uploads),
            lambda checked: ExplanationFile(
                explanation=row, added_at=now, added_by=by, **upload_fields(checked)
            ),
        )
    return row


def _decidable(explanation: Explanation) -> Explanation:
    row = Explanation.objects.select_for_update().get(pk=explanation.pk)
    if row.status == ExplanationStatus.REVIEWED:
        raise _reviewed_error()
    if row.status != ExplanationStatus.SUBMITTED:
        raise ExplanationError(
            _("The unit has not filed this explanation (again) yet."),
            "not_filed",
            http.HTTP_409_CONFLICT,
        )
    return row


def _note(note: str | None, *, required: bool) -> str:
    note = _text(note)
    if required and not note:
        raise ExplanationError(_("Say what the unit should add or change."), "note_required")
    if len(note) > MAX_NOTE_CHARS:
        raise ExplanationError(
            _("The note is longer than %(n)d characters.") % {"n": MAX_NOTE_CHARS}, "too_long"
        )
    return note


@transaction.atomic
def explanation_review(
    *, explanation: Explanation, by: User, note: str = "", now: datetime | None = None
) -> Explanation:
    """The city admin accepts a filed explanation (final); the note is optional."""
    note = _note(note, required=False)
    row = _decidable(explanation)
    row.status = ExplanationStatus.REVIEWED
    row.review_note = note
    row.reviewed_at = now or timezone.now()
    row.reviewed_by = by
    row.save(update_fields=["status", "review_note", "reviewed_at", "reviewed_by"])
    return row


@transaction.atomic
def explanation_return(
    *, explanation: Explanation, by: User, note: str, now: datetime | None = None
) -> Explanation:
    """The city admin sends a filed explanation back with a note (required); the
    unit revises it and files it again."""
    note = _note(note, required=True)
    row = _decidable(explanation)
    row.status = ExplanationStatus.RETURNED
    row.review_note = note
    row.reviewed_at = now or timezone.now()
    row.reviewed_by = by
    row.save(update_fields=["status", "review_note", "reviewed_at", "reviewed_by"])
    return row


# --- demo data ----------------------------------------------------------------------------

DEMO_TEXT = (
    "一、排名靠后的原因：本季度两个支部换届，三会一课有缺项；部分党员未按时完成月度讲座"
    "学习和考试。\n二、整改措施：十二月底前补齐缺项的组织生活；支部书记逐人督促讲座学习"
    "和补考；每月通报一次学习进度。\n三、责任人：机关党委书记，各支部书记。"
)


def explanations_demo(assessment: Assessment, *, reviewer: User) -> None:
    """For ``seed_demo``: of a quarter whose explanations are all untouched, the worst
    unit's is filed and reviewed, the next one's filed and returned with a note, the
    rest left outstanding, so the list shows every state. A unit without an admin
    stays outstanding. Idempotent (a quarter with anything filed is left alone)."""
    rows = list(
        Explanation.objects.filter(assessment__quarter=assessment.quarter).order_by("-rank", "pk")
    )
    if any(e.status != ExplanationStatus.PENDING or e.text for e in rows):
        return
    admins = {
        u.unit_id: u
        for u in User.objects.filter(
            role=Role.UNIT_ADMIN, is_active=True, unit_id__in=[e.unit_id for e in rows]
        ).order_by("-pk")
    }
    filed_at = assessment.published_at + timedelta(days=3)
    for step, row in enumerate(rows[:2]):
        admin = admins.get(row.unit_id)
        if admin is None:
            continue
        explanation_file(explanation=row, by=admin, text=DEMO_TEXT, now=filed_at)
        decided_at = filed_at + timedelta(days=2)
        if step == 0:
            explanation_review(
                explanation=row, by=reviewer, note="同意，按期整改。", now=decided_at
            )
        else:
            explanation_return(
                explanation=row,
                by=reviewer,
                note="请写明每项整改的完成时限，并附支部整改台账。",
                now=decided_at,
            )
