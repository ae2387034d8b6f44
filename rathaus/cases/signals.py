"""Signals the cases app sends, so that apps above it (mailbox, payments) can react without
cases importing them.

``case_event`` is sent *inside* the transaction of the change, so a receiver's writes (a
mailbox message) are stored together with the change or not at all. Receivers must not send
e-mail or call other systems directly: they defer that with ``transaction.on_commit``.

Arguments: ``case``, ``event`` (the ``CaseEvent``), ``documents`` (list of ``Document`` to
deliver to the applicant), ``message`` (text for the applicant, may be empty), ``actor``.
An event of kind ``received`` is sent once per case, in the transaction that opens it.
"""

from django.dispatch import Signal

__all__ = ["case_event"]

case_event = Signal()
