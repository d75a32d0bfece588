"""Writes for lectures: saving and rendering, attachments, study progress, check-offs."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backend.accounts.models import User
from backend.points.services import points_award

from . import filetypes
from .models import Attachment, Lecture, LectureProgress, ReadingCheck, ReadingItem
from .rendering import render_lecture


class StudyError(Exception):
    """A study action the server refuses; the message is fit to show."""


# --- lectures and attachments ------------------------------------------------------------


def lecture_save(*, lecture: Lecture) -> Lecture:
    """Renders the Markdown body into sanitised HTML (paragraphs numbered, the
    passages questions cite) and saves the lecture."""
    lecture.month = lecture.month.replace(day=1)
    lecture.body_html = render_lecture(lecture.body)
    lecture.save()
    return lecture


@dataclass(frozen=True)
class CheckedUpload:
    upload: UploadedFile
    type: filetypes.FileType
    title: str


def attachment_check(*, upload: UploadedFile, title: str = "") -> CheckedUpload:
    """Validates size and content type; raises ``filetypes.RefusedFile`` with the reason."""
    limit = settings.LECTURE_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise filetypes.RefusedFile(
            _("%(name)s is larger than %(limit)s.")
            % {"name": upload.name, "limit": filesizeformat(limit)}
        )
    if upload.size == 0:
        raise filetypes.RefusedFile(_("%(name)s is empty.") % {"name": upload.name})
    detected = filetypes.sniff(upload, upload.name or "")
    stem = (upload.name or "").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return CheckedUpload(upload, detected, (title or stem or detected.label)[:120])


def upload_fields(checked: CheckedUpload) -> dict:
    """The fields a stored upload's row takes from it (its file aside)."""
    return {
        "title": checked.title,
        "kind": checked.type.kind,
        "content_type": checked.type.content_type,
        "extension": checked.type.extension,
        "storage_token": secrets.token_hex(16),
        "size": checked.upload.size,
    }


def uploads_store(uploads: list[CheckedUpload], build) -> list:
    """
    Saves each checked upload as the model instance ``build(checked)`` returns
    (unsaved, with a ``file`` field), the file under our own name; all or none:
    if anything fails, the files written so far are removed again. Lecture
    attachments and organisational-life record files are stored this way.
    """
    created = []
    try:
        with transaction.atomic():
            for checked in uploads:
                item = build(checked)
                checked.upload.seek(0)
                item.file.save("upload", checked.upload, save=False)
                created.append(item)
                item.save()
    except Exception:
        for item in created:
            item.file.delete(save=False)
        raise
    return created


def attachments_add(*, lecture: Lecture, uploads: list[CheckedUpload]) -> list[Attachment]:
    """Stores already checked uploads for ``lecture``, all or none."""
    position = lecture.attachments.count()
    positions = iter(range(position, position + len(uploads)))
    return uploads_store(
        uploads,
        lambda checked: Attachment(
            lecture=lecture, position=next(positions), **upload_fields(checked)
        ),
    )


def attachment_delete(*, attachment: Attachment) -> None:
    file = attachment.file
    attachment.delete()
    transaction.on_commit(lambda: file.delete(save=False))


# --- study progress -----------------------------------------------------------------------


def _locked_progress(member: User, lecture: Lecture) -> LectureProgress:
    """The member's progress row for the lecture, created if missing, locked for update."""
    try:
        with transaction.atomic():
            LectureProgress.objects.get_or_create(member=member, lecture=lecture)
    except IntegrityError:
        pass  # created by a concurrent request
    return LectureProgress.objects.select_for_update().get(member=member, lecture=lecture)


def _complete(progress: LectureProgress, method: str, now: datetime) -> None:
    progress.completed_at = now
    progress.completion_method = method
    points_award(
        member=progress.member,
        kind="lecture_complete",
        source_key=f"lecture:{progress.lecture_id}",
        now=now,
    )


def remaining_seconds(progress: LectureProgress) -> int:
    return max(0, progress.lecture.min_read_seconds - progress.seconds_read)


@transaction.atomic
def lecture_heartbeat(
    *, member: User, lecture: Lecture, reached_end: bool = False, now: datetime | None = None
) -> LectureProgress:
    """
    Credits study time from the gap since the previous beat, at most two
    heartbeat intervals (a longer gap means the page was hidden or the phone
    asleep, and credits nothing), up to ``LECTURE_MAX_STUDY_SECONDS``.
    Reaching the end after the minimum time completes the lecture.
    """
    now = now or timezone.now()
    progress = _locked_progress(member, lecture)
    gap = (now - progress.last_beat_at).total_seconds() if progress.last_beat_at else None
    if gap is not None and 0 <= gap <= 2 * settings.LECTURE_HEARTBEAT_SECONDS:
        # Whole seconds are credited and the clock moves by exactly that much, so
        # the fraction carries over to the next beat instead of being lost.
        whole = int(gap)
        progress.seconds_read = min(
            settings.LECTURE_MAX_STUDY_SECONDS, progress.seconds_read + whole
        )
        progress.last_beat_at += timedelta(seconds=whole)
    elif gap is None or gap > 0:
        progress.last_beat_at = now  # first beat, or back after a pause: restart the clock
    progress.reached_end = progress.reached_end or reached_end
    if (
        progress.completed_at is None
        and progress.reached_end
        and progress.seconds_read >= lecture.min_read_seconds
    ):
        _complete(progress, LectureProgress.Method.READ_TO_END, now)
    progress.save()
    return progress


@transaction.atomic
def lecture_mark_done(
    *, member: User, lecture: Lecture, now: datetime | None = None
) -> LectureProgress:
    """Completes the lecture once the minimum study time is reached; refuses before."""
    now = now or timezone.now()
    progress = _locked_progress(member, lecture)
    if progress.completed_at is not None:
        return progress
    left = remaining_seconds(progress)
    if left > 0:
        minutes = -(-left // 60)
        raise StudyError(
            ngettext(
                "Study %(n)d more minute before marking this lecture done.",
                "Study %(n)d more minutes before marking this lecture done.",
                minutes,
            )
            % {"n": minutes}
        )
    _complete(progress, LectureProgress.Method.MARKED_DONE, now)
    progress.save()
    return progress


@transaction.atomic
def reading_item_check(*, member: User, item: ReadingItem) -> ReadingCheck:
    """Checks an item off (idempotent); the first check-off earns the reading points."""
    check, _created = ReadingCheck.objects.get_or_create(member=member, item=item)
    points_award(member=member, kind="reading_complete", source_key=f"reading:{item.pk}")
    return check


def reading_item_uncheck(*, member: User, item: ReadingItem) -> None:
    """Removes a mistaken check-off. Points already earned stay (the ledger is
    append-only and keyed by item, so checking again earns nothing new)."""
    ReadingCheck.objects.filter(member=member, item=item).delete()
