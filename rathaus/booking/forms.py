"""Input forms of the booking pages (KERN rendering). They parse input; the services decide."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.core.forms import KernForm

__all__ = ["CourseMessageForm", "SeasonApplicationForm", "SlotForm", "WeddingSlotForm", "WeekForm"]


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


WEEKDAYS = (
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
)


class SeasonApplicationForm(KernForm):
    """A club's application for a weekly slot in a season. The view passes the choices: the
    person's own organisations, the seasons open for applications, the facilities for clubs.
    A value outside them (a forged id) is a form error; ``season_apply`` decides the rest."""

    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None, empty_label=None)
    season = forms.ModelChoiceField(label=_("Season"), queryset=None, empty_label=None)
    resource = forms.ModelChoiceField(label=_("Facility"), queryset=None, empty_label=None)
    weekday = forms.TypedChoiceField(label=_("Weekday"), choices=WEEKDAYS, coerce=int)
    starts = forms.TimeField(
        label=_("From"), help_text=_("For example 18:30"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    ends = forms.TimeField(
        label=_("Until"), help_text=_("For example 20:00"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        help_text=_("For example: youth football training"),
        max_length=200,
        required=False,
    )

    def __init__(self, *args, organisations, seasons, resources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["season"].queryset = seasons
        self.fields["resource"].queryset = resources
        self.fields["resource"].label_from_instance = lambda resource: resource.display_name

    def clean(self):
        data = super().clean()
        if data.get("starts") and data.get("ends") and data["starts"] >= data["ends"]:
            self.add_error("ends", _("The end must be after the start."))
        return data
