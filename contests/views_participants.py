"""The page of a contest's participants in the caller's scope (参赛名单): totals, the
branches (fewest joined first), and for one branch who joined with rank and score
and who did not. The numbers are ``contests.participants``', as the API's."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from . import participants
from .api_participants import reportable_contest


@login_required
def participants_page(request, pk: int):
    contest = reportable_contest(request.user, pk)
    branch_id = request.GET.get("branch")
    if branch_id is not None and not branch_id.isdigit():
        raise Http404
    whole = participants.contest_people(user=request.user, contest=contest)
    if branch_id is None and len(whole.branches) == 1:
        branch_id = str(whole.branches[0].branch_id)
    report = None
    if branch_id is not None:
        report = (
            whole
            if len(whole.branches) == 1 and str(whole.branches[0].branch_id) == branch_id
            else participants.contest_people(
                user=request.user, contest=contest, branch_id=int(branch_id)
            )
        )
    selected = next((b for b in whole.branches if str(b.branch_id) == str(branch_id)), None)
    return render(
        request,
        "contests/participants.html",
        {
            "contest": contest,
            "whole": whole,
            "report": report,
            "selected": selected,
            "branch_id": branch_id,
            "nav": "profile",
        },
    )
