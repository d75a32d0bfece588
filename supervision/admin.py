"""
Supervision in the admin: the city admin edits each year's indicators (weight,
target, on/off, order) and the year's settings (bottom units, days to explain);
published assessments and explanations are read here only — publishing, filing
and reviewing happen on the pages, through the services.
"""

from django.contrib import admin

from .models import Assessment, AssessmentSetting, Explanation, Indicator


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["year", "key", "name", "weight", "target", "unit", "active", "order"]
    list_editable = ["name", "weight", "target", "active", "order"]
    list_filter = ["year"]
    readonly_fields = ["key", "unit"]

    def get_readonly_fields(self, request, obj=None):
        # A new row picks its key; an existing one keeps it (its computation is fixed).
        return self.readonly_fields if obj else []

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AssessmentSetting)
class AssessmentSettingAdmin(admin.ModelAdmin):
    list_display = ["year", "bottom_n", "explanation_days"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["quarter", "version", "published_at", "published_by"]
    exclude = ["snapshot"]


@admin.register(Explanation)
class ExplanationAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "unit", "rank", "status", "due_at", "submitted_at"]
    list_filter = ["status"]
    list_select_related = ["assessment", "unit"]
