"""
The points ledger (学习积分).

An append-only list of ``PointEvent`` rows, one per award or correction, is the
truth; ``PointBalance`` keeps each member's running total so that reads are one
row, and is only ever changed in the same transaction as the ledger row that
explains the change (see ``backend.points.services``). A correction is a new
row, never an edit.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PointRule(models.Model):
    """How many points one kind of event is worth, and its daily cap."""

    kind = models.SlugField(_("kind"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    description = models.CharField(_("description"), max_length=200, blank=True)
    points = models.IntegerField(_("points per event"), default=1)
    daily_cap = models.PositiveIntegerField(
        _("daily cap"),
        null=True,
        blank=True,
        help_text=_("Most points a member can earn from this kind in one day; empty: no cap."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive kinds award nothing.")
    )

    class Meta:
        ordering = ["kind"]
        verbose_name = _("point rule")
        verbose_name_plural = _("point rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(points__gte=0), name="pointrule_points_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.kind})"


class PointEvent(models.Model):
    """
    One ledger entry. ``source_key`` names what earned it (``lecture:12``,
    ``attempt:345``); the same member, kind and key count once. ``points`` is
    what was credited after the daily cap, ``requested_points`` what the caller
    asked for; corrections carry signed points and may point at the entry they
    correct.
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="point_events",
        verbose_name=_("member"),
    )
    rule = models.ForeignKey(
        PointRule, on_delete=models.PROTECT, related_name="events", verbose_name=_("kind")
    )
    points = models.IntegerField(_("points"))
    requested_points = models.IntegerField(_("requested points"))
    source_key = models.CharField(_("source"), max_length=200)
    day = models.DateField(_("day"), help_text=_("Local date the daily cap counts against."))
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("point entry")
        verbose_name_plural = _("points ledger")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "rule", "source_key"], name="pointevent_once_per_source"
            ),
        ]
        indexes = [
            models.Index(fields=["member", "rule", "day"], name="pointevent_cap_idx"),
            models.Index(fields=["member", "-created_at"], name="pointevent_history_idx"),
            models.Index(fields=["day"], name="pointevent_day_idx"),
        ]

    def __str__(self):
        return f"{self.member} {self.points:+d} {self.rule.kind}"

    def save(self, *args, **kwargs):
        # The ledger is append-only: an entry is written once and never changed.
        if not self._state.adding:
            raise ValidationError(_("Ledger entries cannot be changed; add a correction."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Ledger entries cannot be deleted; add a correction."))

    @property
    def capped(self) -> bool:
        return self.points < self.requested_points


class PointBalance(models.Model):
    """A member's running total: the sum of the member's ledger entries."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="point_balance",
    )
    total = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-total"]
        verbose_name = _("points balance")
        verbose_name_plural = _("points balances")

    def __str__(self):
        return f"{self.member}: {self.total}"


class PointTotal(models.Model):
    """
    A member's points in one period (``backend.points.periods``: ``2026-12``,
    ``2026-Q4``, ``2026``, ``2026-W49``, ``all``): the sum of the member's ledger
    entries whose ``day`` falls in it. Like the balance, changed only in the
    transaction that appends the explaining entry (``services._append``), so the
    leaderboards read these rows instead of the ledger; ``totals.totals_verify``
    checks them against a recount. No branch or unit is copied here: a member
    who moves ranks with the new branch at once.
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="point_totals",
        verbose_name=_("member"),
    )
    period = models.CharField(_("period"), max_length=10)
    points = models.IntegerField(_("points"), default=0)

    class Meta:
        ordering = ["period", "-points", "member_id"]
        verbose_name = _("points total")
        verbose_name_plural = _("points totals")
        constraints = [
            models.UniqueConstraint(fields=["member", "period"], name="pointtotal_once_per_period"),
        ]
        indexes = [models.Index(fields=["period", "-points"], name="pointtotal_rank_idx")]

    def __str__(self):
        return f"{self.member_id} {self.period}: {self.points}"
