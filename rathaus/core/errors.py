"""The text a page shows when a use case refuses: a service raises ``ValidationError`` or
``PermissionDenied`` with a translated message, and the view puts it in a message box."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

__all__ = ["error_text"]


def error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(str(message) for message in exc.messages)
    return str(exc) or _("This is not allowed.")
