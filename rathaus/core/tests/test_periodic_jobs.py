"""Recurring jobs: each registered job is enqueued once per interval, whatever the number of
workers asking."""

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rathaus.core.periodic import _registry, enqueue_due_jobs

pytestmark = pytest.mark.django_db


def test_booking_jobs_are_registered():
    names = set(_registry)
    assert "rathaus.booking.tasks.expire_bookings" in names
    assert "rathaus.booking.tasks.course_offers_expire" in names


def test_due_job_is_enqueued_once_per_interval():
    now = timezone.now()
    first = enqueue_due_jobs(now=now)
    assert "rathaus.booking.tasks.expire_bookings" in first
    # A second worker asking at the same moment gets nothing.
    assert enqueue_due_jobs(now=now) == []
    queued = DBTaskResult.objects.filter(task_path="rathaus.booking.tasks.expire_bookings").count()
    assert queued == 1
    later = enqueue_due_jobs(now=now + dt.timedelta(minutes=1, seconds=1))
    assert "rathaus.booking.tasks.expire_bookings" in later
    assert "rathaus.booking.tasks.course_reminders_send" not in later
