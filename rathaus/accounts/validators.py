"""Checks of profile values, the same the application forms apply to what they prefill."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from rathaus.core.validators import validate_phone

__all__ = ["EARLIEST_BIRTH_DATE", "normalise_phone", "validate_birth_date", "validate_profile"]

# The forms' date of birth questions accept 1 January 1900 up to today.
EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)


def _format_day(day: dt.date) -> str:
    # As the forms write a day in a message: 01.01.1900 in German, 1 January 1900 in English.
    german = (translation.get_language() or "de").startswith("de")
    return formats.date_format(day, "SHORT_DATE_FORMAT" if german else "DATE_FORMAT")


def validate_birth_date(day: dt.date) -> None:
    today = timezone.localdate()
    if day > today:
        raise ValidationError(_("The date of birth cannot be in the future."), code="future")
    if day < EARLIEST_BIRTH_DATE:
        raise ValidationError(
            _("Enter a date on or after %(date)s.") % {"date": _format_day(EARLIEST_BIRTH_DATE)},
            code="too_early",
        )


def normalise_phone(text: str) -> str:
    return " ".join((text or "").split())


def validate_profile(values: dict) -> None:
    """Raise a ValidationError by field for the values a profile may not hold."""
    errors: dict[str, list[ValidationError]] = {}
    if values.get("birth_date"):
        try:
            validate_birth_date(values["birth_date"])
        except ValidationError as error:
            errors["birth_date"] = [error]
    if values.get("phone"):
        try:
            validate_phone(values["phone"])
        except ValidationError as error:
            errors["phone"] = [error]
    if errors:
        raise ValidationError(errors)
