"""Background tasks of the mailbox: the e-mail notice that a message is waiting.

The notice is sent by the task worker, not by the request that wrote the message: a slow or
unreachable mail server then neither delays nor breaks the request, and a failed attempt is
tried again with growing pauses. The task carries the person's id only; address, language and
whether they still want e-mail are read when it runs, so nothing personal waits in the task
table and a person who switched to post meanwhile gets no e-mail.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

# Pauses before the 2nd … 5th attempt: 1, 4, 16 and 64 minutes; then the notice is given up
# (the message itself waits in the mailbox either way).
NOTICE_ATTEMPTS = 5


def notice_retry_pause(attempt: int) -> dt.timedelta:
    """The pause after failed attempt number ``attempt`` (1-based)."""
    return dt.timedelta(minutes=4 ** (attempt - 1))


@task()
def message_notice_send(person_id: int, attempt: int = 1) -> bool:
    """E-mail one person that something new is waiting in their mailbox; True if sent."""
    from rathaus.accounts.models import User

    from .services import notice_recipient, notice_text

    person = User.objects.filter(pk=person_id).first()
    recipient = notice_recipient(person)
    if recipient is None:
        return False
    subject, body = notice_text(person.preferred_language or "de")
    try:
        send_mail(subject, body, None, [recipient])
    except Exception as exc:
        # Logged by the error's kind only: SMTP errors carry the recipient's address, and a
        # traceback would put it into the log.
        if attempt >= NOTICE_ATTEMPTS:
            logger.error(
                "E-mail notice of a new mailbox message given up after %d attempts (%s)",
                attempt,
                type(exc).__name__,
            )
            return False
        logger.warning(
            "E-mail notice of a new mailbox message failed, attempt %d of %d (%s)",
            attempt,
            NOTICE_ATTEMPTS,
            type(exc).__name__,
        )
        message_notice_send.using(run_after=timezone.now() + notice_retry_pause(attempt)).enqueue(
            person_id=person_id, attempt=attempt + 1
        )
        return False
    return True
