"""Background tasks of the core: sealing the audit log's new entries into its hash chain."""

from __future__ import annotations

from django_tasks import task

from .periodic import round_queued


@task(priority=10)
def audit_seal() -> int:
    """Seal what was recorded since the last round (``audit.audit_seal``): enqueued by the
    worker's periodic jobs, and again at once while more are waiting. Above the other tasks in
    priority: until an entry is sealed, the chain does not yet vouch for it."""
    from .audit import audit_seal as seal

    sealed, more = seal()
    if more and not round_queued(audit_seal):
        audit_seal.enqueue()
    return sealed
