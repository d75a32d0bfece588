"""
Live contests (知识竞赛): a room with a PIN, built from a quiz. The game itself
runs in the engine (``contests.engine``) over a state store; these rows keep
what must outlive it: every accepted answer and the final results.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from quizzes.models import Question, Quiz


class ContestFormat(models.TextChoices):
    CLASSIC = "classic", _("Classic: everyone answers")
    TEAM = "team", _("Teams: branch against branch")
    STAGE = "stage", _("On stage: compulsory, buzzer and risk rounds for teams")


class ContestStatus(models.TextChoices):
    LOBBY = "lobby", _("Waiting for players")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")


class Contest(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="contests")
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="hosted_contests"
    )
    title = models.CharField(_("title"), max_length=120)
    pin = models.CharField(_("PIN"), max_length=6, unique=True)
    format = models.CharField(
        _("format"), max_length=10, choices=ContestFormat, default=ContestFormat.CLASSIC
    )
    allow_guests = models.BooleanField(_("guests allowed"), default=False)
    question_on_screen_only = models.BooleanField(
        _("question on the big screen only"),
        default=False,
        help_text=_("Phones show the answer buttons; the question is read from the big screen."),
    )
    seconds_per_question = models.PositiveIntegerField(_("seconds per question"), default=20)
    points_per_question = models.PositiveIntegerField(_("points per question"), default=1000)
    question_ids = models.JSONField(
        default=list, help_text="the questions, in order, drawn once when the contest is made"
    )
    stage = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            "on stage only: {base, rounds: [{format, title, question_ids, rules}], "
            "teams: [{name, mode, captain}], reserve_ids, tiebreak_rules}"
        ),
    )
    status = models.CharField(max_length=10, choices=ContestStatus, default=ContestStatus.LOBBY)
    snapshot = models.JSONField(
        null=True,
        blank=True,
        help_text="the room as of its last step (contests.engine.room_to_dict, version 1); "
        "while it runs, without its players and board, which are kept apart",
    )
    # A running room's players and board, written only by the steps that change them:
    # the other steps (a question opening, the clock) save a few KB, not the whole room.
    snapshot_players = models.JSONField(null=True, blank=True, editable=False)
    snapshot_board = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("contest")
        verbose_name_plural = _("contests")

    def __str__(self):
        return f"{self.title} ({self.pin})"


class ContestAnswer(models.Model):
    """An answer the engine accepted (``at``: server epoch ms)."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="answers")
    player = models.CharField(max_length=64)
    seq = models.PositiveIntegerField()
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    response = models.JSONField()
    at = models.BigIntegerField()
    elapsed_ms = models.PositiveIntegerField()

    class Meta:
        ordering = ["contest", "seq", "at"]
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "seq", "player"], name="contestanswer_once_per_question"
            ),
        ]

    def __str__(self):
        return f"{self.contest_id} #{self.seq} {self.player}"


class ContestDecision(models.Model):
    """One line of an on-stage contest's audit log (``contests.stage.Entry``): a
    verdict, an early buzz, a time-out, a voided question or a correction."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="decisions")
    entry = models.PositiveIntegerField()
    at = models.BigIntegerField(help_text="server epoch ms")
    round = models.PositiveSmallIntegerField()
    seq = models.PositiveIntegerField()
    team = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=20)
    result = models.CharField(max_length=20)
    delta = models.IntegerField()
    by = models.CharField(max_length=10)
    corrects = models.PositiveIntegerField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["contest", "entry"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "entry"], name="contestdecision_once"),
        ]

    def __str__(self):
        return f"{self.contest_id} #{self.entry} {self.team} {self.result} {self.delta:+d}"


class ContestResult(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="results")
    player = models.CharField(max_length=64)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=50)
    team = models.CharField(max_length=100, blank=True)
    rank = models.PositiveIntegerField()
    score = models.IntegerField()
    correct = models.PositiveIntegerField()
    answered = models.PositiveIntegerField()
    asked = models.PositiveIntegerField(
        default=0, help_text="questions asked in the contest (voided ones not counted)"
    )

    class Meta:
        ordering = ["contest", "rank", "name"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "player"], name="contestresult_once"),
        ]

    def __str__(self):
        return f"{self.contest_id} {self.rank}. {self.name}"
