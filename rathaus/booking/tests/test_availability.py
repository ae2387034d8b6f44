"""When a resource is free: opening hours, exceptions, holidays, blackouts, buffers, lead time,
horizon, summer time — and every reason ``check_bookable`` gives for a refusal."""

from __future__ import annotations

import datetime as dt

import pytest

from rathaus.booking.availability import (
    BERLIN,
    check_bookable,
    free_slots,
    is_public_holiday,
    opening_intervals,
)
from rathaus.booking.constants import Audience, BookingStatus
from rathaus.booking.errors import CODES, BookingError
from rathaus.booking.models import Blackout, Booking, Occupancy, OpeningException

from .booking_factories import local, make_club, make_resource

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2027, 2, 1)  # an ordinary Monday, no holiday
BEFORE = dt.datetime(2027, 1, 25, 9, tzinfo=BERLIN)  # "now" a week earlier


def occupy(resource, starts_at, ends_at, *, buffer_minutes=None):
    """An active booking written directly, to shape the calendar."""
    booking = Booking.objects.create(
        resource=resource, starts_at=starts_at, ends_at=ends_at, status=BookingStatus.CONFIRMED
    )
    held = ends_at + dt.timedelta(
        minutes=resource.buffer_minutes if buffer_minutes is None else buffer_minutes
    )
    for unit in resource.units.all():
        Occupancy.objects.create(booking=booking, unit=unit, starts_at=starts_at, ends_at=held)
    return booking


def local_starts(slots):
    return [slot.starts_at.astimezone(BERLIN).strftime("%d.%m. %H:%M") for slot in slots]


@pytest.fixture
def court(department):
    return make_resource(department, "tennisplatz", opens=dt.time(8), closes=dt.time(12), horizon_days=400)


def test_opening_hours_give_hourly_slots(court):
    slots = free_slots(court, start=MONDAY, end=MONDAY, now=BEFORE)
    assert local_starts(slots) == ["01.02. 08:00", "01.02. 09:00", "01.02. 10:00", "01.02. 11:00"]
    assert all(slot.starts_at.tzinfo == dt.UTC and slot.minutes == 60 for slot in slots)


def test_opening_intervals_are_local_and_aware(court):
    assert opening_intervals(court, MONDAY) == [(local(MONDAY, 8), local(MONDAY, 12))]


def test_weekday_without_hours_is_closed(department):
    resource = make_resource(department, "buero", weekdays=[0, 1, 2, 3, 4], horizon_days=400)
    saturday = MONDAY + dt.timedelta(days=5)
    assert free_slots(resource, start=saturday, end=saturday + dt.timedelta(days=1), now=BEFORE) == []


def test_exception_closes_a_day_and_another_changes_its_hours(court):
    OpeningException.objects.create(resource=court, date=MONDAY, reason="Turnier")
    tuesday = MONDAY + dt.timedelta(days=1)
    OpeningException.objects.create(resource=court, date=tuesday, opens=dt.time(14), closes=dt.time(16))
    slots = free_slots(court, start=MONDAY, end=tuesday, now=BEFORE)
    assert local_starts(slots) == ["02.02. 14:00", "02.02. 15:00"]


def test_bavarian_holidays_are_closed_including_assumption_day(court):
    epiphany, assumption = dt.date(2027, 1, 6), dt.date(2027, 8, 15)
    assert is_public_holiday(epiphany) and is_public_holiday(assumption)
    now = dt.datetime(2027, 1, 1, 9, tzinfo=BERLIN)
    assert free_slots(court, start=epiphany, end=epiphany, now=now) == []
    assert free_slots(court, start=assumption, end=assumption, now=now) == []
    court.closed_on_public_holidays = False
    court.save()
    assert len(free_slots(court, start=epiphany, end=epiphany, now=now)) == 4


def test_blackout_removes_the_slots_it_touches(court):
    Blackout.objects.create(
        unit=court.units.get(),
        starts_at=local(MONDAY, 9, 30),
        ends_at=local(MONDAY, 10, 30),
        reason="Wartung",
    )
    assert local_starts(free_slots(court, start=MONDAY, end=MONDAY, now=BEFORE)) == [
        "01.02. 08:00",
        "01.02. 11:00",
    ]


def test_buffer_spaces_the_slot_grid_and_keeps_distance_from_bookings(department):
    resource = make_resource(
        department, "grill", opens=dt.time(8), closes=dt.time(13), buffer_minutes=30, horizon_days=400
    )
    assert local_starts(free_slots(resource, start=MONDAY, end=MONDAY, now=BEFORE)) == [
        "01.02. 08:00",
        "01.02. 09:30",
        "01.02. 11:00",
    ]
    occupy(resource, local(MONDAY, 9, 30), local(MONDAY, 10, 30))
    assert local_starts(free_slots(resource, start=MONDAY, end=MONDAY, now=BEFORE)) == [
        "01.02. 08:00",
        "01.02. 11:00",
    ]


def test_free_duration_windows_leave_room_for_the_buffer(department):
    resource = make_resource(
        department, "saal", slot_minutes=None, min_minutes=60, buffer_minutes=30, horizon_days=400
    )
    occupy(resource, local(MONDAY, 10), local(MONDAY, 11))  # held until 11:30
    windows = free_slots(resource, start=MONDAY, end=MONDAY, now=BEFORE)
    assert [
        (w.starts_at.astimezone(BERLIN).time(), w.ends_at.astimezone(BERLIN).time()) for w in windows
    ] == [
        (dt.time(8), dt.time(9, 30)),
        (dt.time(11, 30), dt.time(22)),
    ]
    assert len(free_slots(resource, start=MONDAY, end=MONDAY, duration_minutes=120, now=BEFORE)) == 1


def test_lead_time_hides_slots_that_start_too_soon(court):
    court.min_lead_hours = 2
    court.save()
    slots = free_slots(court, start=MONDAY, end=MONDAY, now=local(MONDAY, 8, 30))
    assert local_starts(slots) == ["01.02. 11:00"]


def test_nothing_beyond_the_horizon(court):
    court.horizon_days = 5
    court.save()
    slots = free_slots(court, start=MONDAY, end=MONDAY + dt.timedelta(days=30), now=local(MONDAY, 7))
    assert {slot.starts_at.astimezone(BERLIN).date() for slot in slots} == {
        MONDAY + dt.timedelta(days=n) for n in range(6)
    }


@pytest.mark.parametrize(
    ("first", "change"),
    [(dt.date(2027, 3, 16), dt.date(2027, 3, 28)), (dt.date(2027, 10, 19), dt.date(2027, 10, 31))],
)
def test_weekly_evening_slot_stays_at_seven_across_summer_time_changes(department, first, change):
    resource = make_resource(
        department, "gymnastikraum", opens=dt.time(19), closes=dt.time(20), weekdays=[1], horizon_days=400
    )
    now = dt.datetime.combine(first - dt.timedelta(days=1), dt.time(9), tzinfo=BERLIN)
    slots = free_slots(resource, start=first, end=first + dt.timedelta(days=20), now=now)
    assert len(slots) == 3
    assert {slot.starts_at.astimezone(BERLIN).time() for slot in slots} == {dt.time(19)}
    utc_hours = [slot.starts_at.hour for slot in slots]
    assert len(set(utc_hours)) == 2, "the UTC hour moves with summer time, the local one does not"
    assert slots[0].starts_at < dt.datetime.combine(change, dt.time(3), tzinfo=BERLIN) < slots[-1].starts_at


def test_existing_occupancy_of_any_unit_blocks_the_slot(department):
    from .booking_factories import divisible_hall

    hall = divisible_hall(department, horizon_days=400)
    occupy(hall["third2"], local(MONDAY, 8), local(MONDAY, 20))
    windows = free_slots(hall["whole"], start=MONDAY, end=MONDAY, now=BEFORE)
    assert [w.starts_at.astimezone(BERLIN).time() for w in windows] == [dt.time(20)]
    assert len(free_slots(hall["third1"], start=MONDAY, end=MONDAY, now=BEFORE)) == 1


# --- check_bookable: every reason ------------------------------------------------------------


def refusal(resource, starts_at, ends_at, user, **kwargs) -> str:
    with pytest.raises(BookingError) as caught:
        check_bookable(resource, starts_at, ends_at, user=user, now=kwargs.pop("now", BEFORE), **kwargs)
    assert str(caught.value), "every refusal carries a message"
    return caught.value.code


def test_a_free_slot_in_the_opening_hours_is_bookable(court, citizen):
    check_bookable(court, local(MONDAY, 9), local(MONDAY, 10), user=citizen, now=BEFORE)


def test_every_refusal_has_its_code(court, citizen, department):
    day = MONDAY
    assert refusal(court, local(day, 12), local(day, 13), citizen) == "outside_hours"
    assert refusal(court, local(day, 9, 15), local(day, 10, 15), citizen) == "outside_hours"
    assert refusal(court, local(day, 9), local(day, 11), citizen) == "wrong_length"
    assert refusal(court, local(day, 9), local(day, 10), citizen, now=local(day, 11)) == "past"
    court.min_lead_hours = 48
    court.horizon_days = 3
    court.save()
    assert refusal(court, local(day, 9), local(day, 10), citizen, now=local(day, 7)) == "too_soon"
    assert refusal(court, local(day, 9), local(day, 10), citizen) == "beyond_horizon"
    court.min_lead_hours, court.horizon_days = 0, 400
    court.save()
    naive = dt.datetime(2027, 2, 1, 9)
    assert refusal(court, naive, naive + dt.timedelta(hours=1), citizen) == "invalid"
    epiphany = dt.date(2027, 1, 6)
    assert (
        refusal(
            court,
            local(epiphany, 9),
            local(epiphany, 10),
            citizen,
            now=dt.datetime(2027, 1, 1, tzinfo=BERLIN),
        )
        == "holiday"
    )
    OpeningException.objects.create(resource=court, date=day, reason="Turnier")
    assert refusal(court, local(day, 9), local(day, 10), citizen) == "closed"
    tuesday = day + dt.timedelta(days=1)
    Blackout.objects.create(
        unit=court.units.get(), starts_at=local(tuesday, 9), ends_at=local(tuesday, 10), reason="Wartung"
    )
    assert refusal(court, local(tuesday, 9), local(tuesday, 10), citizen) == "blackout"
    occupy(court, local(tuesday, 10), local(tuesday, 11))
    assert refusal(court, local(tuesday, 10), local(tuesday, 11), citizen) == "taken"
    staff_only = make_resource(department, "sitzungssaal", audience=Audience.STAFF, horizon_days=400)
    assert refusal(staff_only, local(tuesday, 9), local(tuesday, 10), citizen) == "not_allowed"


def test_free_duration_length_limits(department, citizen):
    resource = make_resource(
        department, "saal", slot_minutes=None, min_minutes=60, max_minutes=120, horizon_days=400
    )
    assert refusal(resource, local(MONDAY, 9), local(MONDAY, 9, 30), citizen) == "wrong_length"
    assert refusal(resource, local(MONDAY, 9), local(MONDAY, 12), citizen) == "wrong_length"
    check_bookable(resource, local(MONDAY, 9, 30), local(MONDAY, 11), user=citizen, now=BEFORE)


def test_free_duration_starts_on_the_half_hour_grid(department, citizen):
    """A time typed in by hand (10:07) is refused: every offered time starts on the half-hour
    grid from the opening, and an odd start would leave unusable gaps around it."""
    from rathaus.booking.availability import free_slots

    resource = make_resource(
        department, "grill", slot_minutes=None, min_minutes=60, max_minutes=120, horizon_days=400
    )
    assert refusal(resource, local(MONDAY, 10, 7), local(MONDAY, 12, 7), citizen) == "outside_hours"
    windows = free_slots(resource, start=MONDAY, end=MONDAY, duration_minutes=60, now=BEFORE)
    assert windows and all(w.starts_at.astimezone(local(MONDAY, 0).tzinfo).minute in (0, 30) for w in windows)


def test_organisation_resource_refuses_a_private_citizen(department, citizen, other_citizen):
    resource = make_resource(department, "vereinsheim", audience=Audience.ORGANISATIONS, horizon_days=400)
    assert refusal(resource, local(MONDAY, 9), local(MONDAY, 10), citizen) == "not_allowed"
    club = make_club(other_citizen)
    check_bookable(
        resource, local(MONDAY, 9), local(MONDAY, 10), user=other_citizen, organisation=club, now=BEFORE
    )
    assert refusal(resource, local(MONDAY, 9), local(MONDAY, 10), citizen, organisation=club) == "not_allowed"


def test_staff_of_the_department_may_book_at_short_notice_but_never_over_a_booking(court, caseworker):
    court.min_lead_hours = 48
    court.save()
    check_bookable(court, local(MONDAY, 9), local(MONDAY, 10), user=caseworker, now=local(MONDAY, 7))
    occupy(court, local(MONDAY, 9), local(MONDAY, 10))
    assert refusal(court, local(MONDAY, 9), local(MONDAY, 10), caseworker, now=local(MONDAY, 7)) == "taken"


def test_every_code_has_a_message():
    assert set(CODES) == {
        "taken", "outside_hours", "past", "too_soon", "beyond_horizon", "blackout", "wrong_length",
        "not_allowed", "holiday", "closed", "cancel_deadline", "invalid",
    }  # fmt: skip
    for code in CODES:
        assert str(BookingError(code, params={"hours": 2, "days": 3}))


def test_free_slots_reads_a_fixed_number_of_queries_whatever_the_range(court, django_assert_num_queries):
    occupy(court, local(MONDAY, 9), local(MONDAY, 10))
    with django_assert_num_queries(4):  # hours, exceptions, occupancies, blackouts
        slots = free_slots(court, start=MONDAY, end=MONDAY + dt.timedelta(days=89), now=BEFORE)
    assert len(slots) > 300
