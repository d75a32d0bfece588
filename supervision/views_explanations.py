"""
The explanations' pages (说明):

- ``supervision/explanations/``: the city admin's list of every unit's explanations
  with the counts (outstanding, late, submitted, returned, reviewed) and filters by
  quarter and state; a unit admin's list of the own unit's (usually one a quarter).
- ``supervision/explanations/<id>/``: the unit admin files the explanation on a
  phone (text, photos and files), edits it until it is reviewed and files it again
  after a return; the city admin reads it and marks it reviewed or returns it with a
  note. A refused step re-renders the page with its Chinese message and writes nothing.
- ``supervision/explanations/files/<id>/<name>``: a file, to whoever sees the explanation.

Members and secretaries have no explanations to see (403); an explanation outside
the caller's scope is 404. Writes go through ``supervision.explanations``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.downloads import attachment_response

from . import explanations as ex
from .models import ExplanationFile

ACTIONS = ("file", "review", "return")


def _may_see(user) -> None:
    if not ex.can_see_explanations(user):
        raise PermissionDenied(_("Only unit admins and the city admin see the explanations."))


def file_url(item: ExplanationFile) -> str:
    return reverse("explanations:file", args=[item.pk, item.download_name])


@login_required
def explanation_list(request):
    user = request.user
    _may_see(user)
    now = timezone.now()
    quarter = request.GET.get("quarter", "")
    if not ex.QUARTER.match(quarter):
        quarter = ""
    wanted = request.GET.get("status", "")
    if wanted not in ex.FILTERS:
        wanted = ""
    every = ex.explanations_listed(user, now=now)
    quarters = sorted({e.assessment.quarter for e in every}, reverse=True)
    if not quarter and quarters and ex.can_review(user):
        quarter = quarters[0]
    in_quarter = [e for e in every if not quarter or e.assessment.quarter == quarter]
    shown = [e for e in in_quarter if ex.matches(e, wanted, now)]
    counts = ex.explanation_counts(in_quarter, now)
    filters = [
        {"key": key, "name": ex.FILTER_NAMES[key], "count": _count_of(counts, key)}
        for key in ex.FILTERS
    ]
    return render(
        request,
        "supervision/explanation_list.html",
        {
            "explanations": [
                (e, ex.is_late(e, now), ex.quarter_label(e.assessment.quarter)) for e in shown
            ],
            "counts": counts,
            "filters": filters,
            "wanted": wanted,
            "quarter": quarter,
            "quarters": [(q, ex.quarter_label(q)) for q in quarters],
            "quarter_name": ex.quarter_label(quarter) if quarter else "",
            "reviewer": ex.can_review(user),
            "nav": "home",
        },
    )


def _count_of(counts: ex.Counts, key: str) -> int:
    return {
        "pending": counts.outstanding,
        "late": counts.late,
        "submitted": counts.submitted,
        "returned": counts.returned,
        "reviewed": counts.reviewed,
    }[key]


@login_required
def explanation_page(request, pk: int):
    user = request.user
    _may_see(user)
    explanation = ex.explanation_visible(user, pk)
    if explanation is None:
        raise Http404
    filer = ex.can_file(user, explanation)
    reviewer = ex.can_review(user)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            error = _("Unknown action.")
        elif (action == "file" and not filer) or (action != "file" and not reviewer):
            raise PermissionDenied(_("This step is not yours to take."))
        else:
            try:
                notice = _apply(request, explanation, action)
            except ex.ExplanationError as exc:
                error = exc.message
            else:
                messages.success(request, notice)
                return redirect("explanations:detail", pk=explanation.pk)
        explanation = ex.explanation_visible(user, pk)
    posted = request.POST if error else {}
    return render(
        request,
        "supervision/explanation.html",
        {
            "e": explanation,
            "quarter_name": ex.quarter_label(explanation.assessment.quarter),
            "late": ex.is_late(explanation),
            "files": [(f, file_url(f)) for f in explanation.files.all()],
            "filer": filer,
            "reviewer": reviewer,
            "can_edit": filer and explanation.status != "reviewed",
            "can_decide": reviewer and explanation.status == "submitted",
            "text_value": posted.get("text", explanation.text),
            "note_value": posted.get("note", ""),
            "file_accept": ex.FILE_ACCEPT,
            "max_chars": ex.MAX_TEXT_CHARS,
            "error": error,
            "error_action": request.POST.get("action", "") if error else "",
            "nav": "home",
        },
        status=400 if error else 200,
    )


def _apply(request, explanation, action: str) -> str:
    """Runs one form's step; returns the notice to show, or raises ExplanationError."""
    data, user = request.POST, request.user
    if action == "file":
        first = explanation.submitted_at is None
        checked = ex.explanation_uploads_check(request.FILES.getlist("files"))
        remove = [int(v) for v in data.getlist("remove") if v.isdigit()]
        ex.explanation_file(
            explanation=explanation,
            by=user,
            text=data.get("text", ""),
            uploads=checked,
            remove=remove,
        )
        if first:
            return _("The explanation is filed.")
        return _("The explanation is saved.")
    if action == "review":
        ex.explanation_review(explanation=explanation, by=user, note=data.get("note", ""))
        return _("The explanation is marked reviewed.")
    ex.explanation_return(explanation=explanation, by=user, note=data.get("note", ""))
    return _("The explanation is returned to the unit.")


@login_required
def explanation_file(request, pk: int, name: str):
    """A file of an explanation, to whoever sees that explanation."""
    item = get_object_or_404(ExplanationFile, pk=pk)
    if ex.explanation_visible(request.user, item.explanation_id) is None:
        raise Http404
    return attachment_response(request, item)
