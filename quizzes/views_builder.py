"""
The quiz builder pages (组卷, desktop first, usable on a tablet): the papers an admin
manages, flagged when the banks can no longer fill them, and one form to build a
paper drawn by rules or fixed from picked questions, then publish or withdraw it.

The page works without JavaScript (the rules are a formset, "add a rule" redraws
the page with one more row); ``quizzes/builder.js`` adds the live counts per rule
(``POST /api/v1/papers/check/``), the categories of the chosen banks and the
question picker (``GET /api/v1/questions/``). The server validates everything
again: ``quizzes.rules.parse_rules`` and ``quizzes.papers.rules_check``, whose
problem for a rule is shown next to its row; a rule the banks cannot fill never
reaches a published quiz.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import builder, papers, scope
from . import rules as drawing_rules
from .forms_builder import (
    DRAWN,
    RULES_PREFIX,
    FixedPaper,
    QuizForm,
    RuleFormSet,
    rules_initial,
)
from .models import QuestionKind, Quiz, QuizStatus

PAGE_SIZE = 25


def _require_author(user) -> None:
    if not scope.can_manage_banks(user):
        raise PermissionDenied(_("Only unit and city admins build papers."))


def _managed_quiz(request, pk: int) -> Quiz:
    _require_author(request.user)
    return get_object_or_404(scope.quizzes_manageable_by(request.user), pk=pk)


# --- the list -----------------------------------------------------------------------


def _paper_size(quiz: Quiz) -> tuple[int, int]:
    """(questions, points) of one paper: the rules' sums (of the rules that parse),
    or the fixed rows' (annotated)."""
    if quiz.rules:
        rules = [rule for rule in drawing_rules.parse_each(quiz.rules)[0] if rule is not None]
        return sum(rule.count for rule in rules), sum(rule.count * rule.points for rule in rules)
    return quiz.n_items, quiz.n_points or 0


@login_required
def quiz_list(request):
    """The papers the user manages, newest first, a page at a time; each with its
    size and the reason the banks can no longer fill it, if they cannot."""
    _require_author(request.user)
    quizzes = (
        scope.quizzes_manageable_by(request.user)
        .select_related("audience_unit", "audience_branch")
        .annotate(n_items=Count("items"), n_points=Sum("items__points"))
        .order_by("-created_at", "-pk")
    )
    status = request.GET.get("status", "")
    if status in QuizStatus.values:
        quizzes = quizzes.filter(status=status)
    query = request.GET.get("q", "").strip()[:60]
    if query:
        quizzes = quizzes.filter(Q(title__icontains=query))
    page = Paginator(quizzes, PAGE_SIZE).get_page(request.GET.get("page"))
    problems = papers.fill_problems(list(page.object_list))
    rows = []
    for quiz in page.object_list:
        count, points = _paper_size(quiz)
        rows.append(
            {
                "quiz": quiz,
                "drawn": bool(quiz.rules),
                "count": count,
                "points": points,
                "problem": problems.get(quiz.pk, ""),
            }
        )
    return render(
        request,
        "quizzes/authoring/quizzes.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "query": query,
            "statuses": QuizStatus.choices,
            "authoring_nav": "quizzes",
        },
    )


# --- the form -----------------------------------------------------------------------


def _chosen_banks(form: QuizForm) -> list:
    """The banks the form names (the checked ones, within the user's reach), even
    when other fields are in error: the categories and the picker follow them."""
    if form.is_bound:
        raw = form.data.getlist(form.add_prefix("banks"))
        ids = [int(v) for v in raw if str(v).isdigit()]
        return list(form.fields["banks"].queryset.filter(pk__in=ids))
    if form.instance.pk is not None:
        return list(form.instance.banks.all())
    return []


def _facets(banks) -> dict:
    """The chosen banks' categories and tags (names) for the rule rows' selects."""
    if not banks:
        return {"categories": [], "tags": []}
    found = papers.facets(banks=banks)
    return {key: [facet["name"] for facet in found[key]] for key in ("categories", "tags")}


def _formset(data, *, banks, initial=None, extra: int = 0):
    formset_class = RuleFormSet
    if extra:
        formset_class = type("RuleFormSetPlus", (RuleFormSet,), {"extra": extra})
    return formset_class(data, initial=initial, prefix=RULES_PREFIX, form_kwargs=_facets(banks))


def _check(forms, rules, *, banks) -> papers.RuleCheck:
    """``papers.rules_check`` of ``rules`` (one per row of ``forms``, as JSON): each
    row gets the questions it can draw from (``available``) and its ``problem``
    (the parser's or the banks')."""
    check = papers.rules_check(banks=banks, rules=rules)
    for form, result in zip(forms, check.rules, strict=False):
        form.available = result.available
        form.problem = result.problem
    return check


def _check_rows(formset, *, banks) -> papers.RuleCheck | None:
    """The posted rows' check, once every row is valid by itself."""
    forms = formset.live_forms()
    if not forms or not all(form.is_valid() for form in forms):
        return None
    return _check(forms, [form.rule_data() for form in forms], banks=banks)


def _page(request, *, quiz, form, formset, fixed, check=None, show_errors=True, error=""):
    banks = _chosen_banks(form)
    return render(
        request,
        "quizzes/authoring/quiz_edit.html",
        {
            "quiz": quiz,
            "form": form,
            "rules": formset,
            "fixed": fixed,
            "check": check,
            "banks": banks,
            "bank_ids": ",".join(str(bank.pk) for bank in banks),
            "show_errors": show_errors,
            "error": error,
            "kinds": QuestionKind.choices,
            "kind_labels": {value: str(label) for value, label in QuestionKind.choices},
            "difficulties": range(1, 6),
            "authoring_nav": "quizzes",
        },
    )


def _unbound(request, quiz: Quiz):
    form = QuizForm(instance=quiz, user=request.user)
    banks = _chosen_banks(form)
    formset = _formset(
        None, banks=banks, initial=rules_initial(quiz.rules), extra=0 if quiz.rules else 1
    )
    check = _check(formset.forms, quiz.rules, banks=banks) if quiz.rules else None
    fixed = FixedPaper.of_quiz(quiz) if quiz.pk else FixedPaper([], [])
    return _page(request, quiz=quiz, form=form, formset=formset, fixed=fixed, check=check)


@transaction.atomic
def _save(request, *, quiz, form, formset, fixed, publish: bool) -> Quiz:
    quiz = form.save(commit=False)
    banks = list(form.cleaned_data["banks"])
    if form.cleaned_data["paper"] == DRAWN:
        rules = [rule.to_json() for rule in drawing_rules.parse_rules(formset.rules_data())]
        builder.quiz_save(quiz=quiz, user=request.user, banks=banks, rules=rules)
    else:
        builder.quiz_save(
            quiz=quiz,
            user=request.user,
            banks=banks,
            items=[(item.question, item.points) for item in fixed.items],
        )
    if publish or quiz.status == QuizStatus.PUBLISHED:
        # a published paper must stay one its banks can fill: the same refusal
        papers.quiz_publish(quiz=quiz, user=request.user)
    return quiz


def _post(request, quiz: Quiz):
    user = request.user
    action = request.POST.get("action", "save")
    form = QuizForm(request.POST, instance=quiz, user=user)
    banks = _chosen_banks(form)
    formset = _formset(request.POST, banks=banks)
    fixed = FixedPaper.from_post(request.POST, banks=banks)
    if action == "add_rule":  # without JavaScript: the same page with one more row
        formset = _formset(None, banks=banks, initial=formset.rows_initial(), extra=1)
        return _page(request, quiz=quiz, form=form, formset=formset, fixed=fixed, show_errors=False)
    publish = action == "publish"
    was_published = quiz.pk is not None and quiz.status == QuizStatus.PUBLISHED
    valid = form.is_valid()
    paper = form.cleaned_data.get("paper", DRAWN) if valid else request.POST.get("paper", DRAWN)
    check, error = None, ""
    if paper == DRAWN:
        valid = formset.is_valid() and valid
        check = _check_rows(formset, banks=banks)
        if not formset.live_forms():
            formset._non_form_errors.append(_("Add at least one rule."))
            valid = False
        elif check is None or any(result.errors for result in check.rules):
            valid = False  # a row in error, or one the parser refuses (shown by the row)
        elif (publish or was_published) and not check.feasible:
            valid = False
            error = _("This paper cannot be published: %(problem)s") % {"problem": check.problem}
    else:
        if fixed.errors:
            valid = False
        if not fixed.items and (publish or was_published):
            fixed.errors.append(_("Add at least one question."))
            valid = False
    if not valid:
        return _page(
            request, quiz=quiz, form=form, formset=formset, fixed=fixed, check=check, error=error
        )
    was_new = quiz.pk is None
    try:
        quiz = _save(request, quiz=quiz, form=form, formset=formset, fixed=fixed, publish=publish)
    except papers.PaperError as refusal:  # rolled back: nothing saved, nothing published
        if was_new:
            quiz.pk = None
        return _page(
            request,
            quiz=quiz,
            form=form,
            formset=formset,
            fixed=fixed,
            check=check,
            error=str(refusal),
        )
    if publish:
        messages.success(request, _("The paper is published."))
    elif check is not None and not check.feasible:
        messages.warning(
            request,
            _("Draft saved. The banks cannot fill every rule yet; change them before publishing."),
        )
    else:
        messages.success(request, _("Saved."))
    return redirect("authoring:quiz_edit", quiz.pk)


@login_required
def quiz_new(request):
    _require_author(request.user)
    quiz = Quiz()
    if request.method == "POST":
        return _post(request, quiz)
    return _unbound(request, quiz)


@login_required
def quiz_edit(request, pk: int):
    quiz = _managed_quiz(request, pk)
    if request.method == "POST":
        return _post(request, quiz)
    return _unbound(request, quiz)


@login_required
@require_POST
def quiz_unpublish(request, pk: int):
    quiz = _managed_quiz(request, pk)
    try:
        papers.quiz_unpublish(quiz=quiz, user=request.user)
    except papers.PaperError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The paper is withdrawn: members no longer see it."))
    return redirect("authoring:quiz_edit", quiz.pk)


__all__ = ["quiz_edit", "quiz_list", "quiz_new", "quiz_unpublish"]
