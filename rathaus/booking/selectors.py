"""Reads of the booking engine: what holds a unit when, and whose bookings are whose.

``busy_*`` return plain ``(starts_at, ends_at)`` pairs so the slot computation can work on
sorted lists without building model instances; one query each, whatever the range.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import FloatField, Func, Q, QuerySet

from .constants import HOLDING_STATUSES
from .models import Blackout, Booking, Occupancy, Resource

__all__ = [
    "blackout_conflicts",
    "bookings_for_user",
    "busy_blackouts",
    "busy_epochs",
    "busy_occupancies",
    "holding_bookings",
    "resource_unit_ids",
    "unit_overlaps",
]

Interval = tuple[dt.datetime, dt.datetime]


def resource_unit_ids(resource: Resource) -> list[int]:
    return sorted(unit.pk for unit in resource.units.all())


def _units_filter(*, resource: Resource | None = None, unit_ids: Iterable[int] | None = None) -> Q:
    if unit_ids is not None:
        return Q(unit_id__in=list(unit_ids))
    return Q(unit__resources=resource)


def busy_occupancies(
    *, start: dt.datetime, end: dt.datetime, resource: Resource | None = None, unit_ids=None
) -> list[Interval]:
    """Active occupancies of the resource's units (or of ``unit_ids``) that touch [start, end)."""
    rows = Occupancy.objects.filter(
        _units_filter(resource=resource, unit_ids=unit_ids), active=True, starts_at__lt=end, ends_at__gt=start
    )
    return list(rows.values_list("starts_at", "ends_at"))


def busy_blackouts(
    *, start: dt.datetime, end: dt.datetime, resource: Resource | None = None, unit_ids=None
) -> list[Interval]:
    rows = Blackout.objects.filter(
        _units_filter(resource=resource, unit_ids=unit_ids), starts_at__lt=end, ends_at__gt=start
    )
    return list(rows.values_list("starts_at", "ends_at"))


class Epoch(Func):
    """Seconds since 1970 as a float: the slot computation compares numbers, not datetimes."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::float8", **extra
        )

    def as_sqlite(self, compiler, connection, **extra):
        template = "CAST(strftime('%%%%s', %(expressions)s) AS REAL)"
        return self.as_sql(compiler, connection, template=template, **extra)


def busy_epochs(*, start: dt.datetime, end: dt.datetime, resource: Resource) -> list[tuple[float, float]]:
    """Occupancies and blackouts of the resource's units touching [start, end), as epoch seconds.

    Two queries; converting numbers is several times cheaper than parsing timestamps, which
    matters for a season plan of a thousand rows.
    """
    scope = {"unit__resources": resource, "starts_at__lt": end, "ends_at__gt": start}
    occupied = Occupancy.objects.filter(active=True, **scope)
    blocked = Blackout.objects.filter(**scope)
    return [
        *occupied.values_list(Epoch("starts_at"), Epoch("ends_at")),
        *blocked.values_list(Epoch("starts_at"), Epoch("ends_at")),
    ]


def unit_overlaps(*, unit_ids: Iterable[int], start: dt.datetime, end: dt.datetime) -> QuerySet[Occupancy]:
    """Active occupancies of these units overlapping [start, end)."""
    return Occupancy.objects.filter(
        unit_id__in=list(unit_ids), active=True, starts_at__lt=end, ends_at__gt=start
    )


def blackout_conflicts(*, unit_id: int, starts_at: dt.datetime, ends_at: dt.datetime) -> QuerySet[Booking]:
    """Bookings still holding the unit during a planned blackout (to contact or rebook)."""
    return (
        Booking.objects.filter(
            occupancies__unit_id=unit_id,
            occupancies__active=True,
            occupancies__starts_at__lt=ends_at,
            occupancies__ends_at__gt=starts_at,
        )
        .select_related("resource")
        .distinct()
    )


def bookings_for_user(*, user) -> QuerySet[Booking]:
    """Bookings a person made or that were made for one of their organisations."""
    if not user.is_authenticated:
        return Booking.objects.none()
    return (
        Booking.objects.filter(
            Q(booked_by=user) | Q(organisation__memberships__user=user),
        )
        .select_related("resource", "organisation")
        .distinct()
    )


def holding_bookings() -> QuerySet[Booking]:
    return Booking.objects.filter(status__in=HOLDING_STATUSES)
