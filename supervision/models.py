"""
Supervision and assessment (督查考核): the year's indicators, the quarterly
assessment and the explanations it demands.

``Indicator`` rows are the city's indicators for a year (weight, target, unit);
the defaults (``DEFAULT_INDICATORS``) are created for a year the first time it
is asked about (``indicators_for_year``). ``supervision.indicators`` computes
each one per unit or branch for a quarter from the data already recorded;
``supervision.assessment`` scores, ranks and publishes.

An ``Assessment`` row is one *published version* of a quarter: a frozen
``snapshot`` (indicators, units and branches with values, scores and ranks) that
no later data changes; publishing the quarter again adds version + 1 and keeps
the earlier ones. A quarter without a row is not published (its numbers are a
live preview for the city admin).

Publishing asks the bottom units (``AssessmentSetting.bottom_n`` of the year) for
an ``Explanation`` (说明) due ``explanation_days`` later, with files
(``ExplanationFile``, stored like a lecture's attachments); the city admin
reviews it or returns it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from backend.accounts.models import Unit


class IndicatorUnit(models.TextChoices):
    PERCENT = "%", _("percent")
    COUNT = "count", _("count")
    POINTS = "points", _("points")


#: The default indicators of a year: key, name, weight, target, unit (in this order).
#: Weights add up to 100; a target is what earns the indicator's full weight.
DEFAULT_INDICATORS = (
    ("lecture_completion", _("Lecture completion rate"), 20, 90.0, IndicatorUnit.PERCENT),
    ("orglife_compliance", _("Organisational-life compliance"), 20, 100.0, IndicatorUnit.PERCENT),
    ("makeup_completion", _("Make-up completion rate"), 10, 90.0, IndicatorUnit.PERCENT),
    ("exam_participation", _("Exam participation rate"), 15, 95.0, IndicatorUnit.PERCENT),
    ("exam_average", _("Exam average score"), 10, 85.0, IndicatorUnit.POINTS),
    ("practice_activity", _("Daily-practice activity"), 10, 50.0, IndicatorUnit.PERCENT),
    ("contests_held", _("Contests held"), 3, 1.0, IndicatorUnit.COUNT),
    ("contest_participation", _("Contest participation rate"), 4, 50.0, IndicatorUnit.PERCENT),
    ("points_per_member", _("Points per member"), 8, 100.0, IndicatorUnit.POINTS),
)
DEFAULT_NAMES = {key: name for key, name, *_rest in DEFAULT_INDICATORS}


class Indicator(models.Model):
    """One indicator of a year's assessment (the city admin edits weight and target)."""

    year = models.PositiveIntegerField(_("year"))
    key = models.CharField(
        _("key"),
        max_length=40,
        choices=[(key, name) for key, name, *_rest in DEFAULT_INDICATORS],
    )
    name = models.CharField(
        _("name"), max_length=60, blank=True, help_text=_("Empty: the default name.")
    )
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    target = models.FloatField(_("target"))
    unit = models.CharField(_("unit"), max_length=10, choices=IndicatorUnit)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["year", "order", "id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["year", "key"], name="indicator_unique_key_in_year"),
        ]

    def __str__(self):
        return f"{self.year} · {self.display_name}"

    @property
    def display_name(self) -> str:
        return self.name or str(DEFAULT_NAMES.get(self.key, self.key))


def indicators_for_year(year: int, *, active_only: bool = True) -> list[Indicator]:
    """The year's indicators in order, the defaults created the first time."""
    rows = Indicator.objects.filter(year=year)
    if not rows.exists():
        Indicator.objects.bulk_create(
            [
                Indicator(year=year, key=key, weight=weight, target=target, unit=unit, order=i)
                for i, (key, _name, weight, target, unit) in enumerate(DEFAULT_INDICATORS)
            ],
            ignore_conflicts=True,
        )
    if active_only:
        rows = rows.filter(active=True)
    return list(rows.order_by("order", "id"))


class AssessmentSetting(models.Model):
    """How many bottom units must explain themselves in a year, and within how long."""

    year = models.PositiveIntegerField(_("year"), unique=True)
    bottom_n = models.PositiveIntegerField(
        _("bottom units to explain"),
        default=3,
        help_text=_("The units ranked last that must file an explanation."),
    )
    explanation_days = models.PositiveIntegerField(
        _("days to explain"),
        default=14,
        help_text=_("Days after publication until an explanation is due."),
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("assessment setting")
        verbose_name_plural = _("assessment settings")

    def __str__(self):
        return str(self.year)

    @classmethod
    def for_year(cls, year: int) -> "AssessmentSetting":
        setting, _created = cls.objects.get_or_create(year=year)
        return setting


class Assessment(models.Model):
    """A published version of a quarter's assessment: frozen once written."""

    quarter = models.CharField(_("quarter"), max_length=7, help_text="YYYY-Qn")
    version = models.PositiveIntegerField(_("version"), default=1)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )
    snapshot = models.JSONField(
        default=dict,
        help_text="{quarter, indicators:[{key, name, weight, target, unit}], "
        "units:[{rank, id, name, score, values, scores}], branches:[{rank, unit_rank, id, "
        "name, unit:{id, name}, score, values, scores}]}",
    )

    class Meta:
        ordering = ["-quarter", "-version"]
        verbose_name = _("published assessment")
        verbose_name_plural = _("published assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["quarter", "version"], name="assessment_unique_version"
            ),
        ]

    def __str__(self):
        return f"{self.quarter} v{self.version}"

    @property
    def year(self) -> int:
        return int(self.quarter[:4])


class ExplanationStatus(models.TextChoices):
    PENDING = "pending", _("Not yet filed")
    SUBMITTED = "submitted", _("Filed")
    RETURNED = "returned", _("Returned")
    REVIEWED = "reviewed", _("Reviewed")


class Explanation(models.Model):
    """A bottom unit's explanation (说明) demanded by a published version."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.PROTECT,
        related_name="explanations",
        verbose_name=_("assessment"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="explanations", verbose_name=_("unit")
    )
    rank = models.PositiveIntegerField(_("rank"))
    due_at = models.DateTimeField(_("due"))
    text = models.TextField(pgettext_lazy("supervision", "explanation"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ExplanationStatus,
        default=ExplanationStatus.PENDING,
    )
    submitted_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filed by"),
    )
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assessment", "rank", "unit_id"]
        verbose_name = pgettext_lazy("supervision", "explanation")
        verbose_name_plural = _("explanations")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "unit"], name="explanation_unique_unit"),
        ]

    def __str__(self):
        return f"{self.assessment} · {self.unit}"


def explanation_file_path(instance, filename):
    return f"supervision/{timezone.now():%Y/%m}/{instance.storage_token}{instance.extension}"


class ExplanationFile(models.Model):
    """A file of an explanation, checked like a lecture's attachments."""

    explanation = models.ForeignKey(
        Explanation,
        on_delete=models.CASCADE,
        related_name="files",
        verbose_name=pgettext_lazy("supervision", "explanation"),
    )
    title = models.CharField(_("title"), max_length=120)
    file = models.FileField(_("file"), upload_to=explanation_file_path, max_length=200)
    kind = models.CharField(_("kind"), max_length=10)
    content_type = models.CharField(_("content type"), max_length=100)
    extension = models.CharField(max_length=10)
    storage_token = models.CharField(max_length=32, unique=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["explanation", "added_at", "id"]
        verbose_name = _("explanation file")
        verbose_name_plural = _("explanation files")

    def __str__(self):
        return self.title

    @property
    def download_name(self) -> str:
        return f"{self.title}{self.extension}"
