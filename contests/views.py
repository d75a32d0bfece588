"""Contest pages: the secretary's list and forms (a contest where everyone answers,
and an on-stage contest, 现场赛), the host console, the big screen, joining by PIN,
the player's phone view, results. The live parts run over the WebSocket in
``contests/play.js``, ``host.js`` and ``screen.js`` (classic and team: the phone, the
console, the big screen) and ``contests/stage.js`` (on stage)."""

from datetime import UTC, datetime

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.accounts import scope, throttle
from quizzes.models import Quiz

from . import selectors, services, stage
from .api import visible_contests
from .models import Contest, ContestFormat, ContestStatus
from .scope import OUT_OF_SCOPE, REFUSALS, HostingRefused, quizzes_hostable_by


class ContestForm(forms.Form):
    quiz = forms.ModelChoiceField(
        queryset=Quiz.objects.none(),  # the host's: contests.scope.quizzes_hostable_by
        label=gettext_lazy("Quiz"),
        empty_label=gettext_lazy("Choose a quiz"),
        error_messages={"invalid_choice": REFUSALS[OUT_OF_SCOPE]},
    )
    format = forms.ChoiceField(
        # on-stage contests have a form of their own
        choices=[c for c in ContestFormat.choices if c[0] != ContestFormat.STAGE],
        label=gettext_lazy("Format"),
    )
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

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quiz"].queryset = quizzes_hostable_by(user)


class StageForm(forms.Form):
    """An on-stage contest (现场赛): the teams on stage (normally branches, whose
    members join them; ad-hoc teams typed in), the rounds and the base score."""

    title = forms.CharField(max_length=120, required=False, label=gettext_lazy("Title"))
    quiz = forms.ModelChoiceField(
        queryset=Quiz.objects.none(),  # the host's: contests.scope.quizzes_hostable_by
        label=gettext_lazy("Quiz"),
        empty_label=gettext_lazy("Choose a quiz"),
        error_messages={"invalid_choice": REFUSALS[OUT_OF_SCOPE]},
    )
    branches = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Branches on stage"),
    )
    extra_teams = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Other teams"),
        help_text=gettext_lazy("One team name per line."),
    )
    mode = forms.ChoiceField(
        choices=[
            (stage.CAPTAIN_MODE, gettext_lazy("One device per team (the captain's)")),
            (stage.MEMBERS_MODE, gettext_lazy("Every member's phone")),
        ],
        initial=stage.CAPTAIN_MODE,
        label=gettext_lazy("Teams play on"),
    )
    bida = forms.IntegerField(
        min_value=0,
        max_value=10,
        initial=2,
        label=gettext_lazy("Compulsory questions per team"),
        help_text=gettext_lazy("0 skips the round."),
    )
    qiangda = forms.IntegerField(
        min_value=0,
        max_value=50,
        initial=5,
        label=gettext_lazy("Buzzer questions"),
        help_text=gettext_lazy("0 skips the round."),
    )
    risk = forms.IntegerField(
        min_value=0,
        max_value=5,
        initial=1,
        label=gettext_lazy("Risk questions per team"),
        help_text=gettext_lazy("0 skips the round."),
    )
    base = forms.IntegerField(
        min_value=0, max_value=10000, initial=100, label=gettext_lazy("Base score per team")
    )
    reserve = forms.IntegerField(
        min_value=0, max_value=20, initial=3, label=gettext_lazy("Reserve questions (tie-break)")
    )
    allow_guests = forms.BooleanField(required=False, label=gettext_lazy("Guests may join"))
    # scoring rules (contests.stage.DEFAULT_RULES are the defaults)
    points = forms.IntegerField(
        min_value=1, max_value=1000, initial=10, label=gettext_lazy("Points for a right answer")
    )
    wrong = forms.IntegerField(
        min_value=0,
        max_value=1000,
        initial=10,
        label=gettext_lazy("Points lost for a wrong buzzer answer"),
    )
    early = forms.IntegerField(
        min_value=0, max_value=1000, initial=10, label=gettext_lazy("Points lost for an early buzz")
    )
    void_on_early = forms.BooleanField(
        required=False, label=gettext_lazy("An early buzz voids the question")
    )
    pass_on = forms.BooleanField(
        required=False,
        initial=True,
        label=gettext_lazy("After a wrong answer the other teams may buzz"),
    )
    stakes = forms.CharField(
        max_length=40,
        initial="10, 20, 30",
        label=gettext_lazy("Risk stakes"),
        help_text=gettext_lazy("Separated by commas."),
    )
    answer_seconds = forms.IntegerField(
        min_value=5, max_value=300, initial=20, label=gettext_lazy("Seconds to answer")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quiz"].queryset = quizzes_hostable_by(user)
        branches = scope.branches_visible_to(user).select_related("unit").order_by("unit", "name")
        self.fields["branches"].choices = [
            (str(b.pk), f"{b.name}（{b.unit.name}）" if scope.is_city_admin(user) else b.name)
            for b in branches
        ]

    def clean(self):
        data = super().clean()
        extra = (data.get("extra_teams") or "").splitlines()
        data["extra_names"] = [" ".join(line.split()) for line in extra if line.strip()]
        if len(data.get("branches", [])) + len(data["extra_names"]) < 2:
            self.add_error(None, _("Put at least two teams on stage."))
        counts = [data.get(name) for name in ("bida", "qiangda", "risk")]
        if None not in counts and not any(counts):
            self.add_error(None, _("Give at least one round some questions."))
        try:
            data["stake_values"] = sorted(
                {
                    int(v)
                    for v in (data.get("stakes") or "").replace("，", ",").split(",")
                    if v.strip()
                }
            )
        except ValueError:
            data["stake_values"] = []
        if not data["stake_values"] or not all(0 < v <= 1000 for v in data["stake_values"]):
            self.add_error("stakes", _("Give whole numbers from 1 to 1000, separated by commas."))
        return data

    def teams(self) -> list[dict]:
        """Branch teams by id (their members join them; the service names them),
        then the ad-hoc teams by name (players choose them when they join)."""
        mode = self.cleaned_data["mode"]
        return [{"branch": int(pk), "mode": mode} for pk in self.cleaned_data["branches"]] + [
            {"name": name, "mode": mode} for name in self.cleaned_data["extra_names"]
        ]

    def rounds(self) -> list[dict]:
        teams = len(self.teams())
        counts = {
            stage.BIDA: self.cleaned_data["bida"] * teams,
            stage.QIANGDA: self.cleaned_data["qiangda"],
            stage.RISK: self.cleaned_data["risk"] * teams,
        }
        data = self.cleaned_data
        answer_ms = data["answer_seconds"] * 1000
        rules = {
            stage.BIDA: {"points": data["points"], "answer_ms": answer_ms},
            stage.QIANGDA: {
                "points": data["points"],
                "wrong": -data["wrong"],
                "early": -data["early"],
                "void_on_early": data["void_on_early"],
                "pass_on": data["pass_on"],
                "answer_ms": answer_ms,
            },
            stage.RISK: {"stakes": data["stake_values"], "answer_ms": answer_ms},
        }
        return [
            {"format": fmt, "count": count, "rules": rules[fmt]}
            for fmt, count in counts.items()
            if count
        ]

    def create(self, host) -> Contest:
        data = self.cleaned_data
        return services.contest_create_stage(
            host=host,
            quiz=data["quiz"],
            title=data["title"],
            teams=self.teams(),
            rounds=self.rounds(),
            base=data["base"],
            reserve=data["reserve"],
            allow_guests=data["allow_guests"],
        )


def _hosted(request, pk: int) -> Contest:
    contest = get_object_or_404(Contest.objects.select_related("quiz"), pk=pk)
    if not services.can_run(request.user, contest):
        raise PermissionDenied(_("Only the host runs this contest."))
    return contest


def _join_url(request, contest: Contest) -> str:
    return request.build_absolute_uri(reverse("contests:play", args=[contest.pin]))


@login_required
def contest_index(request):
    if not services.can_host(request.user):
        raise PermissionDenied(_("Only secretaries and admins hold contests."))
    posted = request.POST if request.method == "POST" else None
    on_stage = posted is not None and posted.get("form") == "stage"
    form = ContestForm(None if on_stage else posted, user=request.user)
    stage_form = StageForm(posted if on_stage else None, user=request.user, prefix="stage")
    chosen = stage_form if on_stage else form
    if posted is not None and chosen.is_valid():
        try:
            if on_stage:
                contest = stage_form.create(request.user)
            else:
                contest = services.contest_create(host=request.user, **form.cleaned_data)
        except (services.ContestError, HostingRefused) as exc:
            chosen.add_error(None, str(exc))
        else:
            return redirect("contests:host", contest.pk)
    contests = visible_contests(request.user).select_related("host")[:30]
    return render(
        request,
        "contests/index.html",
        {
            "form": form,
            "stage_form": stage_form,
            "on_stage": on_stage,
            "contests": contests,
            "nav": "profile",
        },
    )


@login_required
def host_console(request, pk: int):
    contest = _hosted(request, pk)
    join_url = _join_url(request, contest)
    on_stage = contest.format == ContestFormat.STAGE
    return render(
        request,
        "contests/stage_host.html" if on_stage else "contests/host.html",
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
    on_stage = contest.format == ContestFormat.STAGE
    return render(
        request,
        "contests/stage_screen.html" if on_stage else "contests/screen.html",
        {
            "contest": contest,
            "join_url": join_url,
            "qr": segno.make(join_url, error="m").svg_inline(scale=8),
            "hide_nav": True,
        },
    )


def _too_many_pins(request, retry_after: int):
    """429 on the join page: too many wrong PINs from this address (or account)."""
    minutes = max(1, -(-retry_after // 60))
    response = render(
        request,
        "contests/join.html",
        {
            "error": _("Too many wrong PINs; try again in %(minutes)s minutes.")
            % {"minutes": minutes},
            "nav": "home",
        },
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def join(request):
    pin = "".join(ch for ch in request.GET.get("pin", "") if ch.isdigit())[:6]
    if "pin" in request.GET and (locked := throttle.join_locked_for(request)):
        return _too_many_pins(request, locked)
    if len(pin) == 6:
        return redirect("contests:play", pin)
    return render(
        request,
        "contests/join.html",
        {"error": _("Enter the six-digit PIN.") if "pin" in request.GET else "", "nav": "home"},
    )


def play(request, pin: str):
    # Throttled before the lookup, so that while locked a live PIN and a wrong one
    # get the same 429: no PIN can be tried, right or wrong.
    if locked := throttle.join_locked_for(request):
        return _too_many_pins(request, locked)
    contest = Contest.objects.filter(pin=pin).exclude(status=ContestStatus.FINISHED).first()
    if contest is None and (mine := selectors.finished_result_for(request.user, pin)):
        # a reload after the end: the player's own result, not a dead end
        return _finished(request, mine)
    if contest is None:
        throttle.join_record_miss(request)
        return render(
            request,
            "contests/join.html",
            {"error": _("There is no contest with this PIN, or it has ended."), "nav": "home"},
            status=404,
        )
    if not request.user.is_authenticated and not contest.allow_guests:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    if contest.format != ContestFormat.STAGE:
        return render(request, "contests/play.html", {"contest": contest, "hide_nav": True})
    teams = contest.stage.get("teams", [])
    branch = request.user.branch_id if request.user.is_authenticated else None
    ad_hoc = [t["name"] for t in teams if not t.get("branch")]
    on_a_branch_team = branch is not None and any(t.get("branch") == branch for t in teams)
    return render(
        request,
        "contests/stage_play.html",
        {
            "contest": contest,
            # a player not on a branch team may choose an ad-hoc team, or watch
            "team_choices": [] if on_a_branch_team else ad_hoc,
            "hide_nav": True,
        },
    )


def _finished(request, mine):
    contest = mine.contest
    return render(
        request,
        "contests/finished.html",
        {
            "contest": contest,
            "mine": mine,
            "players": contest.results.count(),
            "results_visible": visible_contests(request.user).filter(pk=contest.pk).exists(),
            # what the member got wrong, with the answer, 解析 and 出处
            "missed": selectors.missed_questions(mine),
            "nav": "home",
        },
    )


@login_required
def my_contests(request):
    """我的竞赛: the finished contests the member played, newest first."""
    played = selectors.contests_played_by(request.user, visible=visible_contests(request.user))
    return render(request, "contests/my_contests.html", {"played": played, "nav": "profile"})


KIND_LABELS = {
    stage.ANSWER: gettext_lazy("Answer given"),
    stage.EARLY_BUZZ: gettext_lazy("Early buzz"),
    stage.TIMED_OUT: gettext_lazy("Time-out"),
    stage.VOIDED: gettext_lazy("Voided"),
    stage.CORRECTION: gettext_lazy("Correction"),
}
RESULT_LABELS = {
    stage.RIGHT: gettext_lazy("Answered right"),
    stage.WRONG: gettext_lazy("Answered wrong"),
    stage.PARTIAL: gettext_lazy("Partly right"),
    stage.TIMEOUT: gettext_lazy("Time-out"),
    stage.EARLY: gettext_lazy("Too early"),
    stage.VOID: gettext_lazy("Voided"),
}
BY_LABELS = {
    stage.BY_JUDGE: gettext_lazy("Judge"),
    stage.BY_AUTO: gettext_lazy("Graded automatically"),
    stage.BY_SYSTEM: gettext_lazy("System"),
}


def _stage_results(contest: Contest) -> dict:
    """On stage: the teams' order recounted from the stored audit log, and the log."""
    room = services.contest_stage_replay(contest)
    effective = stage.effective_deltas(room)
    titles = [r["title"] for r in contest.stage.get("rounds", [])]
    audit = [
        {
            "entry": d.entry,
            "at": datetime.fromtimestamp(d.at / 1000, tz=UTC),
            "round": titles[d.round - 1] if d.round <= len(titles) else _("Tie-break"),
            "seq": d.seq,
            "team": d.team,
            "kind": KIND_LABELS.get(d.kind, d.kind),
            "result": RESULT_LABELS.get(d.result, d.result),
            "delta": d.delta,
            "effective": None if d.kind == stage.CORRECTION else effective.get(d.entry, 0),
            "by": BY_LABELS.get(d.by, d.by),
            "corrects": d.corrects,
        }
        for d in contest.decisions.all()
    ]
    return {"teams": stage.ranking(room), "audit": audit, "base": room.base}


@login_required
def results(request, pk: int):
    contest = get_object_or_404(visible_contests(request.user), pk=pk)
    context = {"contest": contest, "nav": "profile"}
    if contest.format == ContestFormat.STAGE:
        context.update(_stage_results(contest))
    else:
        final = selectors.contest_results(contest)  # as the API and the workbook
        context.update(ranking=final.ranking, teams=final.teams, asked=final.asked)
    return render(request, "contests/results.html", context)
