"""Background tasks of the core: sealing the audit log's new entries into its hash chain."""

from __future__ import annotations

from django_tasks import task


@task(priority=10)
def audit_seal() -> int:
    """Seal what was recorded since the last round (``audit.audit_seal``): enqueued by the
    worker's periodic jobs, and again at once while more are waiting. Above the other tasks in
    priority: until an entry is sealed, the chain does not yet vouch for it."""
    from .audit import audit_seal as seal

    sealed, more = seal()
    if more and not _round_queued():
        audit_seal.enqueue()
    return sealed


def _round_queued() -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().filter(task_path=audit_seal.module_path).exists()
