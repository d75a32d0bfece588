"""Contest pages: the secretary's list and form, the host console, the big screen,
joining by PIN, the player's phone view, results. The live parts run in
``contests/live.js`` over the WebSocket."""

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.accounts import scope
from quizzes.models import Quiz, QuizStatus

from . import services
from .api import visible_contests
from .models import Contest, ContestFormat, ContestStatus


class ContestForm(forms.Form):
    quiz = forms.ModelChoiceField(
        queryset=Quiz.objects.filter(status=QuizStatus.PUBLISHED), label=gettext_lazy("Quiz")
    )
    format = forms.ChoiceField(choices=ContestFormat.choices, label=gettext_lazy("Format"))
    seconds_per_question = forms.IntegerField(
        min_value=5, max_value=300, initial=20, label=gettext_lazy("Seconds per question")
    )
    points_per_question = forms.IntegerField(
        min_value=1, max_value=10000, initial=1000, label=gettext_lazy("Points per question")
    )
    allow_guests = forms.BooleanField(required=False, label=gettext_lazy("Guests may join"))
    question_on_screen_only = forms.BooleanField(
        required=False, label=gettext_lazy("Show the question on the big screen only")
    )


def _hosted(request, pk: int) -> Contest:
    contest = get_object_or_404(Contest.objects.select_related("quiz"), pk=pk)
    if contest.host_id != request.user.pk and not scope.is_city_admin(request.user):
        raise PermissionDenied(_("Only the host runs this contest."))
    return contest


def _join_url(request, contest: Contest) -> str:
    return request.build_absolute_uri(reverse("contests:play", args=[contest.pin]))


@login_required
def contest_index(request):
    if not services.can_host(request.user):
        raise PermissionDenied(_("Only secretaries and admins hold contests."))
    form = ContestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contest = services.contest_create(host=request.user, **form.cleaned_data)
        except services.ContestError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("contests:host", contest.pk)
    contests = visible_contests(request.user).select_related("host")[:30]
    return render(
        request, "contests/index.html", {"form": form, "contests": contests, "nav": "profile"}
    )


@login_required
def host_console(request, pk: int):
    contest = _hosted(request, pk)
    join_url = _join_url(request, contest)
    return render(
        request,
        "contests/host.html",
        {
            "contest": contest,
            "join_url": join_url,
            "qr": segno.make(join_url, error="m").svg_inline(scale=5),
            "hide_nav": True,
        },
    )


@login_required
def big_screen(request, pk: int):
    contest = _hosted(request, pk)
    join_url = _join_url(request, contest)
    return render(
        request,
        "contests/screen.html",
        {
            "contest": contest,
            "join_url": join_url,
            "qr": segno.make(join_url, error="m").svg_inline(scale=8),
            "hide_nav": True,
        },
    )


def join(request):
    pin = "".join(ch for ch in request.GET.get("pin", "") if ch.isdigit())[:6]
    if len(pin) == 6:
        return redirect("contests:play", pin)
    return render(
        request,
        "contests/join.html",
        {"error": _("Enter the six-digit PIN.") if "pin" in request.GET else "", "nav": "home"},
    )


def play(request, pin: str):
    contest = Contest.objects.filter(pin=pin).exclude(status=ContestStatus.FINISHED).first()
    if contest is None:
        return render(
            request,
            "contests/join.html",
            {"error": _("There is no contest with this PIN, or it has ended."), "nav": "home"},
            status=404,
        )
    if not request.user.is_authenticated and not contest.allow_guests:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    return render(request, "contests/play.html", {"contest": contest, "hide_nav": True})


@login_required
def results(request, pk: int):
    contest = get_object_or_404(visible_contests(request.user), pk=pk)
    return render(
        request,
        "contests/results.html",
        {"contest": contest, "ranking": contest.results.all(), "nav": "profile"},
    )
