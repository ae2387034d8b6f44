"""When a resource can be booked: opening hours, exceptions, holidays, blackouts, buffers.

Everything is computed in Europe/Berlin local time and handed out as aware UTC datetimes, so a
weekly 19:00 slot stays 19:00 across the change to and from summer time. Public holidays are
Bavaria's (``holidays``, Germany/BY) plus Mariä Himmelfahrt on 15 August, which Regensburg
observes; a resource is closed on them unless it says otherwise or an exception opens it.

A booking [s, e) of a resource with buffer b holds every unit of the resource over
[s, e + b). It is free when no active occupancy and no blackout of any of those units touches
that range. ``free_slots`` reads occupancies and blackouts with one query each for the whole
range and works on sorted lists from there.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import ResourceKind
from .errors import BookingError
from .models import Blackout, Occupancy, Resource, Unit
from .rules import can_book_resource, is_resource_staff
from .selectors import Epoch, busy_blackouts, busy_epochs, busy_occupancies

__all__ = [
    "BERLIN",
    "Slot",
    "check_bookable",
    "free_slots",
    "free_wedding_slots",
    "is_public_holiday",
    "opening_intervals",
    "registrar_unit_ids",
]

BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC
Interval = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True, slots=True)
class Slot:
    """A bookable time: a fixed slot, or for free-duration resources a free window."""

    starts_at: dt.datetime
    ends_at: dt.datetime

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


@lru_cache(maxsize=16)
def _holidays(year: int) -> frozenset[dt.date]:
    days = set(holidays.Germany(subdiv="BY", years=year))
    days.add(dt.date(year, 8, 15))  # Mariä Himmelfahrt: a holiday in Regensburg
    return frozenset(days)


def is_public_holiday(day: dt.date) -> bool:
    return day in _holidays(day.year)


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(BERLIN).date()


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=BERLIN)


class _Calendar:
    """A resource's hours over a range of days, read with two queries."""

    def __init__(self, resource: Resource, first: dt.date, last: dt.date):
        self.resource = resource
        self.weekly: dict[int, list[tuple[dt.time, dt.time]]] = {}
        for hours in resource.opening_hours.all():
            self.weekly.setdefault(hours.weekday, []).append((hours.opens, hours.closes))
        for periods in self.weekly.values():
            periods.sort()
        self.exceptions = {
            exception.date: exception
            for exception in resource.opening_exceptions.filter(date__range=(first, last))
        }

    def day(self, day: dt.date) -> tuple[list[Interval], str | None]:
        """The day's opening intervals (aware, local) and why there are none, if so."""
        exception = self.exceptions.get(day)
        if exception is not None:
            if exception.opens is None:
                return [], "closed"
            return [(_aware(day, exception.opens), _aware(day, exception.closes))], None
        if self.resource.closed_on_public_holidays and is_public_holiday(day):
            return [], "holiday"
        periods = self.weekly.get(day.weekday(), [])
        if not periods:
            return [], "closed"
        return [(_aware(day, opens), _aware(day, closes)) for opens, closes in periods], None


def opening_intervals(resource: Resource, day: dt.date) -> list[Interval]:
    """The times ``resource`` is open on ``day``, as aware datetimes (Europe/Berlin)."""
    return _Calendar(resource, day, day).day(day)[0]


class _Busy:
    """Merged busy ranges, for "does [s, e) touch anything?" in O(log n)."""

    def __init__(self, intervals: list[Interval]):
        self.starts: list[dt.datetime] = []
        self.ends: list[dt.datetime] = []
        for start, end in sorted(intervals):
            if self.ends and start <= self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], end)
            else:
                self.starts.append(start)
                self.ends.append(end)

    def first_after(self, moment: dt.datetime) -> int:
        """Index of the first range that ends after ``moment``."""
        return bisect_right(self.ends, moment)

    def touches(self, start: dt.datetime, end: dt.datetime) -> bool:
        index = self.first_after(start)
        return index < len(self.starts) and self.starts[index] < end


def _step(resource: Resource) -> dt.timedelta:
    return dt.timedelta(minutes=resource.slot_minutes + resource.buffer_minutes)


def _slot(start: float, end: float) -> Slot:
    return Slot(dt.datetime.fromtimestamp(start, UTC), dt.datetime.fromtimestamp(end, UTC))


def _fixed_slots(resource, opens: float, closes: float, busy: _Busy, earliest: float) -> list[Slot]:
    length, buffer = resource.slot_minutes * 60, resource.buffer_minutes * 60
    slots, step, start = [], length + buffer, opens
    while start + length <= closes:
        if start >= earliest and not busy.touches(start, start + length + buffer):
            slots.append(_slot(start, start + length))
        start += step
    return slots


# Free-duration bookings start on this grid, counted from the opening time: every offered time
# is on it, and a time typed in by hand (10:07) would leave unusable gaps around it.
START_GRID_MINUTES = 30


def _on_grid(moment: float, opens: float) -> float:
    """``moment`` rounded up to the next start of the grid."""
    grid = START_GRID_MINUTES * 60
    return opens + -(-(moment - opens) // grid) * grid


def _free_windows(
    resource, opens: float, closes: float, busy: _Busy, earliest: float, minutes: int
) -> list[Slot]:
    buffer, needed = resource.buffer_minutes * 60, minutes * 60
    windows, cursor = [], _on_grid(max(opens, earliest), opens)
    index = busy.first_after(cursor)
    while cursor < closes:
        next_start = busy.starts[index] if index < len(busy.starts) else None
        end = closes if next_start is None else min(closes, next_start - buffer)
        if end - cursor >= needed:
            windows.append(_slot(cursor, end))
        if next_start is None or next_start >= closes:
            break
        cursor = _on_grid(max(cursor, busy.ends[index]), opens)
        index += 1
    return windows


def free_slots(
    resource: Resource,
    *,
    start: dt.date,
    end: dt.date,
    duration_minutes: int | None = None,
    now: dt.datetime | None = None,
) -> list[Slot]:
    """Bookable slots of ``resource`` from ``start`` to ``end`` (local dates, both included).

    Fixed-slot resources give their slots; free-duration resources give the free windows of at
    least ``duration_minutes`` (default: the resource's minimum). Honours the lead time and the
    horizon as they apply to the public; staff may book beyond them at the counter.
    """
    now = now or timezone.now()
    today = local_date(now)
    first, last = max(start, today), min(end, today + dt.timedelta(days=resource.horizon_days))
    if first > last or not resource.is_active:
        return []
    earliest = (now + dt.timedelta(hours=resource.min_lead_hours)).timestamp()
    range_start = _aware(first, dt.time.min) - dt.timedelta(minutes=resource.buffer_minutes)
    range_end = _aware(last + dt.timedelta(days=1), dt.time.min) + dt.timedelta(
        minutes=resource.buffer_minutes
    )
    busy = _Busy(busy_epochs(start=range_start, end=range_end, resource=resource))
    calendar = _Calendar(resource, first, last)
    minutes = duration_minutes or resource.min_minutes
    slots: list[Slot] = []
    day = first
    while day <= last:
        for opening, closing in calendar.day(day)[0]:
            opens, closes = opening.timestamp(), closing.timestamp()
            if resource.slot_minutes:
                slots += _fixed_slots(resource, opens, closes, busy, earliest)
            else:
                slots += _free_windows(resource, opens, closes, busy, earliest, minutes)
        day += dt.timedelta(days=1)
    return slots


# --- weddings: the room and at least one registrar ------------------------------------------


def registrar_unit_ids(room: Resource) -> list[int]:
    """Units of the registrars (active staff-time resources) of the room's department."""
    return sorted(
        set(
            Unit.objects.filter(
                resources__kind=ResourceKind.STAFF,
                resources__department_id=room.department_id,
                resources__is_active=True,
            ).values_list("pk", flat=True)
        )
    )


def free_wedding_slots(
    room: Resource, *, start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> list[Slot]:
    """The room's free slots at which at least one registrar is free too.

    A registrar is free at a slot when no active occupancy and no blackout (leave, illness) of
    their unit touches [slot start, slot end + the room's buffer) — the range ``wedding_book``
    holds. Two queries for all registrars over the whole range.
    """
    slots = free_slots(room, start=start, end=end, now=now)
    registrars = registrar_unit_ids(room)
    if not slots or not registrars:
        return []
    buffer = dt.timedelta(minutes=room.buffer_minutes)
    range_start, range_end = slots[0].starts_at, slots[-1].ends_at + buffer
    scope = {"unit_id__in": registrars, "starts_at__lt": range_end, "ends_at__gt": range_start}
    per_unit: dict[int, list[tuple[float, float]]] = {pk: [] for pk in registrars}
    for rows in (
        Occupancy.objects.filter(active=True, **scope),
        Blackout.objects.filter(**scope),
    ):
        for unit_id, busy_start, busy_end in rows.values_list(
            "unit_id", Epoch("starts_at"), Epoch("ends_at")
        ):
            per_unit[unit_id].append((busy_start, busy_end))
    busy = [_Busy(intervals) for intervals in per_unit.values()]
    seconds = buffer.total_seconds()
    return [
        slot
        for slot in slots
        if any(
            not unit.touches(slot.starts_at.timestamp(), slot.ends_at.timestamp() + seconds) for unit in busy
        )
    ]


# --- checking one request ------------------------------------------------------------------


def _check_who(resource, *, user, organisation) -> bool:
    """Refuse who may not book; tell whether ``user`` books as staff of the resource."""
    if user is None or not can_book_resource(user, resource):
        raise BookingError("not_allowed")
    staff = is_resource_staff(user, resource)
    member = organisation is None or user.organisation_memberships.filter(organisation=organisation).exists()
    if not (staff or member):
        raise BookingError("not_allowed")
    return staff


def _check_when(resource, starts_at, *, now, staff: bool) -> None:
    if starts_at < now:
        raise BookingError("past")
    if staff:
        return  # the counter may book at short notice and beyond the horizon
    if starts_at < now + dt.timedelta(hours=resource.min_lead_hours):
        raise BookingError("too_soon", params={"hours": resource.min_lead_hours})
    if local_date(starts_at) > local_date(now) + dt.timedelta(days=resource.horizon_days):
        raise BookingError("beyond_horizon", params={"days": resource.horizon_days})


def _check_length(resource, starts_at, ends_at) -> None:
    minutes = (ends_at - starts_at).total_seconds() / 60
    if resource.slot_minutes:
        if minutes != resource.slot_minutes:
            raise BookingError(
                "wrong_length",
                _("Please choose a duration of %(minutes)s minutes."),
                params={"minutes": resource.slot_minutes},
            )
    elif not resource.min_minutes <= minutes <= resource.max_minutes:
        raise BookingError(
            "wrong_length",
            _("Please choose a duration between %(min)s and %(max)s minutes."),
            params={"min": resource.min_minutes, "max": resource.max_minutes},
        )


def _check_hours(resource, starts_at, ends_at) -> None:
    day = local_date(starts_at)
    intervals, reason = _Calendar(resource, day, day).day(day)
    if reason:
        raise BookingError(reason)
    for opens, closes in intervals:
        if opens <= starts_at and ends_at <= closes:
            grid = _step(resource) if resource.slot_minutes else dt.timedelta(minutes=START_GRID_MINUTES)
            if (starts_at - opens) % grid:
                raise BookingError("outside_hours", _("Please choose one of the offered start times."))
            return
    raise BookingError("outside_hours")


def check_free(resource, starts_at, ends_at, *, unit_ids=None) -> None:
    """Refuse a range touched by a blackout or an active occupancy of the units."""
    held_until = ends_at + dt.timedelta(minutes=resource.buffer_minutes)
    scope = {"unit_ids": unit_ids} if unit_ids is not None else {"resource": resource}
    if busy_blackouts(start=starts_at, end=held_until, **scope):
        raise BookingError("blackout")
    if busy_occupancies(start=starts_at, end=held_until, **scope):
        raise BookingError("taken")


def check_bookable(
    resource: Resource,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    *,
    user,
    organisation=None,
    now: dt.datetime | None = None,
) -> None:
    """Raise ``BookingError`` unless ``user`` may book ``resource`` over [starts_at, ends_at).

    Staff of the resource's department may book at short notice and beyond the horizon (the
    counter); everything else — hours, holidays, blackouts, length, overlaps — holds for all.
    """
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at) or starts_at >= ends_at:
        raise BookingError("invalid")
    staff = _check_who(resource, user=user, organisation=organisation)
    _check_when(resource, starts_at, now=now or timezone.now(), staff=staff)
    _check_length(resource, starts_at, ends_at)
    _check_hours(resource, starts_at, ends_at)
    check_free(resource, starts_at, ends_at)
