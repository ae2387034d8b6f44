"""Background tasks of the mailbox: the e-mail notices that messages are waiting."""

from __future__ import annotations

from django_tasks import task


@task()
def mailbox_notices_send() -> int:
    """The sweep of due notices (``services.notices_send``), enqueued every minute by the
    worker's periodic jobs."""
    from .services import notices_send

    return notices_send()
