"""Recurring background jobs (expiring unpaid bookings, lapsed course offers, reminders).

django-tasks has no schedule of its own. Apps register a task with an interval here (in their
``AppConfig.ready``); every task worker calls ``enqueue_due_jobs`` from its heartbeat loop, and a
conditional UPDATE on the job's ``PeriodicJob`` row lets exactly one worker enqueue it per
interval, however many workers run.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from .models import PeriodicJob

logger = logging.getLogger(__name__)

__all__ = ["enqueue_due_jobs", "register_periodic", "round_queued"]


@dataclass(frozen=True)
class _Job:
    name: str
    task: object
    every: dt.timedelta


_registry: dict[str, _Job] = {}


def register_periodic(task, *, every: dt.timedelta, name: str | None = None) -> None:
    """Enqueue ``task`` (a django-tasks task without arguments) once per ``every``."""
    job_name = name or f"{task.module_path}"
    _registry[job_name] = _Job(job_name, task, every)


def round_queued(task) -> bool:
    """A run of ``task`` is already waiting: a task that enqueues itself again while work is
    left (rounds of receipts, of audit sealing) then leaves it to that one — one chain, not two."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().filter(task_path=task.module_path).exists()


def enqueue_due_jobs(*, now: dt.datetime | None = None) -> list[str]:
    """Enqueue every registered job whose interval has passed; returns the names enqueued."""
    now = now or timezone.now()
    started = []
    for job in _registry.values():
        PeriodicJob.objects.get_or_create(name=job.name)
        due = Q(last_run_at__isnull=True) | Q(last_run_at__lte=now - job.every)
        if PeriodicJob.objects.filter(due, name=job.name).update(last_run_at=now) != 1:
            continue
        try:
            job.task.enqueue()
        except Exception:
            # One broken job must not stop the others.
            logger.exception("could not enqueue periodic job %s", job.name)
            continue
        started.append(job.name)
    return started
