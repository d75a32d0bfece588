"""The city admin's forms for a year's indicators and settings
(``/supervision/assessments/indicators/``)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AssessmentSetting, Indicator


class IndicatorForm(forms.ModelForm):
    """One indicator: its name (empty: the default), weight, target, whether it counts."""

    class Meta:
        model = Indicator
        fields = ["name", "weight", "target", "active"]
        labels = {
            "name": _("Indicator name"),
            "weight": _("Weight"),
            "target": _("Target"),
            "active": _("Counts this year"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["placeholder"] = self.instance.display_name
        self.fields["name"].help_text = ""
        self.fields["weight"].min_value = Decimal(0)
        self.fields["weight"].widget.attrs.update(
            {"min": "0", "step": "0.5", "inputmode": "decimal"}
        )
        self.fields["target"].widget.attrs.update(
            {"min": "0", "step": "any", "inputmode": "decimal"}
        )

    def clean_weight(self):
        weight = self.cleaned_data["weight"]
        if weight is not None and weight < 0:
            raise forms.ValidationError(_("A weight cannot be negative."))
        return weight

    def clean_target(self):
        target = self.cleaned_data["target"]
        if target is not None and target <= 0:
            raise forms.ValidationError(_("A target must be more than 0."))
        return target


class SettingForm(forms.ModelForm):
    class Meta:
        model = AssessmentSetting
        fields = ["bottom_n", "explanation_days"]
        labels = {
            "bottom_n": _("Bottom units that must explain"),
            "explanation_days": _("Days to file an explanation"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["explanation_days"].min_value = 1
        self.fields["explanation_days"].widget.attrs["min"] = "1"
        for field in self.fields.values():
            field.widget.attrs["inputmode"] = "numeric"


def forms_for_year(year: int, data=None) -> tuple[list[IndicatorForm], SettingForm]:
    from .models import indicators_for_year

    rows = indicators_for_year(year, active_only=False)
    indicator_forms = [IndicatorForm(data, instance=row, prefix=row.key) for row in rows]
    setting = AssessmentSetting.for_year(year)
    return indicator_forms, SettingForm(data, instance=setting, prefix="setting")
