"""The mailbox listens to cases: what the city tells the applicant becomes a message.

Runs inside the transaction of the change (``case_event`` is sent there), so a case never
changes without its message, nor the other way round.
"""

from __future__ import annotations

from django.dispatch import receiver

from rathaus.cases.constants import EventKind
from rathaus.cases.signals import case_event

from .services import message_deliver

# Events the applicant caused themself: nothing to tell them.
OWN_EVENTS = {EventKind.INFORMATION_ANSWERED, EventKind.WITHDRAWN}


@receiver(case_event, dispatch_uid="mailbox_case_event")
def deliver_case_event(sender, case, event, documents, message, actor, **kwargs):
    if event.kind in OWN_EVENTS or not event.public:
        return
    if not message and not documents:
        return
    message_deliver(
        case=case,
        body=message,
        documents=documents,
        author=actor,
    )
