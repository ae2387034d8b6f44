"""Why a booking cannot be made or changed.

Every refusal of the booking engine is a ``BookingError``: a ``ValidationError`` with a stable
``code`` (views, the API and tests branch on it) and a translated message a person can act on.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = ["CODES", "BookingError"]

CODES = {
    "taken": _("This time is no longer free. Please choose another time."),
    "outside_hours": _("This time is outside the opening hours."),
    "past": _("This time is in the past."),
    "too_soon": _("This must be booked at least %(hours)s hours in advance."),
    "beyond_horizon": _("This can be booked at most %(days)s days in advance."),
    "blackout": _("This is not available at this time."),
    "wrong_length": _("This duration cannot be booked here."),
    "not_allowed": _("You may not book this."),
    "holiday": _("Closed on public holidays."),
    "closed": _("Closed on this day."),
    "cancel_deadline": _(
        "The deadline for cancelling online has passed. Please contact the office that manages the booking."
    ),
    "invalid": _("This is not possible in the booking's current state."),
}


class BookingError(ValidationError):
    """A refused booking request; ``code`` is one of ``CODES``."""

    def __init__(self, code: str, message=None, *, params: dict | None = None):
        if code not in CODES:
            raise ValueError(f"unknown booking error code {code!r}")
        super().__init__(message or CODES[code], code=code, params=params)

    def __str__(self) -> str:
        return " ".join(str(message) for message in self.messages)
