"""Builders for the booking-engine tests: resources with hours, a divisible hall, a wedding set."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from rathaus.accounts.constants import OrganisationKind
from rathaus.accounts.models import Organisation, OrganisationMembership
from rathaus.booking.availability import BERLIN, is_public_holiday
from rathaus.booking.constants import ResourceKind
from rathaus.booking.models import OpeningHours, Resource, Unit

ALL_WEEK = range(7)


def make_unit(code: str) -> Unit:
    return Unit.objects.get_or_create(code=code, defaults={"name": code})[0]


def make_resource(
    department,
    slug: str,
    *,
    units=None,
    opens=dt.time(8),
    closes=dt.time(22),
    weekdays=ALL_WEEK,
    **fields,
) -> Resource:
    fields.setdefault("kind", ResourceKind.FACILITY)
    fields.setdefault("slot_minutes", 60)
    fields.setdefault("min_lead_hours", 0)
    resource = Resource.objects.create(slug=slug, name=slug, department=department, **fields)
    resource.units.set(units if units is not None else [make_unit(slug)])
    OpeningHours.objects.bulk_create(
        OpeningHours(resource=resource, weekday=day, opens=opens, closes=closes) for day in weekdays
    )
    return resource


def divisible_hall(department, **fields) -> dict[str, Resource]:
    """A triple hall: the whole hall holds every third; each third holds only itself."""
    thirds = [make_unit(f"halle-drittel-{n}") for n in (1, 2, 3)]
    fields.setdefault("slot_minutes", None)
    fields.setdefault("min_minutes", 60)
    hall = {"whole": make_resource(department, "halle-ganz", units=thirds, **fields)}
    for n, unit in enumerate(thirds, start=1):
        hall[f"third{n}"] = make_resource(department, f"halle-drittel-{n}-res", units=[unit], **fields)
    return hall


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BERLIN)


def future_workday(days_ahead: int = 7) -> dt.date:
    """A day at least ``days_ahead`` ahead that is no public holiday (tests book on it)."""
    day = timezone.localdate() + dt.timedelta(days=days_ahead)
    while is_public_holiday(day):
        day += dt.timedelta(days=1)
    return day


def make_club(*members, name="TSV Regensburg") -> Organisation:
    club = Organisation.objects.create(name=name, kind=OrganisationKind.CLUB)
    for member in members:
        OrganisationMembership.objects.create(organisation=club, user=member)
    return club
