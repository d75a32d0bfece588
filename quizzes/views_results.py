"""The results pages (成绩单) for secretaries and admins: the quizzes of their scope
with how many took each, and one quiz's results (by branch, then the names of one
branch). The numbers are ``quizzes.results``', as the API and the workbook give them."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from backend.accounts import scope

from . import results
from .models import Attempt, AttemptKind


def _require_reports(user):
    if not scope.can_view_study_reports(user):
        raise PermissionDenied(_("Only secretaries and admins see the results of others."))


@login_required
def results_index(request):
    """The quizzes of the user's scope, newest first, with expected and taken counts
    (three queries a page, whatever the number of people)."""
    user = request.user
    _require_reports(user)
    quizzes = results.quizzes_reportable_to(user).filter(status="published").order_by("-created_at")
    page = Paginator(quizzes, 20).get_page(request.GET.get("page"))
    in_scope = scope.members_visible_to(user)
    taken = dict(
        Attempt.objects.filter(
            quiz__in=[q.pk for q in page.object_list],
            kind=AttemptKind.QUIZ,
            status__in=results.CLOSED,
            member__in=in_scope,
        )
        .order_by()
        .values_list("quiz_id")
        .annotate(n=Count("member_id", distinct=True))
    )
    audience = list(
        scope.study_audience_visible_to(user)
        .order_by()
        .values_list("branch_id", "unit_id")
        .annotate(n=Count("pk"))
    )
    total = sum(n for _b, _u, n in audience)
    rows = []
    for quiz in page.object_list:
        if quiz.audience_branch_id is not None:
            expected = sum(n for b, _u, n in audience if b == quiz.audience_branch_id)
        elif quiz.audience_unit_id is not None:
            expected = sum(n for _b, u, n in audience if u == quiz.audience_unit_id)
        else:
            expected = total
        rows.append({"quiz": quiz, "expected": expected, "taken": taken.get(quiz.pk, 0)})
    return render(
        request, "quizzes/results_index.html", {"page": page, "rows": rows, "nav": "profile"}
    )


@login_required
def quiz_results_page(request, pk: int):
    """One quiz: the totals, the branches (fewest taken first) and, for one branch
    (or a scope of one branch), who took it with what score and who has not."""
    user = request.user
    _require_reports(user)
    quiz = get_object_or_404(results.quizzes_reportable_to(user), pk=pk)
    branch_id = request.GET.get("branch")
    if branch_id is not None and not branch_id.isdigit():
        raise Http404
    whole = results.quiz_results(user=user, quiz=quiz)
    if branch_id is None and len(whole.branches) == 1:
        branch_id = whole.branches[0].branch_id
    report = None
    if branch_id is not None:
        report = (
            whole
            if len(whole.branches) == 1 and whole.branches[0].branch_id == int(branch_id)
            else results.quiz_results(user=user, quiz=quiz, branch_id=int(branch_id))
        )
    selected = next((b for b in whole.branches if str(b.branch_id) == str(branch_id)), None)
    return render(
        request,
        "quizzes/quiz_results.html",
        {
            "quiz": quiz,
            "whole": whole,
            "report": report,
            "selected": selected,
            "branch_id": branch_id,
            "nav": "profile",
        },
    )


__all__ = ["quiz_results_page", "results_index"]
