"""Background tasks of the mailbox: the e-mail notices that messages are waiting."""

from __future__ import annotations

from django_tasks import task


@task()
def mailbox_notices_send() -> int:
    """The sweep of due notices (``services.notices_send``), enqueued every minute by the
    worker's periodic jobs."""
    from .services import notices_send

    return notices_send()


@task(priority=10)
def receipts_deliver() -> int:
    """A round of receipts' mailbox messages (``services.receipts_deliver``): enqueued every few
    seconds by the worker's periodic jobs, and again at once while more are waiting. Above the
    rendering of PDFs in priority: a message is a few rows, a PDF 50 ms of WeasyPrint."""
    from rathaus.core.periodic import round_queued

    from .services import receipts_deliver as deliver

    delivered, more = deliver()
    if more and not round_queued(receipts_deliver):
        receipts_deliver.enqueue()
    return delivered
