"""
What an import of a question file into a bank will do (the preview), and doing it
(the commit): the same plan either way, so "确认导入" writes exactly what was shown.

- Rows come from ``quizzes.importing.read`` (any known layout, or a column mapping)
  and are read by ``quizzes.importing.cells``.
- A row whose ID is a question of this bank updates it in place, keeping its pk
  (and so its statistics, attempts and mistakes notebook), or is ``unchanged``; an
  ID of no question of this bank is a row error. Rows without an ID are new.
- Duplicates (the same stem and options after the grader's normalisation) of a
  question in the bank or of an earlier row are warnings; with
  ``duplicates="skip"`` the row is skipped, with ``"keep"`` it is created. The same
  stem with other options is a warning only.
- With ``missing="deactivate"``, the bank's questions absent from a file that
  carries IDs are set inactive (never deleted).
- 出处 naming a lecture passage (``quizzes.sources``) sets the question's lecture
  and paragraph; a passage the lecture does not have is a warning.
- Committing is all or nothing: any row error and nothing is written.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backend.common.xlsx import RowError
from quizzes import scoring
from quizzes.models import AttemptQuestion, Question, QuestionBank
from quizzes.sources import resolve_sources

from .cells import KIND_LABELS, parse_row
from .read import FIELD_LABELS, ImportRefused, ReadResult, read_questions

__all__ = ["ImportRefused", "ImportReport", "PlannedRow", "questions_import"]

DUPLICATES = ("skip", "keep")
MISSING = ("keep", "deactivate")
#: The fields an update compares and writes.
UPDATE_FIELDS = [
    "kind",
    "stem",
    "stem_key",
    "options",
    "answer",
    "explanation",
    "difficulty",
    "category",
    "tags",
    "source",
    "is_active",
    "lecture",
    "passage",
]
_COMPARED = [name if name != "lecture" else "lecture_id" for name in UPDATE_FIELDS]
BATCH = 500
STEM_KEY_LENGTH = Question._meta.get_field("stem_key").max_length


@dataclass(frozen=True)
class Skipped:
    row: int
    reason: str


@dataclass(frozen=True)
class RowWarning:
    row: int
    message: str


@dataclass
class PlannedRow:
    row: int
    action: str  # "create" | "update" | "unchanged" | "skip" | "error"
    kind: str
    stem: str
    question_id: int | None
    reason: str = ""
    cites: tuple[str, int | None] | None = None  # the lecture (title, paragraph) 出处 names


@dataclass
class ImportReport:
    layout: str
    header_row: int
    columns: list[str]
    mapping: dict[str, str]
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    duplicates: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[RowWarning] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: list[PlannedRow] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def detail(self) -> str:
        if self.errors:
            return ngettext(
                "Nothing was imported: %(n)d problem to correct.",
                "Nothing was imported: %(n)d problems to correct.",
                len(self.errors),
            ) % {"n": len(self.errors)}
        counts = {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": len(self.skipped),
        }
        if self.committed:
            text = _(
                "Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged, "
                "%(skipped)d skipped."
            )
        else:
            text = _(
                "To import: %(created)d new, %(updated)d updated, %(unchanged)d unchanged, "
                "%(skipped)d skipped."
            )
        text %= counts
        if self.deactivated:
            text += " " + _("%(n)d questions not in the file set inactive.") % {
                "n": self.deactivated
            }
        return text

    def as_dict(self) -> dict:
        """The API's body (issue 15's contract, plus the preview's details)."""
        return {
            "detail": self.detail,
            "layout": self.layout,
            "header_row": self.header_row,
            "columns": self.columns,
            "mapping": self.mapping,
            "committed": self.committed,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deactivated": self.deactivated,
            "duplicates": self.duplicates,
            "skipped": [{"row": s.row, "reason": s.reason} for s in self.skipped],
            "warnings": [{"row": w.row, "message": w.message} for w in self.warnings],
            "errors": [
                {"row": e.row, "column": e.column, "message": e.message} for e in self.errors
            ],
            "rows": [
                {
                    "row": r.row,
                    "action": r.action,
                    "kind": r.kind,
                    "stem": r.stem,
                    "question": r.question_id,
                    "reason": r.reason,
                    "cites": {"title": r.cites[0], "passage": r.cites[1]} if r.cites else None,
                }
                for r in self.rows
            ],
        }


def _duplicate_key(fields: dict, stem: str | None = None) -> tuple:
    """``stem``: the stem's ``normalise_stem`` when the caller has it already."""
    return (
        scoring.normalise_stem(fields["stem"]) if stem is None else stem,
        tuple(scoring.normalise_text(option) for option in fields["options"]),
    )


def _stem_of(fields: dict) -> str:
    """``normalise_stem`` of a parsed row's stem: its ``stem_key`` unless that was cut."""
    key = fields["stem_key"]
    return key if len(key) < STEM_KEY_LENGTH else scoring.normalise_stem(fields["stem"])


@dataclass
class _Plan:
    report: ImportReport
    create: list[dict] = field(default_factory=list)  # the new questions' fields
    update: list[Question] = field(default_factory=list)
    deactivate: list[int] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)  # UPDATE_FIELDS some update changes


def questions_import(
    *,
    bank: QuestionBank,
    data: bytes,
    filename: str,
    mapping: dict | None = None,
    duplicates: str = "skip",
    missing: str = "keep",
    dry_run: bool = True,
    user=None,
    read: ReadResult | None = None,
) -> ImportReport:
    """
    Reads ``data`` (an .xlsx, .xls or .csv) and plans its rows against ``bank``; with
    ``dry_run`` returns the plan, else writes it in one transaction, the bank's row
    locked so that two imports into one bank follow each other; nothing is written
    when any row is in error. Raises ``ImportRefused`` (with a ``code``) when the
    file itself cannot be read. ``mapping`` ({their header: our field}) is used for
    a file of no known layout; a committed mapped import remembers it on the bank.
    ``read``: the file as ``read_file`` read it already (the rows are planned against
    the bank as it is now all the same).
    """
    if duplicates not in DUPLICATES or missing not in MISSING:
        raise ValueError(f"duplicates={duplicates!r}, missing={missing!r}")
    if read is None:
        read = read_file(bank=bank, data=data, filename=filename, mapping=mapping)
    if dry_run:
        return _plan(bank, read, duplicates=duplicates, missing=missing).report
    with transaction.atomic():
        bank = QuestionBank.objects.select_for_update().get(pk=bank.pk)
        plan = _plan(bank, read, duplicates=duplicates, missing=missing)
        if plan.report.errors:
            # nothing is written, and the counts say so
            plan.report.created = plan.report.updated = plan.report.deactivated = 0
            return plan.report
        created = Question.objects.bulk_create(
            [Question(bank=bank, **fields) for fields in plan.create], batch_size=BATCH
        )
        if plan.update:
            # only the columns some row changes: each is a CASE over the batch's rows
            changed = [name for name in UPDATE_FIELDS if name in plan.changed]
            Question.objects.bulk_update(plan.update, changed, batch_size=BATCH)
        if plan.deactivate:
            Question.objects.filter(pk__in=plan.deactivate).update(is_active=False)
        if read.layout == "mapped":
            bank.import_mapping = {"version": 1, "columns": dict(read.mapping)}
            bank.save(update_fields=["import_mapping"])
        plan.report.committed = True
    for planned, question in zip(
        (r for r in plan.report.rows if r.action == "create"), created, strict=True
    ):
        planned.question_id = question.pk
    return plan.report


def read_file(*, bank: QuestionBank, data: bytes, filename: str, mapping: dict | None):
    """The file's rows (``read_questions``), with the mapping the bank remembers."""
    return read_questions(
        data=data, filename=filename, mapping=mapping, remembered=remembered_mapping(bank)
    )


def remembered_mapping(bank: QuestionBank) -> dict | None:
    return (bank.import_mapping or {}).get("columns") or None


def _plan(bank: QuestionBank, read: ReadResult, *, duplicates: str, missing: str) -> _Plan:
    """The rows' actions against the bank as it is now (a few queries, none per row)."""
    report = ImportReport(
        layout=read.layout,
        header_row=read.header_row,
        columns=list(read.columns),
        mapping=dict(read.mapping),
    )
    plan = _Plan(report)
    header_of = {ours: theirs for theirs, ours in read.mapping.items()}

    def column(key: str) -> str:
        return header_of.get(key) or FIELD_LABELS.get(key, key)

    report.warnings.extend(RowWarning(row, message) for row, message in read.notes)
    parsed = [(source.row, parse_row(source.cells)) for source in read.rows]
    stem_texts = {source.row: (source.cells.get("stem") or "")[:120] for source in read.rows}
    existing = {
        question.pk: question
        for question in Question.objects.filter(bank=bank).only("id", *UPDATE_FIELDS).order_by("id")
    }
    citations = resolve_sources(
        row.fields["source"] for _number, row in parsed if row.fields and row.fields["source"]
    )
    bank_keys: dict[tuple, int] = {}
    bank_stems: dict[str, int] = {}
    for question in existing.values():
        stem = scoring.normalise_stem(question.stem)
        bank_keys.setdefault(_duplicate_key(_fields_of(question), stem), question.pk)
        bank_stems.setdefault(stem, question.pk)
    seen_keys: dict[tuple, int] = {}
    seen_stems: dict[str, int] = {}
    ids_in_file: dict[int, int] = {}
    present: set[int] = set()  # bank questions the file repeats without their ID
    kind_changed: dict[int, tuple[int, Question]] = {}

    for number, row in parsed:
        planned = PlannedRow(number, "error", row.kind_text, stem_texts[number], row.question_id)
        report.rows.append(planned)
        if row.fields:
            planned.kind = row.fields["kind"]
        for message in row.warnings:
            report.warnings.append(RowWarning(number, message))
        if row.question_id is not None:
            if row.question_id in ids_in_file:
                row.errors.append(
                    (
                        "id",
                        _("The ID is also on row %(row)d.") % {"row": ids_in_file[row.question_id]},
                    )
                )
            else:
                ids_in_file[row.question_id] = number
            if row.question_id not in existing:
                row.errors.append(
                    (
                        "id",
                        _("No question of this bank has the ID %(id)d.") % {"id": row.question_id},
                    )
                )
        if row.skip:
            _skip(report, planned, row.skip)
            continue
        if row.errors:
            for key, message in row.errors:
                report.errors.append(RowError(number, column(key), message))
            planned.reason = row.errors[0][1]
            continue
        fields = row.fields
        citation = _cite(fields, citations, report, number)
        if citation is not None:
            planned.cites = (citation.title, citation.passage)
        stem = _stem_of(fields)
        key = _duplicate_key(fields, stem)
        if row.question_id is not None:
            question = existing[row.question_id]
            if question.source == fields["source"]:
                # the 出处 text as it was: keep the citation (it may have been set by hand)
                fields["lecture_id"], fields["passage"] = question.lecture_id, question.passage
            seen_keys.setdefault(key, number)
            seen_stems.setdefault(stem, number)
            changed = [
                name
                for name, compared in zip(UPDATE_FIELDS, _COMPARED, strict=True)
                if getattr(question, compared) != fields[compared]
            ]
            if not changed:
                planned.action = "unchanged"
                report.unchanged += 1
                continue
            plan.changed.update(changed)
            if question.kind != fields["kind"]:
                kind_changed[question.pk] = (number, question)
            for name, value in fields.items():
                setattr(question, name, value)
            plan.update.append(question)
            planned.action = "update"
            report.updated += 1
            continue
        duplicate = _duplicate_message(key, seen_keys, bank_keys)
        if key in bank_keys:
            # the file holds this question of the bank (without its ID): not missing
            present.add(bank_keys[key])
        if duplicate:
            report.duplicates += 1
            report.warnings.append(RowWarning(number, duplicate))
            if duplicates == "skip":
                _skip(report, planned, duplicate)
                continue
        else:
            similar = _similar_message(stem, seen_stems, bank_stems)
            if similar:
                report.warnings.append(RowWarning(number, similar))
        seen_keys.setdefault(key, number)
        seen_stems.setdefault(stem, number)
        plan.create.append(fields)
        planned.action = "create"
        report.created += 1

    _refuse_kind_changes(report, kind_changed)
    if missing == "deactivate":
        _deactivate(plan, existing, ids_in_file, present)
    return plan


def _fields_of(question: Question) -> dict:
    return {"stem": question.stem, "options": question.options}


def _skip(report: ImportReport, planned: PlannedRow, reason: str) -> None:
    planned.action, planned.reason = "skip", reason
    report.skipped.append(Skipped(planned.row, reason))


def _cite(fields: dict, citations: dict, report: ImportReport, number: int):
    """Sets the row's lecture and paragraph from its 出处; returns the citation or None."""
    citation = citations.get(fields["source"].strip()) if fields["source"] else None
    fields["lecture_id"] = citation.lecture_id if citation else None
    fields["passage"] = citation.passage if citation else None
    if citation and citation.problem:
        report.warnings.append(
            RowWarning(
                number,
                _("出处: %(problem)s; the question cites the whole lecture.")
                % {"problem": citation.problem},
            )
        )
    return citation


def _duplicate_message(key: tuple, seen: dict, bank: dict) -> str:
    if key in seen:
        return _("Same stem and options as row %(row)d.") % {"row": seen[key]}
    if key in bank:
        return _("The bank already has this question (ID %(id)d).") % {"id": bank[key]}
    return ""


def _similar_message(stem: str, seen: dict, bank: dict) -> str:
    if stem in seen:
        return _("Same stem as row %(row)d, with other options.") % {"row": seen[stem]}
    if stem in bank:
        return _("The bank has a question with the same stem and other options (ID %(id)d).") % {
            "id": bank[stem]
        }
    return ""


def _refuse_kind_changes(report: ImportReport, changed: dict[int, tuple[int, Question]]) -> None:
    """A question someone has answered keeps its kind (their answers would no longer
    fit it): one query for all the rows that change a kind."""
    if not changed:
        return
    answered = set(
        AttemptQuestion.objects.filter(question_id__in=changed)
        .values_list("question_id", flat=True)
        .distinct()
    )
    for pk in sorted(answered, key=lambda pk: changed[pk][0]):
        number, question = changed[pk]
        report.errors.append(
            RowError(
                number,
                FIELD_LABELS["kind"],
                _("Question %(id)d has been answered; its kind cannot change to %(kind)s.")
                % {"id": pk, "kind": KIND_LABELS.get(question.kind, question.kind)},
            )
        )
    report.errors.sort(key=lambda error: error.row)


def _deactivate(
    plan: _Plan, existing: dict[int, Question], ids_in_file: dict, present: set[int]
) -> None:
    if not ids_in_file:
        plan.report.warnings.append(
            RowWarning(0, _("The file has no IDs, so no question was set inactive."))
        )
        return
    plan.deactivate = [
        pk
        for pk, question in existing.items()
        if pk not in ids_in_file and pk not in present and question.is_active
    ]
    plan.report.deactivated = len(plan.deactivate)
