"""
The record book (党组织活动和党员学习教育记录簿) as data, and as a workbook.

``book_data`` turns record entries into plain strings and lists (dates in the
one format, labels from the catalogue): the workbook here and the PDF
(``orglife.pdf``) print the same thing. Every user text goes into a cell through
``safe_cell`` (a leading ``=`` is not a formula).
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from backend.common.xlsx import safe_cell, workbook_bytes

from .records import FIELD_NAMES, RecordEntry, decision_lines, minutes_blocks

BOOK_TITLE = "党组织活动和党员学习教育记录簿"


def when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def labels() -> dict[str, str]:
    """The words the printed book uses, from the catalogue."""
    return {
        "book": BOOK_TITLE,
        "kind": _("Kind"),
        "time": _("Time"),
        "place": _("Place"),
        "host": _("Host"),
        "topic": _("Topic"),
        "attendance": _("Attendance"),
        "expected": _("Expected"),
        "present": _("Present"),
        "late": _("Late"),
        "on_leave": _("On leave"),
        "absent": _("Absent"),
        "guests": _("Guests"),
        "manual": _("checked in by the host"),
        "minutes": _("Minutes"),
        "decisions": _("Decisions"),
        "files": _("Photos and files"),
        "signature": _("Signed off"),
        "not_signed": _("Not signed off yet"),
        "amendments": _("Amendments"),
        "reason": _("Why"),
        "before": _("Before"),
        "after": _("After"),
        "none": _("None"),
        "contents": _("Sessions held"),
        "session": _("Session title"),
        "branch": _("Branch"),
        "year": _("Year"),
        "made_at": _("Printed at"),
    }


def _names(people) -> list[str]:
    by_host = _("by the host")
    return [f"{p.name}（{by_host}）" if p.manual else p.name for p in people]


def page_data(entry: RecordEntry) -> dict:
    """One session's page of the book as plain data."""
    session, record, seen = entry.session, entry.record, entry.attendance
    signed = record is not None and record.is_signed
    return {
        "id": session.pk,
        "title": session.title,
        "kind": session.get_kind_display(),
        "time": when(session.starts_at),
        "ends": when(session.ends_at),
        "place": session.place,
        "host": session.host.name,
        "topic": session.topic,
        "branch": session.branch.name if session.branch_id else "",
        "counts": {
            "expected": seen.expected,
            "present": len(seen.present),
            "late": len(seen.late),
            "on_leave": len(seen.on_leave),
            "absent": len(seen.absent),
            "guests": len(seen.guests),
        },
        "names": {
            "present": _names(seen.present),
            "late": _names(seen.late),
            "on_leave": _names(seen.on_leave),
            "absent": _names(seen.absent),
            "guests": _names(seen.guests),
        },
        "minutes": [{"kind": kind, "text": text} for kind, text in minutes_blocks(record)],
        "decisions": decision_lines(record),
        "files": [
            {"title": f.title, "kind": f.kind, "size": f.size, "at": when(f.added_at)}
            for f in (record.files.all() if record else [])
        ],
        "signed": signed,
        "signed_by": record.signed_by.name if signed else "",
        "signed_at": when(record.signed_at) if signed else "",
        "amendments": [
            {
                "by": a.author.name,
                "at": when(a.created_at),
                "reason": a.reason,
                "field": str(FIELD_NAMES.get(a.field, a.field)),
                "before": a.before,
                "after": a.after,
            }
            for a in (record.amendments.all() if record else [])
        ],
    }


def book_data(entries: list[RecordEntry], *, branch=None, year: int | None = None) -> dict:
    """The book: a cover (a branch's year) or a single session, then its pages."""
    return {
        "labels": labels(),
        "cover": (
            {
                "branch": branch.name,
                "unit": branch.unit.name,
                "year": str(year),
                "made_at": when(timezone.now()),
            }
            if branch is not None
            else None
        ),
        "sessions": [page_data(entry) for entry in entries],
    }


# --- the workbook -------------------------------------------------------------------------

BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
STATUSES = ("present", "late", "on_leave", "absent", "guests")


def book_xlsx(book: dict) -> bytes:
    """Three sheets: the sessions with their counts (目录), every page as rows
    (记录), one row per person and session (出勤)."""
    text = book["labels"]
    workbook = Workbook()
    contents = workbook.active
    contents.title = "目录"
    heading = BOOK_TITLE
    if book["cover"]:
        cover = book["cover"]
        heading = f"{cover['unit']} {cover['branch']} {cover['year']} {BOOK_TITLE}"
    contents.append([safe_cell(heading)])
    contents["A1"].font = Font(bold=True, size=13)
    header = [text["time"], text["kind"], text["session"], text["host"], text["expected"]]
    header += [text[s] for s in STATUSES] + [text["signature"]]
    contents.append(header)
    for cell in contents[2]:
        cell.font = BOLD
    for page in book["sessions"]:
        counts = page["counts"]
        contents.append(
            [page["time"], page["kind"], safe_cell(page["title"]), safe_cell(page["host"])]
            + [counts["expected"]]
            + [counts[s] for s in STATUSES]
            + [f"{page['signed_by']} {page['signed_at']}" if page["signed"] else text["not_signed"]]
        )
    for column, width in zip("ABCDEFGHIJK", (18, 14, 30, 10, 8, 8, 8, 8, 8, 8, 24), strict=True):
        contents.column_dimensions[column].width = width

    pages = workbook.create_sheet("记录")
    for page in book["sessions"]:
        _page_rows(pages, page, text)
        pages.append([])
    pages.column_dimensions["A"].width = 16
    pages.column_dimensions["B"].width = 90

    people = workbook.create_sheet("出勤")
    people.append([text["time"], text["session"], text["attendance"], _("Name")])
    for cell in people[1]:
        cell.font = BOLD
    for page in book["sessions"]:
        for status in STATUSES:
            for name in page["names"][status]:
                people.append(
                    [page["time"], safe_cell(page["title"]), text[status], safe_cell(name)]
                )
    for column, width in zip("ABCD", (18, 30, 10, 20), strict=True):
        people.column_dimensions[column].width = width
    return workbook_bytes(workbook)


def _page_rows(sheet, page: dict, text: dict) -> None:
    def row(label, value):
        sheet.append([label, safe_cell(value)])
        sheet.cell(sheet.max_row, 1).font = BOLD
        sheet.cell(sheet.max_row, 2).alignment = WRAP

    sheet.append([safe_cell(page["title"])])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=13)
    row(text["kind"], page["kind"])
    row(text["time"], page["time"])
    row(text["place"], page["place"])
    row(text["host"], page["host"])
    row(text["topic"], page["topic"])
    counts = page["counts"]
    row(text["expected"], counts["expected"])
    for status in STATUSES:
        if status == "guests" and not counts[status]:
            continue
        names = "、".join(page["names"][status])
        row(text[status], f"{counts[status]}" + (f"：{names}" if names else ""))
    minutes = "\n".join(
        ("• " if block["kind"] == "li" else "") + block["text"] for block in page["minutes"]
    )
    row(text["minutes"], minutes)
    row(text["decisions"], "\n".join(page["decisions"]))
    row(text["files"], "\n".join(f["title"] for f in page["files"]))
    row(
        text["signature"],
        f"{page['signed_by']} {page['signed_at']}" if page["signed"] else text["not_signed"],
    )
    for a in page["amendments"]:
        row(
            text["amendments"],
            f"{a['at']} {a['by']} · {a['field']} · {text['reason']}：{a['reason']}\n"
            f"{text['before']}：{a['before']}\n{text['after']}：{a['after']}",
        )
