"""The names of audit actions, whichever app records them.

Every app declares its actions as ``TextChoices`` with a translated label and registers them
with ``@audit_actions``; the audit log stores the value, and the back office, the admin and
"Wer hat meine Daten eingesehen" show the label. Recording an action nobody registered fails
in the tests (``STRICT``) and logs a warning in production, where a missing label must not
stop a use case.
"""

from __future__ import annotations

import logging

from django.db import models

logger = logging.getLogger(__name__)

__all__ = ["audit_action_choices", "audit_action_label", "audit_actions", "require_registered"]

_labels: dict[str, object] = {}

# Set by the test suite's conftest: an unregistered action is then an error.
STRICT = False


def audit_actions(choices: type[models.TextChoices]) -> type[models.TextChoices]:
    """Class decorator: register the actions of ``choices`` with their labels."""
    for value, label in choices.choices:
        known = _labels.get(value)
        if known is not None and str(known) != str(label):
            raise ValueError(f"audit action {value!r} is registered twice with different labels")
        _labels[value] = label
    return choices


def audit_action_label(value: str) -> str:
    """The translated label of an action; the stored value itself if none is registered."""
    label = _labels.get(value)
    return str(label) if label is not None else value


def audit_action_choices() -> list[tuple[str, str]]:
    """(value, label) of every registered action, sorted by label in the active language."""
    return sorted(((value, str(label)) for value, label in _labels.items()), key=lambda pair: pair[1])


def require_registered(value: str) -> None:
    if value in _labels:
        return
    if STRICT:
        raise ValueError(f"audit action {value!r} has no registered label (core.audit_actions)")
    logger.warning("audit action %s has no registered label", value)
