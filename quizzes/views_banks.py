"""
The authoring pages for question banks (题库, desktop first): the banks an admin
manages with a form to create one, a bank's overview, and the import with a
preview — upload a file, see what the import will do (the planner's dry run),
map the columns of an unknown layout, choose what happens to duplicates and to
questions missing from an ID-carrying file, then confirm (all or nothing).

An upload is kept as a ``QuestionImport`` draft so that the confirmation imports
exactly the previewed file; only its creator sees it. The choices that change the
plan (duplicates, missing questions) travel in the preview's query string and in
the confirm form, so the confirmation commits what the page showed. The column
mapping is stored on the draft (it needs a form of its own).
"""

import hashlib
import json
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from backend.accounts import scope as org_scope

from . import scope
from .banks import OWN_UNIT, BankError, bank_create, banks_for_manager
from .importing.plan import questions_import, read_file, remembered_mapping
from .importing.read import FIELD_LABELS, ImportRefused, check_mapping
from .models import QuestionBank, QuestionImport, QuestionKind

#: The files the upload accepts (the reader decides by content, this is the first word).
EXTENSIONS = (".xlsx", ".xls", ".csv")
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
#: Uncommitted drafts older than this are deleted when the user uploads another file.
DRAFT_LIFETIME = timedelta(days=1)
#: The preview's table of rows stops here (the counts, skips, warnings and errors are whole).
ROWS_SHOWN = 500

LAYOUT_NAMES = {
    "jiangtang": gettext_lazy("This system's template"),
    "yf_exam": gettext_lazy("Yunfan exam system (yf-exam) template, one row per option"),
    "generic_columns": gettext_lazy("Kind / question / correct option / A–H sheet"),
    "mapped": gettext_lazy("Your column mapping"),
}
ACTION_NAMES = {
    "create": pgettext_lazy("import", "New"),
    "update": pgettext_lazy("import", "Update"),
    "unchanged": pgettext_lazy("import", "Unchanged"),
    "skip": pgettext_lazy("import", "Skipped"),
    "error": pgettext_lazy("import", "Error"),
}
DUPLICATE_CHOICES = [
    ("skip", pgettext_lazy("import", "Skip duplicates")),
    ("keep", pgettext_lazy("import", "Keep both")),
]
MISSING_CHOICES = [
    ("keep", pgettext_lazy("import", "Keep them")),
    ("deactivate", pgettext_lazy("import", "Deactivate them")),
]
IGNORE = ""


# --- who may ---------------------------------------------------------------------------


def _manager(request) -> None:
    if not scope.can_manage_banks(request.user):
        raise PermissionDenied(_("Only unit and city admins manage question banks."))


def _bank(request, pk: int) -> QuestionBank:
    _manager(request)
    return get_object_or_404(scope.banks_manageable_by(request.user).select_related("unit"), pk=pk)


def _draft(request, pk: int) -> QuestionImport:
    """The user's own draft, in a bank the user still manages (others: 404)."""
    _manager(request)
    return get_object_or_404(
        QuestionImport.objects.select_related("bank", "bank__unit").filter(
            created_by=request.user, bank__in=scope.banks_manageable_by(request.user)
        ),
        pk=pk,
    )


# --- the banks -------------------------------------------------------------------------


def banks_with_counts(user) -> QuerySet[QuestionBank]:
    """The banks ``user`` manages (``banks.banks_for_manager``) with, besides
    ``question_count``, the counts by kind (``n_<kind>``) and ``last_import`` (the
    last committed import): one query."""
    last_import = (
        QuestionImport.objects.filter(bank=OuterRef("pk"), committed_at__isnull=False)
        .order_by("-committed_at")
        .values("committed_at")[:1]
    )
    by_kind = {
        f"n_{kind}": Count("questions", filter=Q(questions__kind=kind)) for kind in QuestionKind
    }
    return banks_for_manager(user=user).annotate(last_import=Subquery(last_import), **by_kind)


class BankForm(forms.Form):
    """A new bank: its name and, for a city admin, its owner (全市 or a unit); a unit
    admin's banks belong to the own unit. ``banks.bank_create`` checks and creates."""

    name = forms.CharField(label=gettext_lazy("Bank name"), max_length=100)
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Owner"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("Whole city"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"].queryset = org_scope.units_manageable_by(user).order_by("name")
        if not org_scope.is_city_admin(user):
            del self.fields["unit"]

    def save(self) -> QuestionBank | None:
        """The new bank, or None with the service's refusal on the form."""
        if "unit" in self.fields:
            unit = self.cleaned_data.get("unit")
            unit_id = unit.pk if unit else None
        else:
            unit_id = OWN_UNIT
        try:
            return bank_create(user=self.user, name=self.cleaned_data["name"], unit_id=unit_id)
        except BankError as exc:
            field = "unit" if exc.code == "unit_not_allowed" and "unit" in self.fields else "name"
            self.add_error(field, str(exc))
            return None


@login_required
def bank_list(request):
    _manager(request)
    form = BankForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid() and (bank := form.save()):
        messages.success(request, _("Bank “%(name)s” created.") % {"name": bank.name})
        return redirect("authoring:bank", pk=bank.pk)
    return render(
        request,
        "quizzes/authoring/banks.html",
        {
            "banks": banks_with_counts(request.user),
            "kinds": QuestionKind.choices,
            "form": form,
            "authoring_nav": "banks",
        },
        status=400 if form.errors else 200,
    )


@login_required
def bank_detail(request, pk: int):
    bank = _bank(request, pk)
    questions = bank.questions.all()
    totals = questions.aggregate(
        n=Count("id"),
        inactive=Count("id", filter=Q(is_active=False)),
        cited=Count("id", filter=Q(lecture__isnull=False)),
    )
    by_kind = dict(questions.values_list("kind").annotate(n=Count("id")).order_by())
    categories = (
        questions.values("category")
        .annotate(n=Count("id"), active=Count("id", filter=Q(is_active=True)))
        .order_by("-n", "category")
    )
    imports = (
        bank.imports.filter(committed_at__isnull=False)
        .select_related("created_by")
        .order_by("-committed_at")[:5]
    )
    return render(
        request,
        "quizzes/authoring/bank.html",
        {
            "bank": bank,
            "totals": totals,
            "kinds": [(label, by_kind.get(kind, 0)) for kind, label in QuestionKind.choices],
            "categories": categories,
            "imports": imports,
            "authoring_nav": "banks",
        },
    )


# --- the import: upload ----------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Question file (.xlsx, .xls or .csv)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(_("Upload an .xlsx, .xls or .csv file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        if not upload.size:
            raise forms.ValidationError(_("The file is empty."))
        return upload


@login_required
def bank_import(request, pk: int):
    bank = _bank(request, pk)
    form = UploadForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        now = timezone.now()
        QuestionImport.objects.filter(
            created_by=request.user, committed_at__isnull=True, created_at__lt=now - DRAFT_LIFETIME
        ).delete()
        draft = QuestionImport.objects.create(
            bank=bank,
            created_by=request.user,
            filename=upload.name[-200:],
            data=upload.read(),
            created_at=now,
        )
        return redirect("authoring:import_preview", pk=draft.pk)
    unfinished = bank.imports.filter(
        created_by=request.user,
        committed_at__isnull=True,
        created_at__gte=timezone.now() - DRAFT_LIFETIME,
    ).only("pk", "filename", "created_at")
    return render(
        request,
        "quizzes/authoring/import.html",
        {"bank": bank, "form": form, "unfinished": unfinished, "authoring_nav": "banks"},
        status=400 if form.errors else 200,
    )


# --- the import: preview, mapping, confirm ---------------------------------------------


def _choice(value: str | None, choices, default: str) -> str:
    return value if value in dict(choices) else default


def _has_ids(report) -> bool:
    return "id" in (report.mapping or {}).values()


READ_SECONDS = 10 * 60


def _read(draft: QuestionImport, bank: QuestionBank):
    """The draft's file read (``read_questions``: the slow part of a big file), kept
    in the cache a few minutes under the draft, its mapping and the mapping the bank
    remembers, so that the preview's visits and the confirm read it once. Only the
    reading is kept: every preview and the commit plan its rows against the bank as
    it is then. Raises ``ImportRefused``, which is not kept."""
    mapping, data = draft.mapping or None, bytes(draft.data)
    digest = hashlib.sha256(data)  # the file's content too: a key never means another file
    digest.update(json.dumps([mapping, remembered_mapping(bank)], sort_keys=True).encode())
    key = f"quizzes:import-read:{draft.pk}:{digest.hexdigest()}"
    found = cache.get(key)
    if found is None:
        found = read_file(bank=bank, data=data, filename=draft.filename, mapping=mapping)
        cache.set(key, found, READ_SECONDS)
    return found


class Preview:
    """One run of the planner over a draft, as the page shows it."""

    def __init__(self, draft: QuestionImport, *, duplicates: str, missing: str):
        self.draft = draft
        self.duplicates = duplicates
        self.missing = missing
        self.report = None
        self.refused: ImportRefused | None = None
        try:
            self.report = questions_import(
                bank=draft.bank,
                data=b"",
                filename=draft.filename,
                duplicates=duplicates,
                missing=missing,
                dry_run=True,
                read=_read(draft, draft.bank),
            )
        except ImportRefused as exc:
            self.refused = exc

    @property
    def needs_mapping(self) -> bool:
        return self.refused is not None and self.refused.code in (
            "mapping_required",
            "mapping_invalid",
        )

    def context(self) -> dict:
        report = self.report
        if report is None:
            return {"report": None}
        rows = [
            {
                "row": r.row,
                "action": r.action,
                "action_name": ACTION_NAMES.get(r.action, r.action),
                "kind": _kind_name(r.kind),
                "stem": r.stem,
                "question_id": r.question_id,
                "reason": r.reason,
                "cites": r.cites,
            }
            for r in report.rows[:ROWS_SHOWN]
        ]
        return {
            "report": report,
            "layout_name": LAYOUT_NAMES.get(report.layout, report.layout),
            "rows": rows,
            "rows_cut": len(report.rows) > ROWS_SHOWN,
            "rows_total": len(report.rows),
            "has_ids": _has_ids(report),
            "nothing_to_do": not (report.created or report.updated or report.deactivated),
            "can_confirm": not report.errors
            and not self.draft.committed_at
            and bool(report.created or report.updated or report.deactivated),
        }


def _kind_name(kind: str) -> str:
    return str(QuestionKind(kind).label) if kind in QuestionKind.values else (kind or "—")


def _mapping_rows(columns: list[str], chosen: dict[str, str]) -> list[dict]:
    return [
        {"index": i, "column": column, "chosen": chosen.get(column, IGNORE)}
        for i, column in enumerate(columns)
    ]


def _mapping_context(
    draft: QuestionImport, columns: list[str], used: dict | None, posted: dict | None = None
) -> dict:
    """The mapping step's selects, prefilled from what was just posted, else the draft's
    mapping, else the one the planner used (a recognised layout), else the bank's
    remembered one."""
    remembered = (draft.bank.import_mapping or {}).get("columns") or {}
    chosen = (
        posted or draft.mapping or used or {c: remembered[c] for c in columns if c in remembered}
    )
    return {
        "mapping_step": True,
        "mapping_rows": _mapping_rows(columns, chosen),
        "field_choices": [(IGNORE, _("Ignore this column")), *FIELD_LABELS.items()],
    }


def _preview_url(draft: QuestionImport, duplicates: str, missing: str) -> str:
    url = reverse("authoring:import_preview", args=[draft.pk])
    return f"{url}?duplicates={duplicates}&missing={missing}"


@login_required
def import_preview(request, pk: int):
    draft = _draft(request, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "mapping":
            return _save_mapping(request, draft)
        if action == "reset_mapping":
            draft.mapping = {}
            draft.save(update_fields=["mapping"])
            return redirect("authoring:import_preview", pk=draft.pk)
        if action == "confirm":
            return _confirm(request, draft)
        raise Http404
    duplicates = _choice(request.GET.get("duplicates"), DUPLICATE_CHOICES, draft.duplicates)
    missing = _choice(request.GET.get("missing"), MISSING_CHOICES, "keep")
    return _render_preview(request, draft, duplicates=duplicates, missing=missing)


def _render_preview(request, draft, *, duplicates, missing):
    if draft.committed_at:
        return render(
            request,
            "quizzes/authoring/import_preview.html",
            {"draft": draft, "bank": draft.bank, "committed": True, "authoring_nav": "banks"},
        )
    preview = Preview(draft, duplicates=duplicates, missing=missing)
    context = {
        **_page(draft),
        "duplicates": duplicates,
        "missing": missing,
        "duplicate_choices": DUPLICATE_CHOICES,
        "missing_choices": MISSING_CHOICES,
        "refused": preview.refused,
        **preview.context(),
    }
    adjust = request.GET.get("step") == "mapping" and preview.report is not None
    if adjust:
        report = preview.report
        context.update(_mapping_context(draft, list(report.columns), report.mapping))
    elif preview.needs_mapping and preview.refused.columns:
        context.update(_mapping_context(draft, list(preview.refused.columns), None))
    return render(request, "quizzes/authoring/import_preview.html", context)


def _page(draft: QuestionImport) -> dict:
    return {"draft": draft, "bank": draft.bank, "authoring_nav": "banks"}


def _save_mapping(request, draft: QuestionImport):
    """Stores the admin's column mapping on the draft and previews again. A mapping
    that cannot work (no answer column, a field twice) is shown again with its reason
    and not stored; whether it fits the file is the reader's to say on the preview."""
    if draft.committed_at:
        return redirect("authoring:import_preview", pk=draft.pk)
    columns = request.POST.getlist("column")
    posted = {}
    for i, column in enumerate(columns):
        field = request.POST.get(f"field_{i}", IGNORE)
        if column and field in FIELD_LABELS:
            posted[column] = field
    try:
        check_mapping(posted)
    except ImportRefused as exc:
        context = {
            **_page(draft),
            **_mapping_context(draft, columns, None, posted or dict.fromkeys(columns, IGNORE)),
            "mapping_error": str(exc),
        }
        return render(request, "quizzes/authoring/import_preview.html", context, status=400)
    draft.mapping = posted
    draft.save(update_fields=["mapping"])
    return redirect("authoring:import_preview", pk=draft.pk)


def _confirm(request, draft: QuestionImport):
    """Commits the previewed file with the previewed choices, once: the draft row is
    locked, and a committed draft refuses."""
    duplicates = _choice(request.POST.get("duplicates"), DUPLICATE_CHOICES, "skip")
    missing = _choice(request.POST.get("missing"), MISSING_CHOICES, "keep")
    with transaction.atomic():
        locked = QuestionImport.objects.select_for_update().get(pk=draft.pk)
        if locked.committed_at:
            messages.error(request, _("This file has already been imported."))
            return redirect("authoring:bank", pk=draft.bank_id)
        try:
            report = questions_import(
                bank=draft.bank,
                data=b"",
                filename=locked.filename,
                duplicates=duplicates,
                missing=missing,
                dry_run=False,
                user=request.user,
                read=_read(locked, draft.bank),
            )
        except ImportRefused as exc:
            messages.error(request, str(exc))
            return redirect(_preview_url(draft, duplicates, missing))
        if report.errors or not report.committed:
            messages.error(request, report.detail)
            return redirect(_preview_url(draft, duplicates, missing))
        locked.committed_at = timezone.now()
        locked.duplicates = duplicates
        locked.data = b""  # the questions are in the bank now; the file is not needed
        locked.save(update_fields=["committed_at", "duplicates", "data"])
    messages.success(request, report.detail)  # 已导入：新增 N，更新 N…
    return redirect("authoring:bank", pk=draft.bank_id)
