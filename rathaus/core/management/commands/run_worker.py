"""The background-task worker (django-tasks database backend) with a heartbeat for /healthz."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections
from django.utils import timezone
from django_tasks_db.management.commands import db_worker

from rathaus.core.models import WorkerHeartbeat
from rathaus.core.periodic import enqueue_due_jobs

logger = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 10


def beat(worker_id: str) -> None:
    WorkerHeartbeat.objects.update_or_create(worker=worker_id, defaults={"seen_at": timezone.now()})


def _heartbeat_loop(worker_id: str, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            beat(worker_id)
            enqueue_due_jobs()
        except Exception:
            # A missed beat shows in /healthz; it must not kill the worker.
            logger.warning("worker heartbeat failed", exc_info=True)
        finally:
            close_old_connections()
        stop.wait(HEARTBEAT_SECONDS)


class Command(db_worker.Command):
    help = "Run the background-task worker and report its heartbeat."

    def handle(self, *args, **options):
        worker_id = options["worker_id"]
        stop = threading.Event()
        thread = threading.Thread(target=_heartbeat_loop, args=(worker_id, stop), daemon=True)
        thread.start()
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
