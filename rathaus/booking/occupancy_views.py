"""The public occupancy plan (Belegungsplan) of a facility, one ISO week at a time.

Everyone may see when a hall, room or barbecue area is taken, so clubs and citizens can find
free times. The plan shows a club's name (``public_label`` of a booking made for an
organisation) or "booked" — never who booked privately: a citizen's booking carries no label
here even if one was typed in. The same plan is a page, a printable page, an iCalendar file and
JSON (``/api/v1/booking/resources/<slug>/occupancy/``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .constants import HOLDING_STATUSES, ResourceKind
from .models import Blackout, Booking, Resource

__all__ = ["PlanEntry", "WeekPlan", "parse_week", "public_resources", "week_plan"]

BERLIN = ZoneInfo("Europe/Berlin")
WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{1,2})$")
# Registrars' and other staff time is not a facility: it has no public plan.
PUBLIC_KINDS = (ResourceKind.FACILITY, ResourceKind.ROOM, ResourceKind.LEISURE)


@dataclass
class PlanEntry:
    starts_at: dt.datetime
    ends_at: dt.datetime
    label: str
    part: str  # the booked resource when it is not the one shown (a third of the hall)
    kind: str  # "booking" or "blocked"
    booking: Booking | None = None


@dataclass
class PlanDay:
    date: dt.date
    entries: list[PlanEntry] = field(default_factory=list)


@dataclass
class WeekPlan:
    resource: Resource
    year: int
    week: int
    days: list[PlanDay]

    @property
    def code(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def first_day(self) -> dt.date:
        return self.days[0].date

    @property
    def last_day(self) -> dt.date:
        return self.days[-1].date

    def _shifted(self, weeks: int) -> str:
        year, week, _weekday = (self.first_day + dt.timedelta(weeks=weeks)).isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def previous_code(self) -> str:
        return self._shifted(-1)

    @property
    def next_code(self) -> str:
        return self._shifted(1)

    @property
    def bookings(self) -> list[Booking]:
        return [e.booking for day in self.days for e in day.entries if e.booking is not None]


def public_resources():
    return Resource.objects.filter(is_active=True, kind__in=PUBLIC_KINDS).select_related("department")


def parse_week(value: str | None) -> tuple[int, int]:
    """``2026-W40`` → (2026, 40); empty → the current week; anything else → ``ValueError``."""
    if not value:
        year, week, _weekday = timezone.localdate().isocalendar()
        return year, week
    match = WEEK_PATTERN.match(value.strip())
    if not match:
        raise ValueError(value)
    year, week = int(match[1]), int(match[2])
    dt.date.fromisocalendar(year, week, 1)  # raises ValueError for week 53 of a 52-week year
    return year, week


def _public_label(booking: Booking) -> str:
    """A club's name for an organisation's booking; "booked" for everything else."""
    if booking.organisation_id and booking.public_label:
        return booking.public_label
    return _("booked")


def week_plan(resource: Resource, *, year: int, week: int) -> WeekPlan:
    """Everything that holds a unit of ``resource`` in the ISO week: bookings of this resource
    and of the resources sharing its units (the whole hall and its thirds), and blocked times."""
    first = dt.date.fromisocalendar(year, week, 1)
    days = [PlanDay(first + dt.timedelta(days=i)) for i in range(7)]
    start = dt.datetime.combine(first, dt.time(), tzinfo=BERLIN)
    end = dt.datetime.combine(first + dt.timedelta(days=7), dt.time(), tzinfo=BERLIN)
    unit_ids = list(resource.units.values_list("pk", flat=True))
    bookings = (
        Booking.objects.filter(
            status__in=HOLDING_STATUSES,
            starts_at__lt=end,
            ends_at__gt=start,
            occupancies__unit_id__in=unit_ids,
            occupancies__active=True,
        )
        .select_related("resource")
        .distinct()
        .order_by("starts_at", "pk")
    )
    entries = []
    for booking in bookings:
        if booking.organisation_id is None:
            booking.public_label = ""  # in memory only: the iCal file must not show it either
        part = booking.resource.display_name if booking.resource_id != resource.pk else ""
        entries.append(
            PlanEntry(booking.starts_at, booking.ends_at, _public_label(booking), part, "booking", booking)
        )
    blackouts = Blackout.objects.filter(unit_id__in=unit_ids, starts_at__lt=end, ends_at__gt=start)
    seen = set()
    for blackout in blackouts.select_related("unit").order_by("starts_at"):
        key = (blackout.starts_at, blackout.ends_at)
        if key in seen:
            continue
        seen.add(key)
        part = blackout.unit.name if len(unit_ids) > 1 else ""
        entries.append(PlanEntry(blackout.starts_at, blackout.ends_at, _("not available"), part, "blocked"))
    for entry in sorted(entries, key=lambda e: e.starts_at):
        local_start = max(entry.starts_at.astimezone(BERLIN).date(), first)
        local_end = entry.ends_at.astimezone(BERLIN)
        for day in days:
            ends_before = local_end.date() < day.date or (
                local_end.date() == day.date and local_end.time() == dt.time()
            )
            if day.date >= local_start and not ends_before:
                day.entries.append(entry)
    return WeekPlan(resource=resource, year=year, week=week, days=days)


def _plan(request, resource_slug: str) -> WeekPlan:
    resource = public_resources().filter(slug=resource_slug).first()
    if resource is None:
        raise Http404
    try:
        year, week = parse_week(request.GET.get("woche"))
    except ValueError as exc:
        raise Http404 from exc
    return week_plan(resource, year=year, week=week)


@require_GET
def index(request):
    return render(
        request,
        "booking/occupancy/index.html",
        {"resources": public_resources().order_by("name"), "title": _("Occupancy plans")},
    )


@require_GET
def plan(request, resource_slug: str):
    week = _plan(request, resource_slug)
    title = _("Occupancy plan %(resource)s") % {"resource": week.resource.display_name}
    return render(request, "booking/occupancy/plan.html", {"plan": week, "title": title})


@require_GET
def plan_print(request, resource_slug: str):
    week = _plan(request, resource_slug)
    title = _("Occupancy plan %(resource)s") % {"resource": week.resource.display_name}
    return render(request, "booking/occupancy/plan_print.html", {"plan": week, "title": title})


@require_GET
def plan_ical(request, resource_slug: str):
    week = _plan(request, resource_slug)
    from .ical import calendar_for_bookings

    name = _("Occupancy plan %(resource)s") % {"resource": week.resource.display_name}
    body = calendar_for_bookings(week.bookings, name=name, public=True)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="belegung-{week.resource.slug}-{week.code}.ics"'
    return response
