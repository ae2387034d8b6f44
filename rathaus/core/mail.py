"""E-mail: sending after the commit without failing the request, and the demo outbox of the
embedded default (every message is kept instead of sent)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

logger = logging.getLogger(__name__)

__all__ = ["OutboxBackend", "send_after_commit"]


def send_after_commit(build: Callable[[], EmailMessage], *, what: str) -> None:
    """Build and send a message once the surrounding transaction commits.

    The change the e-mail tells about is stored by then; a mail server that is down must not
    turn the request into an error page (the person would think it failed and try again). The
    failure is logged by the error's kind and ``what`` was sent, never with the address: SMTP
    errors carry it, and a traceback would put it into the log. Building the message is not
    guarded: a broken template is a bug and must show.
    """

    def _send():
        message = build()
        try:
            message.send()
        except Exception as exc:
            logger.error("E-mail %s could not be sent (%s)", what, type(exc).__name__)

    transaction.on_commit(_send)


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        from .models import OutboxMessage

        for message in email_messages:
            html = ""
            for content, mimetype in getattr(message, "alternatives", []) or []:
                if mimetype == "text/html":
                    html = content
            OutboxMessage.objects.create(
                to=", ".join(message.to), subject=message.subject, body=message.body, html_body=html
            )
        return len(email_messages)
