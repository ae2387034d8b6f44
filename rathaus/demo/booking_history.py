"""A year of past bookings for the Regensburg demo: the sports hall, the barbecue areas and the
youth room, booked online by the demo citizens and the demo club, or taken by phone or at the
counter and entered by the sports or parks office, so the online share of bookings has a history
and is not 100 %.

The online share of the bookings made rises from about 35 % a year ago to about 60 % in the last
weeks (spread evenly, like the applications); barbecue areas are booked from April to September
only. Every booking lies wholly in the past and held its units (confirmed), a few were cancelled
before the day. A plan that would overlap a booking already there, or one written before it, is
left out: the occupancies keep the rule that a unit is used by one booking at a time, which the
PostgreSQL exclusion constraint enforces as well. They are written directly, without audit
entries; the member of staff who took one is ``entered_by`` and its note says who asked.

Written once, with the first load of the case history (``case_history.load_case_history``).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from rathaus.accounts.models import Organisation, User
from rathaus.booking.constants import HOLDING_STATUSES, BookingStatus
from rathaus.booking.models import Booking, Occupancy, Resource
from rathaus.booking.services import booking_fee
from rathaus.cases.deadlines import is_working_day
from rathaus.catalog.constants import Channel

from . import booking_data, data
from .history_data import BERLIN, CITIZENS, OTHERS, Person, at, received_at

__all__ = ["BookingPlan", "booking_plans", "load_booking_history"]

SEED = "rathaus-demo-booking-history"
BOOKINGS = 72
HISTORY_DAYS = 380  # a year and two weeks: the cockpit's first month-end has bookings to count
ONLINE_THEN, ONLINE_NOW = 0.35, 0.60

HALL = "dreifachturnhalle-koenigswiesen"
THIRDS = [f"{HALL}-drittel-{part}" for part in "abc"]
BARBECUE = ["grillplatz-westbad", "grillplatz-donaupark"]
YOUTH_ROOM = "jugendzentrum-arena-raum"
GROUPS = ["Grundschule Königswiesen", "Betriebssport Stadtwerke", "Lauftreff Westpark", "VHS Regensburg"]


def load_booking_history(*, now: dt.datetime) -> int:
    """Write the year of past bookings (in the caller's transaction); returns how many."""
    return _BookingWriter(now).write(booking_plans(today=now.astimezone(BERLIN).date()))


@dataclass(frozen=True)
class BookingPlan:
    resource: str
    channel: str
    person: Person | None  # a private person; None: a group (offline) or the demo club (online)
    label: str  # shown in the public occupancy plan (a group or the club), never a person's name
    created: dt.datetime
    starts: dt.datetime
    ends: dt.datetime
    cancelled: dt.datetime | None


def booking_plans(*, today: dt.date) -> list[BookingPlan]:
    """The year's bookings in the order they were made; the same day gives the same plans."""
    rng = random.Random(SEED)  # noqa: S311 - deterministic, not secret: the same demo everywhere
    start = today - dt.timedelta(days=HISTORY_DAYS)
    expected, taken, plans = 0.0, 0, []
    # one booking in each of BOOKINGS equal stretches of the year, at a random moment of it
    for number, point in enumerate((n + rng.random()) / BOOKINGS for n in range(BOOKINGS)):
        expected += ONLINE_THEN + (ONLINE_NOW - ONLINE_THEN) * point
        online = expected - taken >= rng.uniform(0.2, 0.8)
        day = start + dt.timedelta(days=int(point * (HISTORY_DAYS - 3)))
        plan = _plan(random.Random(f"{SEED}:{number}"), day, online, today)  # noqa: S311
        taken += plan.channel == Channel.ONLINE
        plans.append(plan)
    return plans


def _plan(rng: random.Random, day: dt.date, online: bool, today: dt.date) -> BookingPlan:
    summer = 4 <= day.month <= 9
    kind = rng.choices(["barbecue", "hall", "room"], weights=[50, 40, 10] if summer else [0, 80, 20])[0]
    if kind == "room" and not online:
        kind = "hall"  # the youth office takes no bookings by phone, the sports office does
    channel = Channel.ONLINE if online else rng.choice([Channel.PHONE, Channel.PHONE, Channel.COUNTER])
    created = received_at(rng, day, channel, today)
    use_day = min(created.date() + dt.timedelta(days=rng.randrange(2, 21)), today - dt.timedelta(days=1))
    if kind == "hall":
        resource = rng.choice([HALL, *THIRDS, *THIRDS])
        person, label = None, data.ORGANISATION["name"] if online else rng.choice(GROUPS)
        starts, hours = _hall_time(rng, use_day)
    else:
        resource = rng.choice(BARBECUE) if kind == "barbecue" else YOUTH_ROOM
        person, label = rng.choice(CITIZENS if online or rng.random() < 0.2 else OTHERS), ""
        starts, hours = _leisure_time(rng, use_day, kind)
    ends = starts + dt.timedelta(hours=hours)
    cancelled = None
    if rng.random() < 0.07:
        cancelled = (created + (starts - created) * rng.uniform(0.2, 0.8)).replace(second=0, microsecond=0)
    return BookingPlan(resource, channel, person, label, created, starts, ends, cancelled)


def _hall_time(rng: random.Random, day: dt.date) -> tuple[dt.datetime, int]:
    """Working days 16 to 21 o'clock for one or two hours, Saturdays 9 to 17 for up to three."""
    while not (day.weekday() == 5 or is_working_day(day)):
        day -= dt.timedelta(days=1)
    if day.weekday() == 5:
        return at(day, (9 + rng.randrange(6)) * 60), rng.choice([2, 3])
    return at(day, (16 + rng.randrange(5)) * 60), rng.choice([1, 1, 2])


def _leisure_time(rng: random.Random, day: dt.date, kind: str) -> tuple[dt.datetime, int]:
    """Barbecue areas any day from 11 o'clock for two to four hours; the youth room Monday to
    Saturday from 15 o'clock for two or three."""
    if kind == "barbecue":
        return at(day, (11 + rng.randrange(6)) * 60), rng.choice([2, 3, 4])
    if day.weekday() == 6:
        day -= dt.timedelta(days=1)
    return at(day, (15 + rng.randrange(4)) * 60), rng.choice([2, 3])


class _BookingWriter:
    """Writes planned bookings with their occupancies, leaving out what would overlap."""

    def __init__(self, now: dt.datetime):
        self.now = now
        slugs = [HALL, *THIRDS, *BARBECUE, YOUTH_ROOM]
        self.resources = {
            r.slug: r for r in Resource.objects.filter(slug__in=slugs).prefetch_related("units")
        }
        self.units = {slug: sorted(u.pk for u in r.units.all()) for slug, r in self.resources.items()}
        emails = [p.email for p in CITIZENS] + [data.ORGANISATION_ADMIN]
        emails += [booking_data.SPORTS_OFFICE_STAFF[0], booking_data.PARKS_OFFICE_STAFF[0]]
        self.users = {u.email: u for u in User.objects.filter(email__in=emails)}
        self.club = Organisation.objects.filter(name=data.ORGANISATION["name"]).first()
        self.busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
        held = Occupancy.objects.filter(
            active=True, unit_id__in=[u for units in self.units.values() for u in units], starts_at__lt=now
        )
        for unit_id, starts, ends in held.values_list("unit_id", "starts_at", "ends_at"):
            self.busy.setdefault(unit_id, []).append((starts, ends))

    def write(self, plans: list[BookingPlan]) -> int:
        rows = [row for plan in plans if (row := self._booking(plan)) is not None]
        Booking.objects.bulk_create([booking for booking, _units in rows])
        Occupancy.objects.bulk_create(
            Occupancy(
                booking=booking,
                unit_id=unit_id,
                starts_at=booking.starts_at,
                ends_at=booking.ends_at + dt.timedelta(minutes=booking.resource.buffer_minutes),
                active=booking.status in HOLDING_STATUSES,
            )
            for booking, units in rows
            for unit_id in units
        )
        return len(rows)

    def _booking(self, plan: BookingPlan) -> tuple[Booking, list[int]] | None:
        resource = self.resources.get(plan.resource)
        entrant, booker = self._entrant(plan), self._booker(plan)
        if resource is None or booker is None or (plan.channel != Channel.ONLINE and entrant is None):
            return None
        if not plan.created < plan.starts < plan.ends <= self.now:
            return None
        held_until = plan.ends + dt.timedelta(minutes=resource.buffer_minutes)
        if plan.cancelled is None and not self._reserve(self.units[plan.resource], plan.starts, held_until):
            return None
        booking = Booking(
            resource=resource,
            starts_at=plan.starts,
            ends_at=plan.ends,
            status=BookingStatus.CANCELLED if plan.cancelled else BookingStatus.CONFIRMED,
            booked_by=booker,
            organisation=self.club if plan.person is None and plan.channel == Channel.ONLINE else None,
            entered_by=entrant or booker,
            channel=plan.channel,
            fee=booking_fee(resource=resource, starts_at=plan.starts, ends_at=plan.ends),
            note=_note(plan),
            public_label=plan.label,
            created_at=plan.created,
            cancelled_at=plan.cancelled,
        )
        booking.full_clean(
            exclude=["resource", "booked_by", "organisation", "entered_by", "season_application"]
        )
        return booking, self.units[plan.resource]

    def _entrant(self, plan: BookingPlan) -> User | None:
        """The member of staff who took a booking by phone or at the counter."""
        if plan.channel == Channel.ONLINE:
            return None
        office = booking_data.SPORTS_OFFICE_STAFF if plan.label else booking_data.PARKS_OFFICE_STAFF
        return self.users.get(office[0])

    def _booker(self, plan: BookingPlan) -> User | None:
        """Whose booking it is: the citizen's, the club's (its admin), or, for a person or group
        without an account, the member of staff's who entered it (as at the counter today)."""
        if plan.person is not None and plan.person.citizen:
            return self.users.get(plan.person.email)
        if plan.person is None and plan.channel == Channel.ONLINE:
            return self.users.get(data.ORGANISATION_ADMIN) if self.club is not None else None
        return self._entrant(plan)

    def _reserve(self, units: list[int], starts: dt.datetime, until: dt.datetime) -> bool:
        if any(s < until and starts < e for unit in units for s, e in self.busy.get(unit, ())):
            return False
        for unit in units:
            self.busy.setdefault(unit, []).append((starts, until))
        return True


def _note(plan: BookingPlan) -> str:
    """Staff's note on a booking they took (internal), naming who asked."""
    if plan.channel == Channel.ONLINE:
        return ""
    how = "Telefonisch angefragt" if plan.channel == Channel.PHONE else "Am Schalter angefragt"
    return f"{how} von {plan.person.name if plan.person else plan.label}."
