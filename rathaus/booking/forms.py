"""Input forms of the booking pages (KERN rendering). They parse input; the services decide."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.core.forms import KernForm

__all__ = ["CourseMessageForm", "SlotForm", "WeddingSlotForm", "WeekForm"]


def _aware(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_default_timezone())
    return value


class SlotForm(forms.Form):
    """One free slot, as the button of the week view posts it (ISO date-times)."""

    starts_at = forms.DateTimeField(widget=forms.HiddenInput)
    ends_at = forms.DateTimeField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at"):
            data["starts_at"], data["ends_at"] = _aware(data["starts_at"]), _aware(data["ends_at"])
            if data["starts_at"] >= data["ends_at"]:
                raise forms.ValidationError(_("The end must be after the start."))
        return data


class WeddingSlotForm(forms.Form):
    starts_at = forms.DateTimeField(widget=forms.HiddenInput)

    def clean_starts_at(self):
        return _aware(self.cleaned_data["starts_at"])


class WeekForm(forms.Form):
    """Which week (its first day) and, for free durations, how long."""

    ab = forms.DateField(required=False)
    dauer = forms.IntegerField(required=False, min_value=1, max_value=24 * 60)

    def week_start(self, today: dt.date) -> dt.date:
        day = (self.cleaned_data.get("ab") if self.is_valid() else None) or today
        day = max(day, today - dt.timedelta(days=today.weekday()))
        return day - dt.timedelta(days=day.weekday())


class CourseMessageForm(KernForm):
    body = forms.CharField(
        label=_("Message to all registered participants"),
        help_text=_(
            "It is put into each participant's online mailbox; the e-mail notice does not contain it."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
    )
