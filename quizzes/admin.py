"""
Banks, questions and quizzes in the admin, scoped by the org tree: the city
admin manages all, a unit admin the own unit's banks and the quizzes addressed
to the own unit. Banks import and export Excel; quizzes show their statistics.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from backend.accounts import scope
from backend.common.xlsx import xlsx_response

from . import questions, scoring, statistics
from . import scope as quiz_scope
from .admin_papers import QUIZ_FIELDSETS, PaperAdminMixin, PaperQuestionForm, QuizPaperForm
from .models import Question, QuestionBank, Quiz, QuizQuestion


@admin.register(QuestionBank)
class QuestionBankAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "question_count", "excel_links"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return quiz_scope.banks_manageable_by(request.user).annotate(n=Count("questions"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = scope.units_manageable_by(request.user)
            kwargs["required"] = not scope.is_city_admin(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("questions"), ordering="n")
    def question_count(self, obj):
        return obj.n

    @admin.display(description=_("Excel"))
    def excel_links(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:quizzes_questionbank_import", args=[obj.pk]),
            _("Import"),
            reverse("api:bank-export", args=[obj.pk]),
            _("Export"),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/import/",
                self.admin_site.admin_view(self.import_view),
                name="quizzes_questionbank_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request, pk: int):
        """The import lives on the authoring pages now (a preview before the commit)."""
        bank = get_object_or_404(quiz_scope.banks_manageable_by(request.user), pk=pk)
        return redirect("authoring:bank_import", pk=bank.pk)


class ScopedBankFilter(admin.RelatedFieldListFilter):
    """题库 filter: only the banks the user manages (a unit admin never sees another
    unit's bank names)."""

    def field_choices(self, field, request, model_admin):
        return [(b.pk, str(b)) for b in quiz_scope.banks_manageable_by(request.user)]


class QuestionForm(forms.ModelForm):
    """Checks a question with the question editor's rules (``questions.question_validate``)."""

    class Meta:
        model = Question
        fields = ["bank", *questions.FIELDS]

    def clean(self):
        cleaned = super().clean()
        if self.errors:  # a field that could not be read (bad JSON…) comes first
            return cleaned
        try:
            valid = questions.question_validate(cleaned)
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages_)
            return cleaned
        cleaned.update({key: value for key, value in valid.items() if key in self.fields})
        return cleaned


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionForm
    list_display = ["short_stem", "kind", "category", "difficulty", "bank", "is_active"]
    list_filter = ["kind", "category", "difficulty", "is_active", ("bank", ScopedBankFilter)]
    search_fields = ["stem", "explanation", "source"]
    list_select_related = ["bank"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(bank__in=quiz_scope.banks_manageable_by(request.user))
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "bank":
            kwargs["queryset"] = quiz_scope.banks_manageable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        obj.stem_key = scoring.normalise_stem(obj.stem)[:500]
        super().save_model(request, obj, form, change)

    @admin.display(description=_("stem"))
    def short_stem(self, obj):
        return obj.stem[:50]


class QuizQuestionInline(admin.TabularInline):
    model = QuizQuestion
    form = PaperQuestionForm
    verbose_name = _("Question of the paper")
    verbose_name_plural = _("Questions of the paper")
    extra = 0
    raw_id_fields = ["question"]
    fields = ["position", "question", "points"]


@admin.register(Quiz)
class QuizAdmin(PaperAdminMixin, admin.ModelAdmin):
    form = QuizPaperForm
    inlines = [QuizQuestionInline]
    list_display = [
        "title",
        "purpose",
        "status",
        "fill_flag",
        "time_limit_minutes",
        "opens_at",
        "closes_at",
        "stats_link",
        "results_link",
    ]
    list_filter = ["status", "purpose"]
    search_fields = ["title"]
    filter_horizontal = ["banks"]
    fieldsets = QUIZ_FIELDSETS

    def get_queryset(self, request):
        return quiz_scope.quizzes_manageable_by(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "audience_unit":
            kwargs["queryset"] = scope.units_manageable_by(request.user)
        if db_field.name == "audience_branch":
            kwargs["queryset"] = scope.branches_manageable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "banks":
            kwargs["queryset"] = quiz_scope.banks_usable_by(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("statistics"))
    def stats_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:quizzes_quiz_statistics", args=[obj.pk]),
            _("View"),
        )

    @admin.display(description=_("results"))
    def results_link(self, obj):
        """Who took it (成绩单): the page of ``quizzes.views_results``."""
        if obj.purpose == "contest":
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("quizzes:quiz_results", args=[obj.pk]), _("View")
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/statistics/",
                self.admin_site.admin_view(self.statistics_view),
                name="quizzes_quiz_statistics",
            ),
            *super().get_urls(),
        ]

    def statistics_view(self, request, pk: int):
        quiz = get_object_or_404(quiz_scope.quizzes_manageable_by(request.user), pk=pk)
        report = statistics.quiz_statistics(quiz=quiz)
        if request.GET.get("format") == "xlsx":
            return xlsx_response(statistics.statistics_xlsx(report), f"{quiz.title}-统计.xlsx")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Statistics: %(quiz)s") % {"quiz": quiz.title},
            "opts": self.model._meta,
            "report": report,
            "flag_labels": statistics.FLAG_LABELS,
        }
        return TemplateResponse(request, "admin/quizzes/quiz/statistics.html", context)
