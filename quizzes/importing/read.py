"""
Question files → rows under our field keys, whatever system wrote them.

``read_questions`` takes the uploaded bytes and finds, in order:

1. the kind of file, by its content rather than its name (a zip → .xlsx, an OLE
   compound file → .xls, anything else → text, read as .csv: UTF-8 with or without
   BOM, else GB18030; comma- or tab-separated);
2. the sheet and its header row: the first non-empty sheet whose first 15 rows hold
   a header we recognise (a title row such as "试题" above it is skipped; a sheet
   named for a kind, "单选题", may lack the 题型 column). Other sheets that hold
   questions too are named in a warning, not read;
3. the layout (``layouts.py``): a given ``mapping`` (their header → our key) always
   wins; else a known layout by its headers; else the bank's ``remembered`` mapping
   when the file has all its columns; else the file is refused with code
   ``mapping_required`` and its header texts, so a page can ask for a mapping.

It returns texts only: what a 难度 word or a 判断 answer means is for the planner
(``plan.py``). Every refusal is an ``ImportRefused`` with a ``code`` a program can
tell apart and a message for people; nothing is written anywhere.
"""

import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain, islice

from django.utils.translation import gettext as _

from backend.common import xlsx

from .layouts import (
    FIELD_KEYS,
    FIELD_LABELS,
    KNOWN_HEADERS,
    LAYOUTS,
    OPTION_KEYS,
    REQUIRED,
    _plain_rows,
    header_key,
    sheet_kind,
)

__all__ = [
    "FIELD_KEYS",
    "FIELD_LABELS",
    "MAX_BYTES",
    "MAX_QUESTIONS",
    "OPTION_KEYS",
    "REQUIRED",
    "ImportRefused",
    "ReadResult",
    "SourceRow",
    "check_mapping",
    "read_questions",
]

MAX_BYTES = 5 * 1024 * 1024
MAX_QUESTIONS = 5000
# yf-exam spends a row per option: up to 8 options and the question's own row.
MAX_SOURCE_ROWS = MAX_QUESTIONS * (len(OPTION_KEYS) + 1)
HEADER_SCAN_ROWS = 15

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class ImportRefused(xlsx.ImportRefused):
    """The file cannot be read as questions; nothing was imported.

    ``code``: ``unreadable`` | ``too_big`` | ``empty`` | ``no_header`` |
    ``mapping_required`` (``columns`` then holds the file's header texts, for the
    mapping step) | ``mapping_invalid`` (the given mapping does not fit)."""

    def __init__(self, message: str, *, code: str, columns: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.columns = list(columns or [])


@dataclass
class SourceRow:
    """One question as the file gives it: ``row`` is the row the user sees (for a
    yf-exam question, the row of its first line); ``cells`` our field key → text
    (stripped; an empty optional field is absent)."""

    row: int
    cells: dict[str, str]


@dataclass
class ReadResult:
    layout: str  # "jiangtang" | "yf_exam" | "generic_columns" | "mapped"
    header_row: int  # 1-based
    columns: list[str]  # the file's header texts, in order
    mapping: dict[str, str]  # their header → our field key, as used
    rows: list[SourceRow]
    notes: list[tuple[int, str]] = field(default_factory=list)  # (row, message) warnings


@dataclass
class _Sheet:
    title: str
    rows: Iterator[tuple[int, list[str]]]  # (row number, cell texts), empty rows left out


def read_questions(
    *,
    data: bytes,
    filename: str,
    mapping: dict[str, str] | None = None,
    remembered: dict[str, str] | None = None,
) -> ReadResult:
    """Read and validate an uploaded question file (see the module's docstring);
    raises ``ImportRefused``."""
    if mapping is not None:
        check_mapping(mapping)
    if remembered is not None:
        try:
            check_mapping(remembered)
        except ImportRefused:
            remembered = None  # a stale remembered mapping is simply not used
    if not data:
        raise ImportRefused(_("The file is empty."), code="empty")
    if len(data) > MAX_BYTES:
        raise ImportRefused(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)},
            code="too_big",
        )
    first_header = None
    sheets = _sheets(data, filename)
    for sheet in sheets:
        head = list(islice(sheet.rows, HEADER_SCAN_ROWS))
        if not head:
            continue
        found = _choose(head, sheet.title, mapping=mapping, remembered=remembered)
        if found is None:
            first_header = first_header or _guess_header(head)
            continue
        index, layout_name, columns, convert, fixed = found
        number, header = head[index]
        body = chain(head[index + 1 :], sheet.rows)
        result = _result(layout_name, number, header, columns, convert, body, fixed)
        if fixed:
            message = _("There is no 题型 column: the sheet's name, “%(sheet)s”, is the kind.")
            result.notes.insert(0, (0, message % {"sheet": sheet.title}))
        unread = [
            other.title
            for other in sheets
            if (rows := list(islice(other.rows, HEADER_SCAN_ROWS)))
            and _choose(rows, other.title, mapping=mapping, remembered=remembered)
        ]
        if unread:
            message = _(
                "Only the sheet “%(sheet)s” was read; the sheets %(others)s hold questions "
                "too: import each of them as a file of its own."
            )
            sheet_names = "、".join(f"“{title}”" for title in unread)
            result.notes.insert(0, (0, message % {"sheet": sheet.title, "others": sheet_names}))
        return result
    if first_header is None:
        raise ImportRefused(_("The file is empty."), code="empty")
    texts = [text for text in first_header if text]
    if mapping is not None:
        present = {header_key(text) for text in texts}
        missing = [key for key, ours in mapping.items() if ours and header_key(key) not in present]
        raise ImportRefused(
            _("The file has no column named %(columns)s.") % {"columns": "、".join(missing)},
            code="mapping_invalid",
            columns=texts,
        )
    if len(texts) < 2:
        raise ImportRefused(
            _(
                "No header row was found: one of the first rows should name the columns "
                "(题型, 题干, 答案…)."
            ),
            code="no_header",
        )
    raise ImportRefused(
        _("This sheet's layout was not recognised; match its columns to our fields."),
        code="mapping_required",
        columns=texts,
    )


def check_mapping(mapping: dict[str, str]) -> None:
    """A mapping (their header → our key) must name our keys, each once, and give
    题型, 题干 and 答案; else ``ImportRefused(code="mapping_invalid")``. Whether its
    headers are in the file is checked against the file."""
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        raise ImportRefused(_("The column mapping is not valid."), code="mapping_invalid")
    mapping = {k: v for k, v in mapping.items() if v}  # a column mapped to nothing is ignored
    unknown = sorted({v for v in mapping.values() if v not in FIELD_LABELS})
    if unknown:
        raise ImportRefused(
            _("The column mapping uses fields we do not have: %(fields)s.")
            % {"fields": "、".join(unknown)},
            code="mapping_invalid",
        )
    seen: set[str] = set()
    for value in mapping.values():
        if value in seen:
            raise ImportRefused(
                _("Two columns are mapped to %(field)s.") % {"field": FIELD_LABELS[value]},
                code="mapping_invalid",
            )
        seen.add(value)
    missing = [FIELD_LABELS[key] for key in FIELD_KEYS if key in REQUIRED and key not in seen]
    if missing:
        raise ImportRefused(
            _("The column mapping must give %(fields)s.") % {"fields": "、".join(missing)},
            code="mapping_invalid",
        )


def _choose(head, title: str, *, mapping, remembered):
    """(index in ``head`` of the header row, layout name, {position: key}, convert,
    cells every row gets), or None when nothing fits this sheet. A sheet named for a
    kind ("单选题") may lack the 题型 column."""
    if mapping is not None:
        return _mapped(head, mapping)
    kind = sheet_kind(title)
    for assume in [frozenset(), frozenset({"kind"})] if kind else [frozenset()]:
        candidates = []
        for index, (_number, texts) in enumerate(head):
            known = sum(1 for text in texts if header_key(text) in KNOWN_HEADERS)
            for preference, layout in enumerate(LAYOUTS):
                columns = layout.columns(texts, assume=assume)
                if columns is not None:
                    candidates.append((-known, preference, index, layout, columns))
                    break
        if candidates:
            _known, _preference, index, layout, columns = min(candidates, key=lambda c: c[:3])
            fixed = {"kind": kind} if "kind" not in columns.values() and kind else {}
            return index, layout.name, columns, layout.convert, fixed
    if remembered:
        return _mapped(head, remembered)
    return None


def _mapped(head, mapping):
    wanted = {header_key(their): ours for their, ours in mapping.items() if ours}
    for index, (_number, texts) in enumerate(head):
        keys = [header_key(text) for text in texts]
        if set(wanted) <= set(keys):
            columns: dict[int, str] = {}
            for position, key in enumerate(keys):
                if key in wanted and wanted[key] not in columns.values():
                    columns[position] = wanted[key]
            return index, "mapped", columns, _plain_rows, {}
    return None


def _guess_header(head) -> list[str]:
    """For a sheet we did not recognise: the first of its widest rows (a title row
    above the header is narrower; data rows below are no wider)."""
    widest = max(sum(1 for text in texts if text) for _number, texts in head)
    return next(texts for _number, texts in head if sum(1 for t in texts if t) == widest)


def _result(layout_name, header_number, header, columns, convert, body, fixed) -> ReadResult:
    rows = []
    notes = []
    for number, texts in body:
        cells = {key: texts[position] for position, key in columns.items() if position < len(texts)}
        if not any(text for key, text in cells.items() if key != "_no"):  # a bare yf-exam 序号
            notes.append((number, _("Nothing in the question columns; row skipped.")))
            continue
        rows.append((number, {**fixed, **cells}))
        if len(rows) > MAX_SOURCE_ROWS or (layout_name != "yf_exam" and len(rows) > MAX_QUESTIONS):
            raise _too_many()
    converted, layout_notes = convert(rows)
    if len(converted) > MAX_QUESTIONS:
        raise _too_many()
    if not converted:
        raise ImportRefused(_("The file has no questions."), code="empty")
    notes = sorted(notes + layout_notes, key=lambda note: note[0])
    used = {
        header[position]: key
        for position, key in sorted(columns.items())
        if key in FIELD_LABELS and header[position]
    }
    return ReadResult(
        layout=layout_name,
        header_row=header_number,
        columns=[text for text in header if text],
        mapping=used,
        rows=[SourceRow(row=number, cells=cells) for number, cells in converted],
        notes=notes,
    )


def _too_many() -> ImportRefused:
    return ImportRefused(
        _("More than %(n)d questions; split the file.") % {"n": MAX_QUESTIONS}, code="too_big"
    )


def _unreadable() -> ImportRefused:
    return ImportRefused(
        _("This file cannot be read. Save it from Excel or WPS as .xlsx, .xls or .csv."),
        code="unreadable",
    )


# Files → sheets of text rows


def _sheets(data: bytes, filename: str) -> Iterator[_Sheet]:
    """The file's sheets, by what its bytes are (the name may lie: a .xls that is
    really a .csv, a .csv saved as a workbook)."""
    if data.startswith(ZIP_MAGIC):
        return _xlsx_sheets(data)
    if data.startswith(OLE_MAGIC):
        return _xls_sheets(data)
    return iter([_Sheet(title="", rows=_csv_rows(_decode(data)))])


def _xlsx_sheets(data: bytes) -> Iterator[_Sheet]:
    try:
        workbook = xlsx.open_workbook(data, max_bytes=MAX_BYTES)
    except xlsx.ImportRefused as refusal:  # not a workbook, or a zip bomb: its own words
        raise ImportRefused(str(refusal), code="unreadable") from None

    def rows(sheet):
        try:
            # Some writers store a wrong size ("A1:A1"); read what is there instead.
            sheet.reset_dimensions()
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                texts = _trimmed([xlsx.cell_text(value) for value in values])
                if texts:
                    yield number, texts
        except ImportRefused:
            raise
        except Exception:  # a part that fails to parse mid-way means the same to the user
            raise _unreadable() from None

    def sheets():
        try:
            for sheet in workbook.worksheets:
                if hasattr(sheet, "iter_rows"):
                    yield _Sheet(title=sheet.title, rows=rows(sheet))
        finally:
            workbook.close()

    return sheets()


def _xls_sheets(data: bytes) -> Iterator[_Sheet]:
    import xlrd

    try:
        # logfile: xlrd reports a damaged file on stdout otherwise
        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
    except Exception:  # xlrd raises many kinds for a broken file
        raise _unreadable() from None

    def text(cell, datemode) -> str:
        if cell.ctype == xlrd.XL_CELL_ERROR:
            return ""
        if cell.ctype == xlrd.XL_CELL_DATE:
            try:
                moment = xlrd.xldate_as_datetime(cell.value, datemode)
            except Exception:
                return xlsx.cell_text(cell.value)
            return moment.date().isoformat() if moment.time() == moment.min.time() else str(moment)
        return xlsx.cell_text(cell.value)

    def rows(sheet):
        for index in range(sheet.nrows):
            texts = _trimmed([text(cell, book.datemode) for cell in sheet.row(index)])
            if texts:
                yield index + 1, texts

    def sheets():
        try:
            for index in range(book.nsheets):
                try:
                    sheet = book.sheet_by_index(index)
                except Exception:
                    raise _unreadable() from None
                yield _Sheet(title=sheet.name, rows=rows(sheet))
        finally:
            book.release_resources()

    return sheets()


def _decode(data: bytes) -> str:
    """UTF-8 (BOM or not) when the bytes are strictly UTF-8, UTF-16 with its BOM
    (Excel's "Unicode text"), else GB18030 (what Excel and WPS write on Chinese
    Windows); text that is not text (control bytes, a web page) is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise _unreadable() from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise _unreadable() from None
    sample = text[:4096]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n")
    if controls or sample.lstrip().startswith("<"):
        raise _unreadable()
    return text


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """Comma- or tab-separated, whichever the first lines use more of."""
    first_lines = [line for line in text.splitlines()[:20] if line.strip()]
    tabs = sum(line.count("\t") for line in first_lines)
    commas = sum(line.count(",") for line in first_lines)
    delimiter = "\t" if tabs and tabs >= commas else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, values in enumerate(reader, start=1):
            texts = _trimmed([xlsx.cell_text(value) for value in values])
            if texts:
                yield number, texts
    except csv.Error:
        raise _unreadable() from None


def _trimmed(texts: list[str]) -> list[str]:
    """Without trailing empty cells; [] for an empty row."""
    end = len(texts)
    while end and not texts[end - 1]:
        end -= 1
    return texts[:end]
