"""Background tasks of bookings.

``expire_bookings`` frees the units of bookings whose payment time ran out; the task worker
runs it every minute (registered in apps.py, see ``rathaus.core.periodic``), and it
is safe to run as often as wanted: each booking expires once, in its own transaction.
"""

from __future__ import annotations

from django_tasks import task

from .services import bookings_expire


@task()
def expire_bookings() -> int:
    return bookings_expire()


# --- courses ---


@task()
def course_offers_expire() -> int:
    """Let lapsed course offers pass on to the next person on the waiting list (run every few
    minutes)."""
    from .services import offers_expire

    return offers_expire()


@task()
def course_reminders_send() -> int:
    """Remind participants before a course's first session (run hourly)."""
    from . import services

    return services.course_reminders_send()
