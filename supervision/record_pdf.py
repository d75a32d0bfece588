"""
The study record (``supervision.study_record``) printed as PDF by Typst, with the
record book's fonts (``orglife.pdf``: Noto CJK; ``FontsMissing`` without them, and
the views answer 503). The record is first laid out as text here — a summary and
one table per section, every cell a string — so the Typst template
(``frontend/templates/supervision/study_record.typ``) only places text.
"""

import json
from pathlib import Path

import typst
from django.conf import settings
from django.utils.translation import gettext as _

from orglife.pdf import FontsMissing, fonts_available
from quizzes.results import duration_text

TEMPLATE = Path(settings.BASE_DIR) / "frontend" / "templates" / "supervision" / "study_record.typ"

__all__ = ["FontsMissing", "record_pdf", "record_print_data"]


def _day(iso: str | None) -> str:
    return iso[:10] if iso else "—"


def _when(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else "—"


def _score(value) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def outcome_labels() -> dict[str, str]:
    return {
        "present": _("Present"),
        "late": _("Late"),
        "on_leave": _("On leave"),
        "absent": _("Absent"),
        "upcoming": _("To come"),
    }


def makeup_labels() -> dict[str, str]:
    return {"open": _("Make-up to do"), "done": _("Make-up done")}


def purpose_labels() -> dict[str, str]:
    from quizzes.models import QuizPurpose

    return {str(value): str(label) for value, label in QuizPurpose.choices}


def record_print_data(record: dict) -> dict:
    """The record as the PDF prints it: a title, a summary and sections of strings."""
    yes, no = _("Yes"), _("No")
    lectures, reading, sessions = record["lectures"], record["reading"], record["sessions"]
    points = record["points"]
    outcomes, makeups, purposes = outcome_labels(), makeup_labels(), purpose_labels()
    summary = [
        (_("Lectures studied"), f"{lectures['completed']}/{lectures['total']}"),
        (_("Reading checked"), f"{reading['checked']}/{reading['total']}"),
        (_("Sessions attended"), f"{sessions['attended']}/{sessions['expected']}"),
        (_("Absent / on leave"), f"{sessions['absent']} / {sessions['on_leave']}"),
        (
            _("Make-up done"),
            f"{sessions['makeup_done']}/{sessions['makeup_done'] + sessions['makeup_open']}",
        ),
        (_("Quizzes taken"), str(len(record["exams"]))),
        (_("Days of daily practice"), str(record["daily_practice_days"])),
        (_("Points this year"), str(points["year_total"])),
    ]
    sections = [
        {
            "title": _("Lectures"),
            "columns": [_("Month"), _("Lecture"), _("Study time"), _("Completed")],
            "widths": [5, 0, 5, 7],
            "rows": [
                [
                    item["month"],
                    item["title"],
                    duration_text(item["seconds_read"]) if item["seconds_read"] else "—",
                    _day(item["completed_at"]) if item["completed"] else no,
                ]
                for item in lectures["items"]
            ],
        },
        {
            "title": _("Reading"),
            "columns": [_("Reading list"), _("Title"), _("Required"), _("Checked")],
            "widths": [9, 0, 4, 7],
            "rows": [
                [
                    item["list"],
                    item["title"],
                    yes if item["required"] else no,
                    _day(item["checked_at"]) if item["checked"] else no,
                ]
                for item in reading["items"]
            ],
        },
        {
            "title": _("Organisational life"),
            "columns": [_("Time"), _("Kind"), _("Session"), _("Attendance"), _("Make-up")],
            "widths": [8, 7, 0, 5.5, 6],
            "rows": [
                [
                    _when(item["starts_at"]),
                    item["kind_label"],
                    item["title"],
                    outcomes[item["outcome"]],
                    makeups.get(item["makeup"], "—") if item["makeup"] else "—",
                ]
                for item in sessions["items"]
            ],
        },
        {
            "title": _("Exams and tests"),
            "columns": [_("Quiz"), _("Kind"), _("Best score"), _("Attempts"), _("Passed")],
            "widths": [0, 5, 5.5, 5, 4],
            "rows": [
                [
                    item["title"],
                    purposes.get(item["purpose"], item["purpose"]),
                    f"{_score(item['best_score'])}/{_score(item['max_score'])}"
                    if item["best_score"] is not None
                    else "—",
                    str(item["attempts"]),
                    yes if item["passed"] else no,
                ]
                for item in record["exams"]
            ],
        },
        {
            "title": _("Knowledge contests"),
            "columns": [_("Date"), _("Contest"), _("Rank"), _("Score"), _("Right answers")],
            "widths": [6, 0, 5, 4.5, 5],
            "rows": [
                [
                    _day(item["finished_at"]),
                    item["title"],
                    f"{item['rank']}/{item['players']}",
                    str(item["score"]),
                    f"{item['correct']}/{item['asked']}",
                ]
                for item in record["contests"]
            ],
        },
        {
            "title": _("Points by month"),
            "columns": [_("Month"), _("Points")],
            "widths": [8, 0],
            "rows": [
                [_("Month %(month)d") % {"month": row["month"]}, str(row["points"])]
                for row in points["months"]
            ]
            + [[_("Total"), str(points["year_total"])]],
        },
    ]
    member = record["member"]
    return {
        "title": _("Study record %(year)d") % {"year": record["year"]},
        "member": {"name": member["name"], "unit": member["unit"], "branch": member["branch"]},
        "summary": [{"label": label, "value": value} for label, value in summary],
        "sections": sections,
        "made_at": _when(record["generated_at"]),
        "labels": {"none": _("None."), "made_at": _("Printed")},
    }


def record_pdf(record: dict) -> bytes:
    """The PDF of ``record``; ``FontsMissing`` without the CJK fonts."""
    if not fonts_available():
        raise FontsMissing(", ".join(settings.ORGLIFE_PDF_FONT_PATHS))
    return typst.compile(
        TEMPLATE.read_bytes(),
        font_paths=list(settings.ORGLIFE_PDF_FONT_PATHS),
        ignore_system_fonts=True,
        sys_inputs={"data": json.dumps(record_print_data(record), ensure_ascii=False)},
    )
