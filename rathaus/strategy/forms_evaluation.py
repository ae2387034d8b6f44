"""Forms of the utility analysis. They parse input; the services decide (sums, scales, status)."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.core.forms import KernForm

from .constants import CriterionDirection
from .models import Criterion

__all__ = ["CriterionForm", "ScoreSheetForm", "WeightsForm", "WhatIfForm", "scale_hint"]

SCORE_FIELD = re.compile(r"^score_(\d+)$")
RADIO_MAX_OPTIONS = 11  # scales with more steps get a number input
COMMENT_MAX = 500


def scale_hint(criterion: Criterion) -> str:
    if criterion.direction == CriterionDirection.LOWER_IS_BETTER:
        text = _("Scale %(min)s to %(max)s; a lower score is better.")
    else:
        text = _("Scale %(min)s to %(max)s; a higher score is better.")
    return str(text) % {"min": criterion.scale_min, "max": criterion.scale_max}


def _style(fields) -> None:
    """The KERN classes KernFormMixin gives the fields it finds, for fields added later."""
    for field in fields.values():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.CheckboxInput):
            continue
        css = "kern-form-input__select" if isinstance(widget, forms.Select) else "kern-form-input__input"
        if css not in widget.attrs.get("class", ""):
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def _weight_field(criterion: Criterion, label, help_text) -> forms.DecimalField:
    """A weight in percent. Its hint speaks of the weight, not of the criterion's score scale."""
    return forms.DecimalField(
        label=label,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        initial=criterion.weight,
        localize=True,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
    )


class WeightsForm(KernForm):
    """One weight in percent per active criterion (``weight_<id>``); the service checks the sum."""

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            label = _("Weight of „%(criterion)s“ in percent") % {"criterion": criterion.translated("name")}
            self.fields[f"weight_{criterion.pk}"] = _weight_field(
                criterion,
                label,
                _("Percent from 0 to 100; the weights of all active criteria add up to 100."),
            )
        _style(self.fields)

    def weights(self) -> dict[int, Decimal]:
        return {c.pk: self.cleaned_data[f"weight_{c.pk}"] for c in self.criteria}


class WhatIfForm(KernForm):
    """A weight per active criterion (``w_<key>``) for a what-if ranking; any sum, normalised."""

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"w_{criterion.key}"] = _weight_field(
                criterion,
                _("Weight of „%(criterion)s“") % {"criterion": criterion.translated("name")},
                _("0 to 100; the weights need not add up to 100."),
            )
        _style(self.fields)

    def clean(self):
        data = super().clean()
        values = [data.get(f"w_{c.key}") for c in self.criteria]
        if all(v is not None for v in values) and not any(values):
            raise forms.ValidationError(_("At least one weight must be greater than 0."))
        return data

    def weights(self) -> dict[str, Decimal]:
        return {c.key: self.cleaned_data[f"w_{c.key}"] for c in self.criteria}


class ScoreSheetForm(KernForm):
    """An evaluator's scores of one measure: ``score_<id>`` and ``comment_<id>`` per active
    criterion. Scores for other criteria in the request are passed on, so that the service names
    what is wrong with them instead of the form dropping them silently."""

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            name = criterion.translated("name")
            self.fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=_("Score for „%(criterion)s“") % {"criterion": name},
                help_text=scale_hint(criterion),
                widget=self._score_widget(criterion),
                error_messages={
                    "required": _("Choose a score for „%(criterion)s“.") % {"criterion": name},
                    "invalid": _("The score for „%(criterion)s“ must be a whole number.")
                    % {"criterion": name},
                },
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment on „%(criterion)s“") % {"criterion": name},
                required=False,
                max_length=COMMENT_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        _style(self.fields)

    @staticmethod
    def _score_widget(criterion: Criterion):
        if criterion.scale_max - criterion.scale_min + 1 > RADIO_MAX_OPTIONS:
            return forms.NumberInput(
                attrs={"min": criterion.scale_min, "max": criterion.scale_max, "step": 1}
            )
        higher = criterion.direction != CriterionDirection.LOWER_IS_BETTER
        best, worst = (
            (criterion.scale_max, criterion.scale_min)
            if higher
            else (criterion.scale_min, criterion.scale_max)
        )
        choices = []
        for value in range(criterion.scale_min, criterion.scale_max + 1):
            if value == best:
                label = _("%(value)s (best)") % {"value": value}
            elif value == worst:
                label = _("%(value)s (worst)") % {"value": value}
            else:
                label = str(value)
            choices.append((value, label))
        return forms.RadioSelect(choices=choices, attrs={"class": "kern-form-check__radio"})

    def rows(self) -> list[dict]:
        """Per criterion its name, description and the two bound fields, for the template."""
        return [
            {
                "criterion": c,
                "name": c.translated("name"),
                "description": c.translated("description"),
                "score": self[f"score_{c.pk}"],
                "comment": self[f"comment_{c.pk}"],
            }
            for c in self.criteria
        ]

    def clean(self):
        data = super().clean()
        values: dict[int, int] = {}
        comments: dict[int, str] = {}
        for criterion in self.criteria:
            value = data.get(f"score_{criterion.pk}")
            if value is not None:
                values[criterion.pk] = value
                comments[criterion.pk] = data.get(f"comment_{criterion.pk}", "")
        known = {c.pk for c in self.criteria}
        for key in self.data:
            match = SCORE_FIELD.match(key)
            if not match or int(match[1]) in known:
                continue
            try:
                values[int(match[1])] = int(self.data[key])
            except (TypeError, ValueError):
                raise forms.ValidationError(
                    _("A score was given for an unknown criterion; reload the page.")
                ) from None
        data["values"] = values
        data["comments"] = comments
        return data


class CriterionForm(KernForm):
    """A criterion's key, names, description, scale and direction (its weight is set with the
    others in one form)."""

    key = forms.SlugField(
        label=_("Key"),
        max_length=40,
        help_text=_("Short and stable, letters, digits and hyphens, e.g. „nutzen-buerger“."),
    )
    name = forms.CharField(label=_("Name"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120, required=False)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the evaluators should judge, and what the ends of the scale mean."),
    )
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    scale_min = forms.IntegerField(label=_("Lowest score"), min_value=-100, max_value=100, initial=0)
    scale_max = forms.IntegerField(label=_("Highest score"), min_value=-100, max_value=100, initial=5)
    direction = forms.ChoiceField(
        label=_("Which end of the scale is better?"),
        choices=CriterionDirection.choices,
        initial=CriterionDirection.HIGHER_IS_BETTER,
        widget=forms.RadioSelect(attrs={"class": "kern-form-check__radio"}),
    )
    order = forms.IntegerField(label=_("Position in lists"), min_value=0, max_value=32767, required=False)

    def clean(self):
        data = super().clean()
        low, high = data.get("scale_min"), data.get("scale_max")
        if low is not None and high is not None and low >= high:
            self.add_error("scale_max", _("The highest score must be greater than the lowest score."))
        return data
