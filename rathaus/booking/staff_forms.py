"""Forms of the bookings back office. They parse input; the services decide."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.accounts.models import Organisation, User
from rathaus.catalog.constants import Channel
from rathaus.core.forms import KernForm

__all__ = [
    "WEEKDAY_CHOICES",
    "BlackoutForm",
    "CancelForm",
    "DecisionForm",
    "StaffBookingForm",
    "SwapForm",
]

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAY_CHOICES = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


def local(day: dt.date, time: dt.time) -> dt.datetime:
    """A wall-clock time in Regensburg as an aware datetime (stored as UTC)."""
    return dt.datetime.combine(day, time, tzinfo=BERLIN)


class _DateTimesMixin:
    """Date, start and end; the end must follow the start on that day."""

    def clean(self):
        data = super().clean()
        day, starts, ends = data.get("date"), data.get("starts"), data.get("ends")
        if day and starts and ends:
            if starts >= ends:
                raise forms.ValidationError(_("The end must be after the start."))
            data["starts_at"], data["ends_at"] = local(day, starts), local(day, ends)
        return data


class StaffBookingForm(_DateTimesMixin, KernForm):
    """Book at the counter or on the phone for a person or a club."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    starts = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}))
    channel = forms.ChoiceField(
        label=_("How did the request reach us?"),
        choices=[(c.value, c.label) for c in (Channel.COUNTER, Channel.PHONE, Channel.POST)],
        widget=forms.RadioSelect,
    )
    email = forms.EmailField(
        label=_("E-mail address of the person's account"),
        required=False,
        help_text=_("If the person has an account, the booking appears in it."),
    )
    organisation = forms.ModelChoiceField(
        label=_("For the organisation"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        help_text=_("A club's name is shown in the public occupancy plan."),
    )
    note = forms.CharField(
        label=_("Note (for staff)"),
        max_length=300,
        required=False,
        help_text=_("For example the name and phone number of a person without an account."),
    )
    paid = forms.BooleanField(label=_("The fee has been paid at the counter"), required=False)

    def __init__(self, *args, wedding: bool = False, **kwargs):
        """``wedding``: a wedding room; the end follows from the slot length, no club, no fee."""
        super().__init__(*args, **kwargs)
        self.wedding = wedding
        if wedding:
            for name in ("ends", "organisation", "paid"):
                del self.fields[name]
            self.fields["starts"].help_text = _(
                "The wedding lasts one slot of the room; a free registrar is reserved with the room."
            )

    def clean(self):
        if not self.wedding:
            return super().clean()
        data = super(_DateTimesMixin, self).clean()
        if data.get("date") and data.get("starts"):
            data["starts_at"] = local(data["date"], data["starts"])
        return data

    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip()
        if not email:
            return None
        person = User.objects.filter(email__iexact=email, is_active=True).first()
        if person is None:
            raise forms.ValidationError(_("There is no active account with this e-mail address."))
        return person


class BlackoutForm(KernForm):
    """Block a time of one unit or of all units of the resource."""

    unit = forms.ChoiceField(label=_("What is blocked"))
    starts_at = forms.DateTimeField(
        label=_("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    ends_at = forms.DateTimeField(
        label=_("Until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)
    force = forms.BooleanField(
        label=_("Block even if bookings overlap (they are listed for follow-up)"), required=False
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(unit.pk), unit.name) for unit in units]
        if len(choices) > 1:
            choices.insert(0, ("all", _("all parts")))
        self.fields["unit"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["starts_at"] >= data["ends_at"]:
            raise forms.ValidationError(_("The end must be after the start."))
        return data


class CancelForm(KernForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class SwapForm(_DateTimesMixin, KernForm):
    """Move one date of a season slot."""

    date = forms.DateField(label=_("New date"), widget=forms.DateInput(attrs={"type": "date"}))
    starts = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}))


class DecisionForm(KernForm):
    """Grant, move or refuse a season application."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("grant", _("grant")), ("move", _("grant at another time")), ("refuse", _("refuse"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (shown to the club; needed to move or refuse)"), max_length=300, required=False
    )
    weekday = forms.TypedChoiceField(
        label=_("New weekday"),
        choices=[("", "–"), *WEEKDAY_CHOICES],
        coerce=int,
        required=False,
        empty_value=None,
    )
    starts = forms.TimeField(
        label=_("New start"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    ends = forms.TimeField(label=_("New end"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))

    def clean(self):
        data = super().clean()
        data["moved_to"] = None
        if data.get("decision") == "move":
            if data.get("weekday") is None or not data.get("starts") or not data.get("ends"):
                raise forms.ValidationError(_("To move an application, give the new weekday, start and end."))
            data["moved_to"] = (data["weekday"], data["starts"], data["ends"])
        return data
