"""
Reading and writing spreadsheets safely, for every import and export.

Reading: a size limit, a check of the archive's uncompressed size (zip bombs),
XML entities refused (defusedxml is installed, and openpyxl then uses it), the
sheet streamed (read-only mode) and cells taken as their stored text, never
evaluated. Writing: text that a spreadsheet would run as a formula is escaped.
"""

import io
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportRefused(Exception):
    """The file itself cannot be imported (not a readable spreadsheet, too big,
    a missing column…); nothing was imported, and the message says why."""


@dataclass(frozen=True)
class RowError:
    """One problem in an import: the sheet's row as Excel numbers it (0: the file),
    the column's header, what is wrong."""

    row: int
    column: str
    message: str


def open_workbook(data: bytes, *, max_bytes: int):
    if len(data) > max_bytes:
        raise ImportRefused(
            _("The file is larger than %(mb)d MB.") % {"mb": max(1, max_bytes // (1024 * 1024))}
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            packed = sum(info.compress_size for info in archive.infolist()) or 1
        if unpacked > MAX_UNCOMPRESSED_BYTES or unpacked / packed > MAX_COMPRESSION_RATIO:
            raise ImportRefused(_("The file unpacks to more than 50 MB; refused."))
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except ImportRefused:
        raise
    except Exception:  # any failure to parse means the same to the user
        raise ImportRefused(
            _("This is not a readable .xlsx file. Save it from Excel or WPS as .xlsx.")
        ) from None


def cell_text(value) -> str:
    """A cell as text: whole numbers without ".0", an escaped formula unescaped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:2] in {"=", "+", "-", "@"}:
        text = text[1:]
    return text


def safe_cell(value):
    """Text that a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def workbook_bytes(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def read_sheet(
    data: bytes, *, max_bytes: int, max_rows: int
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The first sheet as text: (header, [(row number, cells)…]) without empty rows.
    Every parsing failure, also one met while streaming the rows (an XML entity,
    a broken part), becomes ``ImportRefused``."""
    workbook = open_workbook(data, max_bytes=max_bytes)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [cell_text(value) for value in (next(rows, None) or [])]
        body = []
        for number, values in enumerate(rows, start=2):
            texts = [cell_text(value) for value in values]
            if any(texts):
                body.append((number, texts))
            if len(body) > max_rows:
                raise ImportRefused(_("More than %(n)d rows; split the sheet.") % {"n": max_rows})
    except ImportRefused:
        raise
    except Exception:  # a part that fails to parse mid-way means the same to the user
        raise ImportRefused(
            _("This is not a readable .xlsx file. Save it from Excel or WPS as .xlsx.")
        ) from None
    finally:
        workbook.close()
    return header, body


def header_row(sheet, titles) -> None:
    """Append ``titles`` as the sheet's bold header row."""
    from openpyxl.styles import Font

    sheet.append(titles)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def xlsx_response(content: bytes, filename: str):
    """A workbook as a download (the name may be Chinese: RFC 6266 encoding)."""
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response
