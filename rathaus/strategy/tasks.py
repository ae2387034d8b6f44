"""Background work of the strategy cockpit."""

from __future__ import annotations

from django_tasks import task


@task()
def kpi_snapshot_all() -> int:
    """Record today's value of every computed key figure; returns how many were recorded."""
    from .services.kpis import kpi_snapshot_all as snapshot

    return len(snapshot())
