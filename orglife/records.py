"""
The record (记录簿) of a session: minutes, decisions, photos and files, and the
attendance as check-in saw it.

The session's managers (``scope.can_manage_session``) write the record and sign
it off; from then on it is frozen: every change is an ``Amendment`` (who, when,
why, the field, before and after), and a file added later belongs to one.
Anyone who may see the session reads the signed record; an unsigned one is the
managers' draft. Services write (``record_save``, ``record_sign``,
``record_amend``, ``record_file_add``); the selectors below read, with a fixed
number of queries whatever the number of sessions (the branch's year).
"""

from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import status as http

from backend.accounts.models import Branch, Role, User
from backend.accounts.scope import UserLike, branches_manageable_by
from courses import filetypes
from courses.rendering import render_markdown
from courses.services import CheckedUpload, attachment_check, upload_fields, uploads_store

from .errors import OrglifeError
from .models import (
    Amendment,
    Attendance,
    CheckinMethod,
    LeaveRequest,
    LeaveStatus,
    MakeupStatus,
    MakeupTask,
    Record,
    RecordFile,
    Session,
    SessionStatus,
)
from .scope import can_manage_session, sessions_visible_to

#: What a record takes: photos, PDF and office documents (no audio, no video).
FILE_KINDS = frozenset({"image", "pdf", "document", "slides"})
#: The ``accept`` of the upload field: phones offer the camera for ``image/*``.
FILE_ACCEPT = "image/*,application/pdf,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx"
MAX_FILES_AT_ONCE = 20
MAX_MINUTES_CHARS = 50_000
MAX_DECISIONS_CHARS = 10_000

FIELD_NAMES = {
    "minutes": gettext_lazy("Minutes"),
    "decisions": gettext_lazy("Decisions"),
    "files": gettext_lazy("Photos and files"),
}


# --- who may read and keep which record ---------------------------------------------------


def session_for_record(user: UserLike, pk: int) -> Session | None:
    """The session ``pk`` if ``user`` may see it (with host, branch, unit), else None."""
    visible = sessions_visible_to(user).filter(pk=pk).values("pk")
    return Session.objects.filter(pk__in=visible).select_related("host", "branch", "unit").first()


def can_read_record(user: UserLike, session: Session, record: Record | None) -> bool:
    """The managers read the draft; everyone who sees the session, the signed record."""
    return (record is not None and record.is_signed) or can_manage_session(user, session)


def branches_with_record_book_for(user: UserLike) -> QuerySet[Branch]:
    """Branches whose year of records ``user`` may export: the own branch's secretary,
    the unit's admin, the city admin."""
    if user.is_active and getattr(user, "role", None) == Role.SECRETARY and user.branch_id:
        return Branch.objects.filter(pk=user.branch_id)
    return branches_manageable_by(user)


# --- attendance as check-in saw it --------------------------------------------------------


@dataclass(frozen=True)
class Attendee:
    name: str
    branch: str
    checked_in_at: datetime | None = None
    manual: bool = False


@dataclass
class AttendanceSummary:
    """Who was expected and how each came (or did not): present on time, late
    (both may be ``manual``: checked in by the host), on leave (approved), absent;
    guests were not expected (a hall lecture)."""

    expected: int = 0
    present: list[Attendee] = field(default_factory=list)
    late: list[Attendee] = field(default_factory=list)
    on_leave: list[Attendee] = field(default_factory=list)
    absent: list[Attendee] = field(default_factory=list)
    guests: list[Attendee] = field(default_factory=list)

    @property
    def manual(self) -> list[Attendee]:
        return [a for a in self.present + self.late if a.manual]

    @property
    def attended(self) -> int:
        return len(self.present) + len(self.late)

    def as_dict(self) -> dict:
        def names(people):
            return [{"name": a.name, "branch": a.branch, "manual": a.manual} for a in people]

        return {
            "expected": self.expected,
            "present": names(self.present),
            "late": names(self.late),
            "on_leave": names(self.on_leave),
            "absent": names(self.absent),
            "guests": names(self.guests),
            "manual": len(self.manual),
        }


def attendance_summaries(session_ids: list[int]) -> dict[int, AttendanceSummary]:
    """The attendance of each session (two queries for any number of sessions)."""
    summaries = {pk: AttendanceSummary() for pk in session_ids}
    on_leave = set(
        LeaveRequest.objects.filter(
            session_id__in=session_ids, status=LeaveStatus.APPROVED
        ).values_list("session_id", "member_id")
    )
    rows = (
        Attendance.objects.filter(session_id__in=session_ids)
        .select_related("member", "branch")
        .order_by("session_id", "id")
    )
    for row in rows:
        summary = summaries[row.session_id]
        person = Attendee(
            name=row.member.name,
            branch=row.branch.name if row.branch_id else "",
            checked_in_at=row.checked_in_at,
            manual=row.method == CheckinMethod.MANUAL,
        )
        if row.expected:
            summary.expected += 1
        if row.checked_in_at is not None:
            if not row.expected:
                summary.guests.append(person)
            elif row.late:
                summary.late.append(person)
            else:
                summary.present.append(person)
        elif row.expected:
            bucket = (
                summary.on_leave if (row.session_id, row.member_id) in on_leave else summary.absent
            )
            bucket.append(person)
    return summaries


def session_attendance(session: Session) -> AttendanceSummary:
    return attendance_summaries([session.pk])[session.pk]


# --- reading records ----------------------------------------------------------------------


def _record_prefetches(prefix: str = "") -> list:
    return [
        Prefetch(f"{prefix}files", queryset=RecordFile.objects.select_related("amendment")),
        Prefetch(f"{prefix}amendments", queryset=Amendment.objects.select_related("author")),
    ]


def record_for(session: Session) -> Record | None:
    """The session's record with its files and amendments (three queries), or None."""
    return (
        Record.objects.filter(session=session)
        .select_related("signed_by", "updated_by")
        .prefetch_related(*_record_prefetches())
        .first()
    )


@dataclass
class RecordEntry:
    """One page of the record book: the session, its record (maybe none yet), attendance."""

    session: Session
    record: Record | None
    attendance: AttendanceSummary


def record_entry(session: Session) -> RecordEntry:
    return RecordEntry(session, record_for(session), session_attendance(session))


def record_book(branch: Branch, year: int, *, now: datetime | None = None) -> list[RecordEntry]:
    """The branch's sessions held in ``year`` (begun, not cancelled), oldest first,
    each with its record and attendance: six queries whatever their number."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    start = datetime(year, 1, 1, tzinfo=tz)
    end = datetime(year + 1, 1, 1, tzinfo=tz)
    sessions = list(
        Session.objects.filter(
            branch=branch, starts_at__gte=start, starts_at__lt=end, starts_at__lte=now
        )
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("host", "branch", "unit", "record__signed_by")
        .prefetch_related(*_record_prefetches("record__"))
        .order_by("starts_at", "id")
    )
    summaries = attendance_summaries([s.pk for s in sessions])
    return [RecordEntry(s, getattr(s, "record", None), summaries[s.pk]) for s in sessions]


def decision_lines(record: Record | None) -> list[str]:
    return [line for line in (record.decisions if record else "").splitlines() if line.strip()]


class _TextBlocks(HTMLParser):
    """Sanitised minutes HTML → plain paragraphs: (kind, text), kind 'h', 'p' or 'li'."""

    BLOCKS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "tr"}

    def __init__(self):
        super().__init__()
        self.blocks: list[tuple[str, str]] = []
        self.kind = "p"
        self.text: list[str] = []

    def _flush(self):
        text = " ".join("".join(self.text).split())
        if text:
            self.blocks.append((self.kind, text))
        self.text = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self._flush()
            self.kind = "h" if tag.startswith("h") and tag[1:].isdigit() else tag
            self.kind = self.kind if self.kind in ("h", "li") else "p"
        elif tag in {"br", "td", "th"}:
            self.text.append(" ")

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self._flush()
            self.kind = "p"

    def handle_data(self, data):
        self.text.append(data)


def minutes_blocks(record: Record | None) -> list[tuple[str, str]]:
    """The minutes as plain text blocks (for the PDF and the workbook)."""
    if record is None or not record.minutes_html:
        return []
    parser = _TextBlocks()
    parser.feed(record.minutes_html)
    parser.close()
    parser._flush()
    return parser.blocks


# --- writing records ----------------------------------------------------------------------


def _signed_error() -> OrglifeError:
    return OrglifeError(
        _("The record is signed off and frozen; change it by an amendment with a reason."),
        "signed",
        http.HTTP_409_CONFLICT,
    )


def _check_open(session: Session) -> None:
    if session.is_cancelled:
        raise OrglifeError(
            _("This session was cancelled; it has no record."), "cancelled", http.HTTP_409_CONFLICT
        )


def _at_most(text: str, limit: int, message: str) -> str:
    if len(text) > limit:
        raise OrglifeError(message % {"n": limit}, "too_long")
    return text


def _text(value: str | None) -> str:
    """A form's text with Windows line ends and NUL characters (PostgreSQL refuses them) gone."""
    return (value or "").replace("\r\n", "\n").replace("\x00", "")


def _clean_minutes(text: str) -> str:
    text = _text(text).strip()
    return _at_most(text, MAX_MINUTES_CHARS, _("The minutes are longer than %(n)d characters."))


def _clean_decisions(text: str) -> str:
    lines = [line.strip() for line in _text(text).split("\n")]
    cleaned = "\n".join(line for line in lines if line)
    return _at_most(
        cleaned, MAX_DECISIONS_CHARS, _("The decisions are longer than %(n)d characters.")
    )


def _locked_record(session: Session) -> Record:
    record, _created = Record.objects.select_for_update().get_or_create(session=session)
    return record


def record_upload_check(upload) -> CheckedUpload:
    """Validates one upload (size, type from its bytes: photos, PDF, documents);
    raises ``OrglifeError`` ("file_refused") saying why."""
    try:
        checked = attachment_check(upload=upload)
    except filetypes.RefusedFile as exc:
        raise OrglifeError(str(exc), "file_refused") from None
    if checked.type.kind not in FILE_KINDS:
        raise OrglifeError(
            _("%(name)s is %(type)s; a record takes photos, PDF and documents.")
            % {"name": upload.name, "type": checked.type.label},
            "file_refused",
        )
    return checked


def record_uploads_check(uploads) -> list[CheckedUpload]:
    """Validates every upload before any is stored (one bad file: none is taken)."""
    if len(uploads) > MAX_FILES_AT_ONCE:
        raise OrglifeError(
            _("At most %(n)d files at once.") % {"n": MAX_FILES_AT_ONCE}, "too_many_files"
        )
    return [record_upload_check(upload) for upload in uploads]


def _store_files(
    record: Record,
    uploads: list[CheckedUpload],
    *,
    by: User,
    now: datetime,
    amendment: Amendment | None = None,
) -> list[RecordFile]:
    """Stores checked uploads under our own names, all or none."""
    return uploads_store(
        uploads,
        lambda checked: RecordFile(
            record=record, added_at=now, added_by=by, amendment=amendment, **upload_fields(checked)
        ),
    )


@transaction.atomic
def record_save(*, session: Session, by: User, minutes: str, decisions: str) -> Record:
    """Writes the minutes (rendered and sanitised) and decisions of a record not yet
    signed off; the caller manages the session. A signed record: 409 "signed"."""
    _check_open(session)
    minutes, decisions = _clean_minutes(minutes), _clean_decisions(decisions)
    record = _locked_record(session)
    if record.is_signed:
        raise _signed_error()
    record.minutes = minutes
    record.minutes_html = render_markdown(minutes)
    record.decisions = decisions
    record.updated_by = by
    record.save()
    return record


@transaction.atomic
def record_sign(*, session: Session, by: User, now: datetime | None = None) -> Record:
    """Signs the record off, which freezes it: only once the session has started,
    with minutes written, and once."""
    now = now or timezone.now()
    _check_open(session)
    if not session.has_started(now):
        raise OrglifeError(
            _("A record can be signed off only once the session has started."),
            "not_started",
            http.HTTP_409_CONFLICT,
        )
    record = _locked_record(session)
    if record.is_signed:
        raise _signed_error()
    if not record.minutes:
        raise OrglifeError(_("Write the minutes before signing off."), "empty")
    record.signed_at = now
    record.signed_by = by
    record.save(update_fields=["signed_at", "signed_by", "updated_at"])
    return record


@transaction.atomic
def record_amend(
    *,
    session: Session,
    by: User,
    reason: str,
    minutes: str | None = None,
    decisions: str | None = None,
    uploads: list[CheckedUpload] = (),
    now: datetime | None = None,
) -> list[Amendment]:
    """
    Changes a signed record: one ``Amendment`` per changed field (before/after),
    and one for the files added (they belong to it). The reason is required;
    a record not yet signed is edited directly (409 "not_signed").
    """
    now = now or timezone.now()
    reason = " ".join(_text(reason).split())
    if not reason:
        raise OrglifeError(_("Say why the record is amended."), "reason_required")
    if len(reason) > 300:
        raise OrglifeError(_("Keep the reason under 300 characters."), "too_long")
    record = Record.objects.select_for_update().filter(session=session).first()
    if record is None or not record.is_signed:
        raise OrglifeError(
            _("The record is not signed off yet; edit it directly."),
            "not_signed",
            http.HTTP_409_CONFLICT,
        )
    changes = []
    if minutes is not None and (new := _clean_minutes(minutes)) != record.minutes:
        changes.append(("minutes", record.minutes, new))
        record.minutes, record.minutes_html = new, render_markdown(new)
    if decisions is not None and (new := _clean_decisions(decisions)) != record.decisions:
        changes.append(("decisions", record.decisions, new))
        record.decisions = new
    if not changes and not uploads:
        raise OrglifeError(_("Nothing was changed."), "no_change")
    amendments = [
        Amendment.objects.create(
            record=record,
            author=by,
            created_at=now,
            reason=reason,
            field=name,
            before=before,
            after=after,
        )
        for name, before, after in changes
    ]
    if uploads:
        added = Amendment.objects.create(
            record=record,
            author=by,
            created_at=now,
            reason=reason,
            field="files",
            after="\n".join(checked.title for checked in uploads),
        )
        _store_files(record, list(uploads), by=by, now=now, amendment=added)
        amendments.append(added)
    if changes:
        record.updated_by = by
        record.save()
    return amendments


@transaction.atomic
def record_file_add(
    *,
    session: Session,
    by: User,
    uploads: list[CheckedUpload],
    reason: str = "",
    now: datetime | None = None,
) -> list[RecordFile]:
    """Adds checked photos and files to the record, all or none; after the sign-off
    they come with an amendment, and its reason is required."""
    now = now or timezone.now()
    _check_open(session)
    if not uploads:
        raise OrglifeError(_("Choose at least one file."), "no_files")
    record = _locked_record(session)
    if record.is_signed:
        (amendment,) = record_amend(session=session, by=by, reason=reason, uploads=uploads, now=now)
        return list(amendment.files.all())
    return _store_files(record, uploads, by=by, now=now)


@transaction.atomic
def record_file_delete(*, file: RecordFile) -> None:
    """Removes a file from a record not yet signed off (a signed record keeps it)."""
    record = Record.objects.select_for_update().get(pk=file.record_id)
    if record.is_signed:
        raise _signed_error()
    stored = file.file
    file.delete()
    transaction.on_commit(lambda: stored.delete(save=False))


def record_opened(*, member: User, session: Session, record: Record | None) -> None:
    """A member opened the signed record: their open make-up task learns it read."""
    if record is None or not record.is_signed:
        return
    if not MakeupTask.objects.filter(
        session=session, member=member, status=MakeupStatus.OPEN
    ).exists():
        return
    try:
        from .makeup import makeup_record_read
    except ImportError:  # the make-up module is not there (yet)
        return
    makeup_record_read(member=member, session=session)
