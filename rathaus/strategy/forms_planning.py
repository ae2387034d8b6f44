"""Forms of the measures plan. They parse input; ``services.planning`` decides."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from rathaus.core.forms import KernForm

__all__ = ["EntryMoveForm", "EuroField", "PlanCreateForm", "PlanLimitsForm"]

MAX_BUDGET = Decimal("999999999999.99")


class EuroField(forms.DecimalField):
    """An amount in euros as people type it: "1.200.000,50", "1200000,50", "1.200.000 €" on German
    pages ("1,200,000.50" on English ones), also "1200000.50". Grouping must be regular, so that
    "1.20" is never read as 120."""

    default_error_messages = {"invalid": _("Enter an amount in euros, such as 1,200,000.50.")}

    def to_python(self, value):
        if isinstance(value, str):
            value = _normalise_amount(value)
        return super().to_python(value)


def _normalise_amount(text: str) -> str:
    value = text.strip().replace("€", "").replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    decimal_sep = formats.get_format("DECIMAL_SEPARATOR")
    thousand_sep = formats.get_format("THOUSAND_SEPARATOR")
    whole, sep, decimals = value.partition(decimal_sep)
    if thousand_sep and thousand_sep in whole:
        digits = whole.lstrip("-")
        if re.fullmatch(rf"\d{{1,3}}({re.escape(thousand_sep)}\d{{3}})+", digits):
            whole = whole.replace(thousand_sep, "")
        elif not sep and re.fullmatch(rf"\d+{re.escape(thousand_sep)}\d{{1,2}}", digits):
            return whole.replace(thousand_sep, ".")  # "1200.5": a decimal point after all
        else:
            return text  # irregular: let the field say it is not an amount
    return f"{whole}.{decimals}" if sep else whole


def _budget_field(label) -> forms.DecimalField:
    return EuroField(
        label=label,
        min_value=0,
        max_value=MAX_BUDGET,
        max_digits=14,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def _capacity_field(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=2_000_000_000,
        widget=forms.NumberInput(attrs={"autocomplete": "off"}),
    )


class PlanCreateForm(KernForm):
    """Name, period and the limits every year starts with (each year can be changed afterwards)."""

    name = forms.CharField(label=_("Name of the plan"), max_length=200)
    first_year = forms.IntegerField(label=_("First year"), min_value=2000, max_value=2100)
    last_year = forms.IntegerField(
        label=_("Last year"), min_value=2000, max_value=2100, help_text=_("At most ten years in all.")
    )
    budget = _budget_field(_("Budget per year (EUR)"))
    capacity = _capacity_field(_("Staff capacity per year (person-days)"))
    # a one-time value of this form: sent twice (a double click), it makes one plan
    token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        year = timezone.localdate().year + 1
        kwargs.setdefault("initial", {"first_year": year, "last_year": year + 3, "token": uuid.uuid4().hex})
        super().__init__(*args, **kwargs)
        self.fields["capacity"].help_text = _(
            "You can change the budget and capacity of each year afterwards."
        )

    def limits(self) -> dict[int, tuple[Decimal, int]]:
        data = self.cleaned_data
        return {
            year: (data["budget"], data["capacity"])
            for year in range(data["first_year"], data["last_year"] + 1)
        }


class PlanLimitsForm(KernForm):
    """A budget and a staff capacity for each year of the plan."""

    def __init__(self, *args, plan, **kwargs):
        self.plan_years = list(plan.years.order_by("year"))
        initial = {}
        for row in self.plan_years:
            initial[f"budget_{row.year}"] = row.budget
            initial[f"capacity_{row.year}"] = row.capacity_person_days
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for row in self.plan_years:
            self.fields[f"budget_{row.year}"] = _budget_field(_("Budget %(year)s (EUR)") % {"year": row.year})
            self.fields[f"capacity_{row.year}"] = _capacity_field(
                _("Staff capacity %(year)s (person-days)") % {"year": row.year}
            )
        # the mixin styled the fields present at its __init__; style the added ones too
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "kern-form-input__input")

    def year_fields(self):
        """(year, budget field, capacity field) for the template, year by year."""
        return [
            (row.year, self[f"budget_{row.year}"], self[f"capacity_{row.year}"]) for row in self.plan_years
        ]

    def limits(self) -> dict[int, tuple[Decimal, int]]:
        data = self.cleaned_data
        return {
            row.year: (data[f"budget_{row.year}"], data[f"capacity_{row.year}"]) for row in self.plan_years
        }


QUARTER_CHOICES = [
    (1, _("Q1 (January–March)")),
    (2, _("Q2 (April–June)")),
    (3, _("Q3 (July–September)")),
    (4, _("Q4 (October–December)")),
]


class EntryMoveForm(KernForm):
    """The quarter a measure is to start in."""

    year = forms.TypedChoiceField(label=_("Start year"), coerce=int)
    quarter = forms.TypedChoiceField(label=_("Start quarter"), coerce=int, choices=QUARTER_CHOICES)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in range(plan.first_year, plan.last_year + 1)]
