"""Validation rules shared by several apps: what the forms accept, the profile accepts too."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

__all__ = ["validate_phone"]

_PHONE = re.compile(r"^\+?[0-9 ()/.\-]{5,40}$")


def validate_phone(text: str) -> None:
    """A phone number as people write it: digits, spaces, ( ) / . - and a leading +, with at
    least five digits. Used by the forms' phone field and the profile, so a number saved in
    the profile is always accepted when a form is prefilled with it."""
    if not _PHONE.match(text) or sum(char.isdigit() for char in text) < 5:
        raise ValidationError(
            _("Enter a phone number with digits only, e.g. 0941 507-0 or +49 941 5070."), code="phone"
        )
