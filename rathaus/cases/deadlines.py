"""Deadlines in working days: Monday to Friday, without the public holidays of Bavaria.

Administrative deadlines count working days; the municipality's state decides the holidays
(``CASE_HOLIDAY_SUBDIVISION``, default Bavaria).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from django.conf import settings
from django.utils import timezone

__all__ = ["add_working_days", "end_of_working_day", "is_working_day"]


@lru_cache(maxsize=32)
def _holidays(year: int, subdivision: str) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("DE", subdiv=subdivision, years=year))


def _subdivision() -> str:
    return getattr(settings, "CASE_HOLIDAY_SUBDIVISION", "BY")


def is_working_day(day: dt.date) -> bool:
    return _is_working_day(day, _subdivision())


def _is_working_day(day: dt.date, subdivision: str) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year, subdivision)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (the start day itself does not count)."""
    return _add_working_days(start, days, _subdivision())


@lru_cache(maxsize=1024)  # every case of a day and service has the same deadline
def _add_working_days(start: dt.date, days: int, subdivision: str) -> dt.date:
    current = start
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if _is_working_day(current, subdivision):
            remaining -= 1
    return current


def end_of_working_day(start: dt.datetime, days: int) -> dt.datetime:
    """The end (23:59:59 local time) of the ``days``-th working day after ``start``."""
    local = timezone.localtime(start)
    due_day = add_working_days(local.date(), days)
    end = dt.datetime.combine(due_day, dt.time(23, 59, 59))
    return timezone.make_aware(end, timezone.get_current_timezone())
