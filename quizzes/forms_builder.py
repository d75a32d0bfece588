"""
The quiz builder's forms (组卷): the quiz's own fields, the drawing rules as rows
(a formset, so the page saves without JavaScript) and a fixed paper's questions.

Every choice is limited to what the user may use: banks by
``quizzes.scope.banks_usable_by``, the audience by the org tree's
``units_manageable_by`` / ``branches_manageable_by``. A unit admin must address
the own unit or one of its branches, so that the quiz stays among the quizzes
they manage.
"""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from backend.accounts import scope as org_scope
from backend.accounts.scope import is_city_admin

from . import scope
from .models import QUIZ_TAKING_FIELDS, Question, QuestionKind, Quiz

LOCAL_INPUT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends
OUT_OF_REACH = _("Choose one from the list.")

DRAWN, FIXED = "drawn", "fixed"
PAPER_CHOICES = [(DRAWN, _("Drawn by rules")), (FIXED, _("Fixed questions"))]
DIFFICULTY_CHOICES = [(n, str(n)) for n in range(1, 6)]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=LOCAL_INPUT, **kwargs)


class QuizForm(forms.ModelForm):
    """The quiz's fields. ``paper`` says which paper the page edits (rules or a fixed
    list); the view reads the rules or the questions accordingly."""

    paper = forms.ChoiceField(
        label=_("How the paper is made"),
        choices=PAPER_CHOICES,
        initial=DRAWN,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Quiz
        fields = [
            "title",
            "description",
            "purpose",
            "banks",
            "audience_unit",
            "audience_branch",
            *QUIZ_TAKING_FIELDS,
            "shuffle_questions",
            "shuffle_options",
            "contest_while_open",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "banks": forms.CheckboxSelectMultiple,
            "opens_at": LocalDateTimeInput(),
            "closes_at": LocalDateTimeInput(),
        }
        error_messages = {
            "banks": {"invalid_choice": OUT_OF_REACH, "invalid_pk_value": OUT_OF_REACH},
            "audience_unit": {"invalid_choice": OUT_OF_REACH},
            "audience_branch": {"invalid_choice": OUT_OF_REACH},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["banks"].queryset = scope.banks_usable_by(user).select_related("unit")
        self.fields["banks"].label_from_instance = _bank_label
        self.fields["audience_unit"].queryset = org_scope.units_manageable_by(user)
        self.fields["audience_branch"].queryset = org_scope.branches_manageable_by(
            user
        ).select_related("unit")
        self.fields["audience_branch"].label_from_instance = lambda b: f"{b.unit.name} · {b.name}"
        city = is_city_admin(user)
        self.fields["audience_unit"].empty_label = (
            _("The whole city") if city else _("Choose the unit")
        )
        self.fields["audience_branch"].empty_label = _("All its branches")
        if self.instance.pk is None and not city and user.unit_id:
            self.initial["audience_unit"] = self.initial.get("audience_unit") or user.unit_id
        if self.instance.pk is not None:
            self.initial.setdefault(
                "paper", FIXED if not self.instance.rules and self._has_items() else DRAWN
            )

    def _has_items(self) -> bool:
        return self.instance.items.exists()

    def clean(self):
        data = super().clean()
        unit, branch = data.get("audience_unit"), data.get("audience_branch")
        if branch is not None and unit is not None and branch.unit_id != unit.pk:
            self.add_error("audience_branch", _("This branch is not in the chosen unit."))
        if branch is not None and unit is None:
            data["audience_unit"] = None  # a branch alone addresses its members
        if unit is None and branch is None and not is_city_admin(self.user):
            self.add_error(
                "audience_unit", _("Address the quiz to your unit or to one of its branches.")
            )
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The quiz must close after it opens."))
        pass_percent = data.get("pass_percent")
        if pass_percent is not None and pass_percent > 100:
            self.add_error("pass_percent", _("At most 100."))
        return data


def _bank_label(bank) -> str:
    owner = bank.unit.name if bank.unit_id else _("city-wide")
    return f"{bank.name}（{owner}）"


class RuleForm(forms.Form):
    """One drawing rule (题型 × 分类 × 难度 × 数量 × 分值). ``category`` is offered as a
    list of the chosen banks' categories; the value is checked against the banks
    (``quizzes.papers.rules_check``), not by the list, so a category that has gone
    from the banks shows why the rule cannot be filled."""

    kind = forms.ChoiceField(
        label=pgettext_lazy("paper", "Kind"),
        choices=QuestionKind.choices,
        initial=QuestionKind.SINGLE,
    )
    category = forms.CharField(label=_("Category"), required=False, max_length=50)
    min_difficulty = forms.TypedChoiceField(
        label=_("Difficulty from"),
        choices=DIFFICULTY_CHOICES,
        coerce=int,
        initial=1,
    )
    max_difficulty = forms.TypedChoiceField(
        label=_("Difficulty to"),
        choices=DIFFICULTY_CHOICES,
        coerce=int,
        initial=5,
    )
    count = forms.IntegerField(
        label=pgettext_lazy("paper", "Questions"),
        min_value=1,
        max_value=200,
        widget=forms.NumberInput,
    )
    points = forms.IntegerField(label=_("Points each"), min_value=1, max_value=100, initial=1)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)

    def __init__(self, *args, categories=(), tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name, offered in (("category", categories), ("tag", tags)):
            current = (self[name].value() or "").strip()
            names = list(offered)
            if current and current not in names:
                names.append(current)  # gone from the banks: the check says so
            self.fields[name].widget = forms.Select(
                choices=[("", _("Any"))] + [(value, value) for value in names]
            )
        kind = self["kind"].value()
        if kind and kind not in QuestionKind.values:
            # a stored rule of a kind that does not exist shows as it is (and is
            # refused on save) rather than passing for the first kind in the list
            self.fields["kind"].widget.choices = [*QuestionKind.choices, (kind, kind)]
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("aria-label", str(field.label))
            field.widget.attrs["data-field"] = name
        self.problem = ""  # why the banks cannot fill this rule (set by the view)
        self.available = None  # how many questions it can draw from

    def clean(self):
        data = super().clean()
        low, high = data.get("min_difficulty"), data.get("max_difficulty")
        if low is not None and high is not None and low > high:
            self.add_error("max_difficulty", _("Not below the lower difficulty."))
        return data

    def rule_data(self) -> dict:
        """The rule in ``Quiz.rules``' format (version 1)."""
        data = self.cleaned_data
        rule = {"kind": data["kind"], "count": data["count"], "points": data["points"]}
        if data.get("category"):
            rule["category"] = data["category"].strip()
        if data.get("min_difficulty") and data["min_difficulty"] > 1:
            rule["min_difficulty"] = data["min_difficulty"]
        if data.get("max_difficulty") and data["max_difficulty"] < 5:
            rule["max_difficulty"] = data["max_difficulty"]
        if data.get("tag"):
            rule["tag"] = data["tag"].strip()
        return rule


class BaseRuleFormSet(forms.BaseFormSet):
    """The rule rows. A row already on the quiz (or sent back by the page) counts
    even when unchanged; a blank extra row left untouched is ignored."""

    def live_forms(self) -> list[RuleForm]:
        self.errors  # noqa: B018 (cleans the rows: a removed row is known by its cleaned data)
        return [
            form
            for i, form in enumerate(self.forms)
            if (i < self.initial_form_count() or form.has_changed())
            and not self._should_delete_form(form)
        ]

    def rules_data(self) -> list[dict]:
        return [form.rule_data() for form in self.live_forms()]

    def rows_initial(self) -> list[dict]:
        """The rows as sent, for a page drawn again with one more row (no JavaScript)."""
        return [{name: form[name].value() for name in form.fields} for form in self.live_forms()]


RuleFormSet = forms.formset_factory(
    RuleForm, formset=BaseRuleFormSet, extra=0, can_delete=True, max_num=30, absolute_max=30
)

RULES_PREFIX = "rules"


def rules_initial(rules: list[dict]) -> list[dict]:
    """``Quiz.rules`` as the rows' initial values."""
    return [
        {
            "kind": rule.get("kind"),
            "category": rule.get("category", ""),
            "min_difficulty": rule.get("min_difficulty") or 1,
            "max_difficulty": rule.get("max_difficulty") or 5,
            "count": rule.get("count"),
            "points": rule.get("points", 1),
            "tag": rule.get("tag", ""),
        }
        for rule in rules
    ]


@dataclass
class PaperItem:
    question: Question
    points: int


@dataclass
class FixedPaper:
    """A fixed paper's questions in order, read from the page's parallel lists
    ``item_question`` and ``item_points``; ``errors`` in Chinese for the page."""

    items: list[PaperItem]
    errors: list[str]

    @classmethod
    def from_post(cls, data, *, banks) -> "FixedPaper":
        ids = data.getlist("item_question")
        points = data.getlist("item_points")
        errors: list[str] = []
        if len(ids) != len(points):
            return cls([], [str(_("The paper's questions were not sent whole; try again."))])
        parsed: list[tuple[int, int]] = []
        for raw_id, raw_points in zip(ids, points, strict=True):
            try:
                pk, value = int(raw_id), int(raw_points)
            except ValueError:
                errors.append(str(_("Points must be a whole number from 1 to 100.")))
                continue
            if not 1 <= value <= 100:
                errors.append(str(_("Points must be a whole number from 1 to 100.")))
                continue
            parsed.append((pk, value))
        if len({pk for pk, _ in parsed}) != len(parsed):
            errors.append(str(_("A question is on the paper twice.")))
        bank_ids = [bank.pk for bank in banks]
        found = Question.objects.filter(bank_id__in=bank_ids).in_bulk([pk for pk, _ in parsed])
        if len(found) != len({pk for pk, _ in parsed}):
            errors.append(str(_("Some questions are not in the chosen banks; remove them.")))
        items = [PaperItem(found[pk], value) for pk, value in parsed if pk in found]
        return cls(items, errors)

    @classmethod
    def of_quiz(cls, quiz: Quiz) -> "FixedPaper":
        return cls(
            [
                PaperItem(item.question, item.points)
                for item in quiz.items.select_related("question")
            ],
            [],
        )

    @property
    def total_points(self) -> int:
        return sum(item.points for item in self.items)
