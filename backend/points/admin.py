"""
The points admin: rules are edited by the city admin; the ledger is read-only,
and "add" makes a correction through ``points_correct``, never an edit.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from backend.accounts import scope

from .models import PointEvent, PointRule
from .services import PointsError, points_correct


@admin.register(PointRule)
class PointRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "name", "points", "daily_cap", "is_active"]
    list_editable = ["points", "daily_cap", "is_active"]
    readonly_fields = ["kind"]

    def has_add_permission(self, request):
        # Kinds are defined by the code that awards them (data migrations).
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CorrectionForm(forms.ModelForm):
    class Meta:
        model = PointEvent
        fields = ["member", "points", "reason", "corrects"]

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["member"].queryset = scope.members_manageable_by(actor)
        self.fields["corrects"].queryset = PointEvent.objects.filter(
            member__in=scope.members_manageable_by(actor)
        ).select_related("member", "rule")
        self.fields["reason"].required = True
        self.fields["points"].help_text = _("Signed: -10 takes ten points away.")

    def clean(self):
        cleaned = super().clean()
        member = cleaned.get("member")
        corrects = cleaned.get("corrects")
        if member and corrects and corrects.member_id != member.pk:
            raise ValidationError({"corrects": _("That entry belongs to another member.")})
        if cleaned.get("points") == 0:
            raise ValidationError({"points": _("A correction must change the total.")})
        return cleaned

    def save(self, commit=True):
        try:
            return points_correct(
                member=self.cleaned_data["member"],
                points=self.cleaned_data["points"],
                reason=self.cleaned_data["reason"],
                by=self.actor,
                corrects=self.cleaned_data.get("corrects"),
            )
        except PointsError as exc:
            raise ValidationError(str(exc)) from exc

    def save_m2m(self):
        pass


@admin.register(PointEvent)
class PointEventAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "member",
        "rule",
        "points",
        "requested_points",
        "reason",
        "created_by",
    ]
    list_filter = ["rule", "day"]
    search_fields = ["member__username", "member__display_name", "source_key", "reason"]
    date_hierarchy = "day"
    list_select_related = ["member", "rule", "created_by"]
    raw_id_fields = ["member", "corrects"]
    readonly_fields = [
        "member",
        "rule",
        "points",
        "requested_points",
        "source_key",
        "day",
        "created_at",
        "reason",
        "corrects",
        "created_by",
    ]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(member__in=scope.members_visible_to(request.user))
        )

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, **kwargs)
        actor = request.user
        kwargs["fields"] = CorrectionForm.Meta.fields
        form_class = super().get_form(request, obj, form=CorrectionForm, **kwargs)

        class BoundCorrectionForm(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, actor=actor, **kw)

        return BoundCorrectionForm

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["member", "points", "reason", "corrects"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        # The form already wrote the correction through the ledger service.
        pass

    def save_related(self, request, form, formsets, change):
        pass

    def response_add(self, request, obj, post_url_continue=None):
        messages.success(request, _("Correction recorded."))
        return super().response_add(request, obj, post_url_continue)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
