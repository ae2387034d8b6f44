"""Forms of the key-figure pages. They only parse what was typed; the services decide (units,
periods, ranges), and their messages are put back onto these forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.core import kpi_registry
from rathaus.core.forms import KernForm, add_service_error

from .constants import KpiDirection, KpiSource, KpiUnit
from .models import FieldOfAction, Guideline, Kpi

__all__ = ["KpiForm", "KpiValueForm", "TargetFormSet", "apply_errors", "target_formset"]

EXTRA_TARGET_ROWS = 3


apply_errors = add_service_error


class KpiValueForm(KernForm):
    period = forms.CharField(
        label=_("Period"),
        max_length=40,
        help_text=_("A year (2026), a quarter (Q3 2026), a month (11/2026) or a day (28.11.2026)."),
    )
    value = forms.CharField(
        label=_("Value"),
        max_length=40,
        help_text=_("With or without the unit, e.g. 45,5 %, 12 Tage or 1.200 €."),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        help_text=_("Where the figure comes from, e.g. the survey or the statistics."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, unit: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["value"].widget.attrs.update({"autocomplete": "off", "inputmode": "decimal"})
        if unit in KpiUnit.values:
            self.fields["value"].label = _("Value in %(unit)s") % {"unit": KpiUnit(unit).label}


def _provider_choices():
    choices = [("", _("– none: values are entered by hand –"))]
    for key, provider in kpi_registry.providers().items():
        unit = KpiUnit(provider.unit).label if provider.unit in KpiUnit.values else provider.unit
        choices.append((key, f"{provider.label} ({unit}) – {key}"))
    return choices


class KpiForm(KernForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    key = forms.SlugField(
        label=_("Short key"),
        max_length=60,
        required=False,
        help_text=_("Letters, digits and hyphens; made from the name when left empty."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.ChoiceField(
        label=_("Source of the values"), choices=KpiSource.choices, widget=forms.RadioSelect
    )
    provider_key = forms.ChoiceField(
        label=_("Computed from"),
        required=False,
        help_text=_("Only for computed key figures: the figure Rathaus measures from its own data."),
    )
    unit = forms.ChoiceField(
        label=_("Unit"),
        choices=KpiUnit.choices,
        help_text=_("A computed key figure has the unit of the figure it is computed from."),
    )
    direction = forms.ChoiceField(
        label=_("Which way is better?"), choices=KpiDirection.choices, widget=forms.RadioSelect
    )
    baseline_value = forms.CharField(label=_("Baseline"), max_length=40, required=False)
    baseline_year = forms.IntegerField(
        label=_("Year of the baseline"), required=False, min_value=1900, max_value=2100
    )
    field_of_action = forms.ModelChoiceField(
        label=_("Field of action"), queryset=FieldOfAction.objects.all(), required=False
    )
    guidelines = forms.ModelMultipleChoiceField(
        label=_("Guidelines"),
        queryset=Guideline.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_public = forms.BooleanField(label=_("Show on the public transparency page"), required=False)
    order = forms.IntegerField(label=_("Position in lists"), min_value=0, max_value=32767, initial=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider_key"].choices = _provider_choices()
        # nothing to choose from before the strategy's structure exists
        for name in ("field_of_action", "guidelines"):
            if not self.fields[name].queryset.exists():
                del self.fields[name]

    @classmethod
    def initial_for(cls, kpi: Kpi) -> dict:
        initial = {
            name: getattr(kpi, name)
            for name in cls.base_fields
            if name not in ("guidelines", "baseline_value")
        }
        initial["field_of_action"] = kpi.field_of_action_id
        initial["guidelines"] = list(kpi.guidelines.values_list("pk", flat=True))
        if kpi.baseline_value is not None:
            initial["baseline_value"] = _plain(kpi.baseline_value)
        return initial

    def service_fields(self) -> dict:
        """The cleaned data as keyword arguments of kpi_create/kpi_update (without guidelines)."""
        data = dict(self.cleaned_data)
        data.pop("guidelines", None)
        return data

    def chosen_guidelines(self):
        """The chosen guidelines, or None (leave them as they are) when the form has no choice."""
        return self.cleaned_data["guidelines"] if "guidelines" in self.fields else None


def _plain(value) -> str:
    """A stored Decimal as the German input it came from ("45,5"), without trailing zeros."""
    return format(value.normalize(), "f").replace(".", ",")


class TargetForm(KernForm):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    value = forms.CharField(
        label=_("Target"), max_length=40, required=False, help_text=_("Leave empty to remove the target.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].widget.attrs["inputmode"] = "decimal"


class _BaseTargetFormSet(forms.BaseFormSet):
    def clean(self):
        years = set()
        for form in self.forms:
            year = form.cleaned_data.get("year") if hasattr(form, "cleaned_data") else None
            value = (form.cleaned_data.get("value") or "").strip() if hasattr(form, "cleaned_data") else ""
            if value and year is None:
                form.add_error("year", _("Please give the year of this target."))
            if year is not None and value:
                if year in years:
                    form.add_error("year", _("There is already a target for %(year)s.") % {"year": year})
                years.add(year)

    def targets(self) -> dict[int, str]:
        """Year → target text of the filled rows (a row without a value drops its year)."""
        return {
            form.cleaned_data["year"]: form.cleaned_data["value"].strip()
            for form in self.forms
            if form.cleaned_data.get("year") is not None and (form.cleaned_data.get("value") or "").strip()
        }


TargetFormSet = forms.formset_factory(
    TargetForm, formset=_BaseTargetFormSet, extra=EXTRA_TARGET_ROWS, max_num=60
)


def target_formset(data=None, kpi: Kpi | None = None) -> forms.BaseFormSet:
    initial = [{"year": t.year, "value": _plain(t.value)} for t in kpi.targets.all()] if kpi else []
    return TargetFormSet(data, initial=initial, prefix="targets")
