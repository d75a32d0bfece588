"""
The quarterly report (季度考核报告): the ranking, the indicators, the charts and the
explanations' status of one published version of a quarter, as .xlsx and as PDF.

**One set of numbers.** A report is built from the assessment's own body, the one the
API answers and the page shows (``supervision.assessment.view_for``: the frozen
snapshot of the version, scoped to the caller), so every number in the files is the
page's; the explanations' status is read when the file is built.

**Two ways to get it.**

- ``GET /api/v1/assessments/{YYYY-Qn}/?format=xlsx|pdf`` answers the file itself
  (200): the body is a snapshot already computed, so the workbook takes milliseconds
  and the PDF about a second. This is the contract's URL and stays the simplest way
  for a program.
- The page builds it in the background (``supervision.tasks.build_report`` on Django's
  task framework, the database backend in production) and shows the progress:
  ``POST /api/v1/assessments/{YYYY-Qn}/reports/`` (``format``, ``unit``, ``version``)
  → 202 ``{id, status, progress, status_url}``; ``GET /api/v1/reports/{id}/`` →
  ``{id, status: queued|running|done|failed, progress (0–100), download_url}``;
  ``GET /api/v1/reports/{id}/download/`` the file. A job is its caller's only (anyone
  else: 404), and its file is kept ``KEEP_HOURS``.

**Where the files are.** ``MEDIA_ROOT/reports/<task id>/`` holds ``job.json`` (who
asked, what, how far) and the file once built: a directory every worker shares (the
compose stack's media volume), so the web worker that answers the status need not
be the one that built it.

**PDF.** Typst with the record book's fonts (``orglife.pdf``: Noto CJK; ``FontsMissing``
without them, a 503 at the API); the charts go in as the same SVG the page inlines.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import typst
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from backend.common.api import XlsxRenderer
from backend.common.xlsx import XLSX_CONTENT_TYPE, safe_cell, workbook_bytes
from orglife.api_record import FontsUnavailable, PdfRenderer
from orglife.pdf import FontsMissing, fonts_available

from . import charts
from .explanations import is_late
from .models import Explanation

#: What ``?format=`` may ask of the assessment's API (it lists these renderers).
RENDERERS = [XlsxRenderer, PdfRenderer]
FORMATS = ("xlsx", "pdf")
CONTENT_TYPES = {"xlsx": XLSX_CONTENT_TYPE, "pdf": "application/pdf"}
TEMPLATE = Path(settings.BASE_DIR) / "frontend" / "templates" / "supervision" / "report.typ"
KEEP_HOURS = 24
RANKING_CHART_ROWS = 30


# --- the report's content ---------------------------------------------------------------


def format_datetime(value) -> str:
    """The product's one date format (2026-11-30 19:54), in local time."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _unit_of(branch: dict) -> dict:
    unit = branch.get("unit")
    return unit if isinstance(unit, dict) else {"id": None, "name": ""}


def explanation_rows(assessment) -> list[dict]:
    """The quarter's explanations (whichever version asked for them: a re-publication
    keeps those of units still at the bottom), of the units in the caller's body."""
    if not getattr(assessment, "pk", None):
        return []
    unit_ids = {u["id"] for u in assessment.view.get("units", [])}
    rows = (
        Explanation.objects.filter(assessment__quarter=assessment.quarter, unit_id__in=unit_ids)
        .select_related("unit")
        .order_by("rank", "unit_id")
    )
    now = timezone.now()
    return [
        {
            "unit": e.unit.name,
            "rank": e.rank,
            "due_at": format_datetime(e.due_at),
            "status": str(e.get_status_display()),
            "late": is_late(e, now),
            "submitted_at": format_datetime(e.submitted_at) if e.submitted_at else "",
            "reviewed_at": format_datetime(e.reviewed_at) if e.reviewed_at else "",
        }
        for e in rows
    ]


def attainment_rows(body: dict) -> list[tuple[str, float | None]]:
    """Each indicator's mean attainment over the units (value / target, capped at 1)."""
    out = []
    for ind in body.get("indicators", []):
        target = ind.get("target") or 0
        shares = [
            min(1.0, max(0.0, u["values"][ind["key"]] / target))
            for u in body.get("units", [])
            if target and (u.get("values") or {}).get(ind["key"]) is not None
        ]
        out.append((ind["name"], sum(shares) / len(shares) if shares else None))
    return out


def report_charts(body: dict) -> dict[str, charts.Chart]:
    """The report's charts: the units' scores and the indicators' attainment."""
    drawn = {}
    units = [u for u in body.get("units", []) if u.get("score") is not None]
    if units:
        top = units[:RANKING_CHART_ROWS]
        drawn["ranking"] = charts.ranking_bar(
            _("Assessment score by unit"),
            [f"{u['rank']}. {u['name']}" for u in top],
            [u["score"] for u in top],
            header=[_("Unit"), _("Score")],
        )
    rows = attainment_rows(body)
    if any(share is not None for _name, share in rows):
        drawn["attainment"] = charts.rate_bars(
            _("Attainment of each indicator (mean of the units)"),
            [name for name, _share in rows],
            [share for _name, share in rows],
            header=[_("Indicator"), _("Attainment")],
        )
    return drawn


def title_of(body: dict) -> str:
    name = body.get("name") or body.get("quarter", "")
    if body.get("version"):
        return _("Quarterly assessment report %(quarter)s (version %(version)s)") % {
            "quarter": name,
            "version": body["version"],
        }
    return _("Quarterly assessment report %(quarter)s (preview, not published)") % {"quarter": name}


def filename_of(body: dict, fmt: str) -> str:
    version = f"-v{body['version']}" if body.get("version") else ""
    return _("assessment-report") + f"-{body.get('quarter', '')}{version}.{fmt}"


def _published(body: dict) -> str:
    at = body.get("published_at")
    if not at:
        return _("Not published")
    if isinstance(at, str):
        at = timezone.datetime.fromisoformat(at)
    return format_datetime(at)


# --- .xlsx --------------------------------------------------------------------------------


def build_xlsx(body: dict, explanations: list[dict]) -> bytes:
    """Sheets: units, branches, indicators, explanations; numbers as the API gives them."""
    indicators = body.get("indicators", [])
    bold = Font(bold=True)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Units")
    ws.append([safe_cell(title_of(body))])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([_("Published"), safe_cell(_published(body) if body.get("published_at") else "—")])
    ws.append([])
    ws.append([_("Rank"), _("Unit"), _("Score"), *(safe_cell(i["name"]) for i in indicators)])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for u in body.get("units", []):
        values = u.get("values") or {}
        ws.append(
            [
                u.get("rank"),
                safe_cell(u.get("name", "")),
                u.get("score"),
                *(values.get(i["key"]) for i in indicators),
            ]
        )
    ws.column_dimensions["B"].width = 24

    wb_branches = wb.create_sheet(_("Branches"))
    wb_branches.append(
        [
            _("Rank"),
            _("Rank in unit"),
            _("Unit"),
            _("Branch"),
            _("Score"),
            *(safe_cell(i["name"]) for i in indicators),
        ]
    )
    for cell in wb_branches[1]:
        cell.font = bold
    for b in body.get("branches", []):
        values = b.get("values") or {}
        wb_branches.append(
            [
                b.get("rank"),
                b.get("unit_rank"),
                safe_cell(_unit_of(b).get("name", "")),
                safe_cell(b.get("name", "")),
                b.get("score"),
                *(values.get(i["key"]) for i in indicators),
            ]
        )
    wb_branches.column_dimensions["C"].width = 20
    wb_branches.column_dimensions["D"].width = 22

    wi = wb.create_sheet(_("Indicators"))
    wi.append([_("Indicator"), _("Weight"), _("Target"), _("Key")])
    for cell in wi[1]:
        cell.font = bold
    for i in indicators:
        wi.append([safe_cell(i["name"]), i.get("weight"), i.get("target"), i["key"]])
    wi.column_dimensions["A"].width = 26

    we = wb.create_sheet(_("Explanations"))
    we.append([_("Unit"), _("Rank"), _("Due"), _("Status"), _("Filed at"), _("Reviewed at")])
    for cell in we[1]:
        cell.font = bold
    for e in explanations:
        we.append(
            [
                safe_cell(e["unit"]),
                e["rank"],
                e["due_at"],
                safe_cell(e["status"] + (_(" (late)") if e["late"] else "")),
                e["submitted_at"],
                e["reviewed_at"],
            ]
        )
    we.column_dimensions["A"].width = 24
    return workbook_bytes(wb)


# --- PDF ----------------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def pdf_data(body: dict, explanations: list[dict]) -> dict:
    """What the Typst template places (as text only, never as markup)."""
    indicators = body.get("indicators", [])
    drawn = report_charts(body)
    return {
        "title": title_of(body),
        "published": (_("Published") + "：" + _published(body) if body.get("published_at") else ""),
        "labels": {
            "ranking": _("Ranking of the units"),
            "branches": _("Ranking of the branches"),
            "indicators": _("Indicators"),
            "explanations": _("Explanations"),
            "rank": _("Rank"),
            "rank_in_unit": _("Rank in unit"),
            "unit": _("Unit"),
            "branch": _("Branch"),
            "score": _("Score"),
            "indicator": _("Indicator"),
            "weight": _("Weight"),
            "target": _("Target"),
            "due": _("Due"),
            "status": _("Status"),
            "filed": _("Filed at"),
            "reviewed": _("Reviewed at"),
            "none": _("None"),
            "generated": _("Made on %(when)s") % {"when": format_datetime(timezone.now())},
        },
        "charts": [str(c.svg) for c in drawn.values()],
        "indicators": [
            [i["name"], _cell(i.get("weight")), _cell(i.get("target"))] for i in indicators
        ],
        "indicator_names": [i["name"] for i in indicators],
        "units": [
            [
                _cell(u.get("rank")),
                u.get("name", ""),
                _cell(u.get("score")),
                *(_cell((u.get("values") or {}).get(i["key"])) for i in indicators),
            ]
            for u in body.get("units", [])
        ],
        "branches": [
            [
                _cell(b.get("rank")),
                _cell(b.get("unit_rank")),
                _unit_of(b).get("name", ""),
                b.get("name", ""),
                _cell(b.get("score")),
            ]
            for b in body.get("branches", [])
        ],
        "explanations": [
            [
                e["unit"],
                str(e["rank"]),
                e["due_at"],
                e["status"] + (_(" (late)") if e["late"] else ""),
                e["submitted_at"] or "—",
                e["reviewed_at"] or "—",
            ]
            for e in explanations
        ],
    }


def build_pdf(body: dict, explanations: list[dict]) -> bytes:
    """The report as PDF; ``FontsMissing`` without the CJK fonts."""
    if not fonts_available():
        raise FontsMissing(", ".join(settings.ORGLIFE_PDF_FONT_PATHS))
    return typst.compile(
        TEMPLATE.read_bytes(),
        font_paths=list(settings.ORGLIFE_PDF_FONT_PATHS),
        ignore_system_fonts=True,
        sys_inputs={"data": json.dumps(pdf_data(body, explanations), ensure_ascii=False)},
    )


def build(assessment, fmt: str) -> bytes:
    """The file of ``assessment`` (a version, or the unsaved preview) as ``assessment.view``
    shows it to its caller."""
    body = assessment.view
    explanations = explanation_rows(assessment)
    if fmt == "xlsx":
        return build_xlsx(body, explanations)
    if fmt == "pdf":
        return build_pdf(body, explanations)
    raise ValueError(fmt)


def file_response(content: bytes, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response


def respond(request, assessment) -> HttpResponse:
    """``?format=xlsx|pdf`` of the assessment's API: the file at once (see the docstring)."""
    fmt = request.accepted_renderer.format
    try:
        content = build(assessment, fmt)
    except FontsMissing:
        raise FontsUnavailable() from None
    return file_response(content, fmt, filename_of(assessment.view, fmt))


# --- background jobs' files ---------------------------------------------------------------


def jobs_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "reports"


def job_dir(job_id: str) -> Path:
    safe = "".join(ch for ch in str(job_id) if ch.isalnum() or ch in "-_")
    if not safe or safe != str(job_id):
        raise ValueError(job_id)
    return jobs_dir() / safe


def job_write(job_id: str, **fields) -> dict:
    """Create or update ``job.json`` (written whole, then renamed: a reader never sees half)."""
    folder = job_dir(job_id)
    folder.mkdir(parents=True, exist_ok=True)
    meta = job_read(job_id) or {}
    meta.update(fields)
    tmp = folder / "job.json.tmp"
    tmp.write_text(json.dumps(meta, ensure_ascii=False))
    tmp.replace(folder / "job.json")
    return meta


def job_read(job_id: str) -> dict | None:
    try:
        return json.loads((job_dir(job_id) / "job.json").read_text())
    except (OSError, ValueError):
        return None


def job_file(job_id: str) -> Path | None:
    meta = job_read(job_id)
    if not meta or not meta.get("file"):
        return None
    path = job_dir(job_id) / meta["file"]
    return path if path.is_file() else None


def jobs_prune(*, now: float | None = None) -> int:
    """Remove the jobs older than ``KEEP_HOURS`` (called when a new one starts)."""
    now = now or time.time()
    removed = 0
    root = jobs_dir()
    if not root.is_dir():
        return 0
    for folder in root.iterdir():
        try:
            if folder.is_dir() and now - folder.stat().st_mtime > KEEP_HOURS * 3600:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except OSError:
            continue
    return removed
