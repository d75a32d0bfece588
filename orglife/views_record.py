"""
The record page (记录簿) of a session, its files, and the record book's downloads.

One page serves everyone: the managers edit the draft, add photos and files and
sign it off; after the sign-off everyone who may see the session reads it, and
the managers amend it (a reason each time). A refused change re-renders the page
with a Chinese message and changes nothing. Files are served only through
``record_file`` (the same check as the page). The downloads are the book's page
of one session or a branch's year, as .xlsx or PDF (503 without the CJK fonts).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from backend.common.xlsx import xlsx_response
from courses.downloads import attachment_response

from . import records
from .errors import OrglifeError
from .exports import BOOK_TITLE, book_data, book_xlsx
from .models import RecordFile, Session
from .pdf import FontsMissing, book_pdf
from .scope import can_manage_session

ACTIONS = ("save", "upload", "delete_file", "sign", "amend")


def file_url(item: RecordFile) -> str:
    return reverse("orglife:record_file", args=[item.pk, item.download_name])


def book_download(entries, fmt: str, *, session: Session | None = None, branch=None, year=None):
    """The book of ``entries`` as a download; ``FontsMissing`` for a PDF without fonts."""
    book = book_data(entries, branch=branch, year=year)
    if session is not None:
        stem = f"{BOOK_TITLE}-{timezone.localtime(session.starts_at):%Y-%m-%d}-{session.title}"
    else:
        stem = f"{BOOK_TITLE}-{branch.name}-{year}"
    if fmt == "xlsx":
        return xlsx_response(book_xlsx(book), f"{stem}.xlsx")
    response = HttpResponse(book_pdf(book), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"{stem}.pdf"
    )
    return response


def _fonts_missing(request):
    return render(
        request,
        "orglife/record_unavailable.html",
        {"nav": "home"},
        status=503,
    )


def _session_or_404(user, pk: int) -> Session:
    session = records.session_for_record(user, pk)
    if session is None:
        raise Http404
    return session


def _readable_entry_or_404(request, pk: int):
    session = _session_or_404(request.user, pk)
    entry = records.record_entry(session)
    manager = can_manage_session(request.user, session)
    if not manager and not (entry.record and entry.record.is_signed):
        raise Http404
    return session, entry, manager


@login_required
def record_page(request, pk: int):
    session = _session_or_404(request.user, pk)
    manager = can_manage_session(request.user, session)
    error = ""
    if request.method == "POST":
        if not manager:
            raise PermissionDenied(_("Only the session's host and secretary keep its record."))
        action = request.POST.get("action", "")
        try:
            if action not in ACTIONS:
                raise OrglifeError(_("Unknown action."), "invalid")
            notice = _apply(request, session, action)
        except OrglifeError as exc:
            error = exc.message
        else:
            messages.success(request, notice)
            return redirect("orglife:record", pk=session.pk)
    entry = records.record_entry(session)
    record = entry.record
    signed = record is not None and record.is_signed
    if not manager and not signed:
        return render(
            request,
            "orglife/record.html",
            {"session": session, "entry": entry, "draft_hidden": True, "nav": "home"},
        )
    if signed:
        records.record_opened(member=request.user, session=session, record=record)
    posted = request.POST if error else {}
    return render(
        request,
        "orglife/record.html",
        {
            "session": session,
            "entry": entry,
            "record": record,
            "signed": signed,
            "manager": manager,
            "started": session.has_started(),
            "decisions": records.decision_lines(record),
            "files": [(f, file_url(f)) for f in (record.files.all() if record else [])],
            "amendments": list(record.amendments.all()) if record else [],
            "field_names": records.FIELD_NAMES,
            "minutes_value": posted.get("minutes", record.minutes if record else ""),
            "decisions_value": posted.get("decisions", record.decisions if record else ""),
            "reason_value": posted.get("reason", ""),
            "file_accept": records.FILE_ACCEPT,
            "error": error,
            "error_action": request.POST.get("action", "") if error else "",
            "book_year": timezone.localtime(session.starts_at).year,
            "can_export_book": bool(
                session.branch_id
                and records.branches_with_record_book_for(request.user)
                .filter(pk=session.branch_id)
                .exists()
            ),
            "nav": "home",
        },
        status=400 if error else 200,
    )


def _apply(request, session: Session, action: str) -> str:
    """Runs one form's action; returns the notice to show, or raises OrglifeError."""
    user, data = request.user, request.POST
    if action == "save":
        records.record_save(
            session=session,
            by=user,
            minutes=data.get("minutes", ""),
            decisions=data.get("decisions", ""),
        )
        return _("The record is saved.")
    if action == "upload":
        checked = records.record_uploads_check(request.FILES.getlist("files"))
        records.record_file_add(session=session, by=user, uploads=checked)
        return _("The files are added.")
    if action == "delete_file":
        item = RecordFile.objects.filter(record__session=session, pk=_int(data.get("file"))).first()
        if item is None:
            raise OrglifeError(_("No such file."), "not_found")
        records.record_file_delete(file=item)
        return _("The file is removed.")
    if action == "sign":
        records.record_sign(session=session, by=user)
        return _("The record is signed off; from now on it changes only by amendments.")
    checked = records.record_uploads_check(request.FILES.getlist("files"))
    records.record_amend(
        session=session,
        by=user,
        reason=data.get("reason", ""),
        minutes=data.get("minutes"),
        decisions=data.get("decisions"),
        uploads=checked,
    )
    return _("The amendment is recorded.")


def _int(value) -> int:
    return int(value) if value and str(value).isdigit() else 0


@login_required
def record_file(request, pk: int, name: str):
    """A photo or file of a record, to whoever may read that record."""
    item = get_object_or_404(RecordFile.objects.select_related("record"), pk=pk)
    session = _session_or_404(request.user, item.record.session_id)
    if not item.record.is_signed and not can_manage_session(request.user, session):
        raise Http404
    return attachment_response(request, item)


@login_required
def record_export(request, pk: int, fmt: str):
    """One session's page of the record book (.xlsx or PDF)."""
    session, entry, _manager = _readable_entry_or_404(request, pk)
    try:
        return book_download([entry], fmt, session=session)
    except FontsMissing:
        return _fonts_missing(request)


@login_required
def record_book_export(request, pk: int, year: int, fmt: str):
    """A branch's year as the record book: its secretary, its unit's admin, the city admin."""
    branch = get_object_or_404(
        records.branches_with_record_book_for(request.user).select_related("unit"), pk=pk
    )
    if not 2000 <= year <= 2100:
        raise Http404
    entries = records.record_book(branch, year)
    try:
        return book_download(entries, fmt, branch=branch, year=year)
    except FontsMissing:
        return _fonts_missing(request)
