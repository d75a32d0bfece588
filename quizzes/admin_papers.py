"""
The Django admin's side of papers (``QuizAdmin`` in ``quizzes.admin``): the
``rules`` box is checked by the parser and against the chosen banks; a paper the
banks cannot fill may be saved as a draft (with a warning) but not published;
the list flags the quizzes whose banks can no longer fill them (可组卷 → 题库不足),
computed for the page's rows at once (``papers.fill_problems``, three queries).
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import papers
from . import rules as drawing
from .models import QUIZ_TAKING_FIELDS, Quiz, QuizQuestion, QuizStatus

RULES_HELP = gettext_lazy(
    'A list of rules, e.g. [{"kind": "single", "count": 10, "points": 2, "category": "…"}]: '
    "kind is single, multiple, truefalse or fill; count the questions drawn; points per "
    "question; optional category, tag, min_difficulty and max_difficulty (1–5). Empty: a "
    "fixed paper of the questions below. The quiz builder pages edit rules without JSON."
)

# The quiz's admin page, box by box (``QuizAdmin.fieldsets``); ``QuizPaperForm`` has
# exactly these fields.
QUIZ_FIELDSETS = [
    (None, {"fields": ["title", "description", "purpose", "status", "contest_while_open"]}),
    (
        gettext_lazy("Paper"),
        {"fields": ["banks", "rules", "shuffle_questions", "shuffle_options"]},
    ),
    (gettext_lazy("Rules of taking"), {"fields": list(QUIZ_TAKING_FIELDS)}),
    (gettext_lazy("Audience"), {"fields": ["audience_unit", "audience_branch"]}),
]


class QuizPaperForm(forms.ModelForm):
    """A quiz whose ``rules`` (version 1) parse and, when it is published, can be
    filled from its banks. Rules the banks cannot fill yet are kept on a draft;
    ``unfillable`` then says why (the admin shows it as a warning)."""

    unfillable = ""

    class Meta:
        model = Quiz
        fields = flatten_fieldsets(QUIZ_FIELDSETS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "rules" in self.fields:
            self.fields["rules"].help_text = RULES_HELP

    def clean_rules(self):
        data = self.cleaned_data.get("rules")
        if not data:
            return []
        try:
            parsed = drawing.parse_rules(data)
        except drawing.RuleErrors as errors:
            raise forms.ValidationError(str(errors)) from None
        return [rule.to_json() for rule in parsed]

    def clean(self):
        cleaned = super().clean()
        rules, banks = cleaned.get("rules"), cleaned.get("banks")
        if not rules or banks is None or "rules" in self.errors:
            return cleaned
        check = papers.rules_check(banks=banks, rules=rules)
        if check.feasible:
            return cleaned
        mistakes = [
            (index, result)
            for index, result in enumerate(check.rules)
            if result.problem and not result.fixable_by_questions
        ]
        publishing = cleaned.get("status") == QuizStatus.PUBLISHED
        if mistakes:
            index, result = mistakes[0]
            problem = _("%(rule)s: %(problem)s") % {
                "rule": drawing.rule_label(index),
                "problem": result.problem,
            }
            self.add_error("rules", problem)
        elif publishing:
            self.add_error(
                "rules",
                _("This paper cannot be published: %(problem)s") % {"problem": check.problem},
            )
        else:
            self.unfillable = check.problem
        return cleaned


class PaperQuestionForm(forms.ModelForm):
    """A row of a fixed paper (the inline of ``QuizAdmin``), labelled in Chinese."""

    class Meta:
        model = QuizQuestion
        fields = ["position", "question", "points"]
        labels = {
            "position": gettext_lazy("Order in the paper"),
            "question": gettext_lazy("Question"),
            "points": gettext_lazy("Points of the question"),
        }


class PaperAdminMixin:
    """For ``QuizAdmin``: the 可组卷 column, the draft warning and the refusal to
    publish a fixed paper with no or inactive questions (its rows are saved after
    the form, so it is checked after saving and set back to a draft)."""

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        rows = list(changelist.result_list)  # the page's quizzes; rendering reuses them
        problems = papers.fill_problems(rows)
        for quiz in rows:
            quiz.fill_problem = problems.get(quiz.pk, "")
        return changelist

    @admin.display(description=gettext_lazy("Can be filled"))
    def fill_flag(self, obj):
        problem = getattr(obj, "fill_problem", None)
        if problem is None:
            return "—"
        if problem:
            return format_html(
                '<strong class="jt-unfillable" title="{}" style="color:#ba2121">{}</strong>',
                problem,
                _("Bank short"),
            )
        return "✓"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if getattr(form, "unfillable", ""):
            self.message_user(
                request,
                _("Saved as a draft: %(problem)s") % {"problem": form.unfillable},
                level="warning",
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        quiz = form.instance
        if quiz.status != QuizStatus.PUBLISHED or quiz.rules:
            return
        problem = papers.fill_problems([quiz])[quiz.pk]
        if problem:
            quiz.status = QuizStatus.DRAFT
            quiz.save(update_fields=["status"])
            self.message_user(
                request,
                _("The paper was not published: %(problem)s") % {"problem": problem},
                level="error",
            )
