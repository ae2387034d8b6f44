"""iCalendar files: local times with TZID across summer time, stable UIDs, no private data."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar

from rathaus.booking.constants import BookingStatus
from rathaus.booking.ical import booking_invitation, booking_uid, calendar_for_bookings
from rathaus.booking.models import Booking

from .booking_factories import local, make_resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall(department):
    department.email = "sportamt@stadt.example"
    department.save()
    return make_resource(department, "turnhalle-nord", location="Nordstraße 3, Regensburg")


def _booking(resource, day, user, **fields) -> Booking:
    fields.setdefault("status", BookingStatus.CONFIRMED)
    return Booking.objects.create(
        resource=resource, starts_at=local(day, 19), ends_at=local(day, 21), booked_by=user, **fields
    )


def _events(data: bytes):
    calendar = Calendar.from_ical(data)
    return calendar, list(calendar.walk("VEVENT"))


@pytest.mark.parametrize("day", [dt.date(2027, 1, 12), dt.date(2027, 7, 13)], ids=["winter", "summer"])
def test_invitation_keeps_local_time_with_tzid(hall, citizen, day):
    booking = _booking(hall, day, citizen)
    calendar, (event,) = _events(booking_invitation(booking, language="de"))

    assert str(calendar["METHOD"]) == "REQUEST"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    start = event["DTSTART"]
    assert start.params["TZID"] == "Europe/Berlin"
    assert (start.dt.hour, start.dt.minute) == (19, 0)
    assert event.decoded("DTEND").hour == 21
    assert str(start.dt.tzinfo) == "Europe/Berlin"
    assert b"DTSTART;TZID=Europe/Berlin:" + day.strftime(
        "%Y%m%d"
    ).encode() + b"T190000" in booking_invitation(booking, language="de")


def test_invitation_uid_is_stable_and_sequence_grows(hall, citizen):
    booking = _booking(hall, dt.date(2027, 3, 2), citizen, status=BookingStatus.PROVISIONAL)
    _, (first,) = _events(booking_invitation(booking, language="de"))
    _, (again,) = _events(booking_invitation(booking, language="en"))
    booking.status = BookingStatus.CONFIRMED
    _, (confirmed,) = _events(booking_invitation(booking, language="de"))

    assert str(first["UID"]) == str(again["UID"]) == str(confirmed["UID"])
    assert str(first["UID"]).startswith(f"booking-{booking.pk}@")
    assert str(first["STATUS"]) == "TENTATIVE"
    assert str(confirmed["STATUS"]) == "CONFIRMED"
    assert int(confirmed["SEQUENCE"]) > int(first["SEQUENCE"])


def test_invitation_names_no_person(hall, citizen):
    booking = _booking(hall, dt.date(2027, 3, 2), citizen)
    data = booking_invitation(booking, language="de")
    _, (event,) = _events(data)

    assert str(event["SUMMARY"]) == hall.display_name
    assert "Nordstraße 3" in str(event["LOCATION"])
    assert "sportamt@stadt.example" in str(event["ORGANIZER"])
    text = Calendar.from_ical(data).to_ical().decode()
    for private in (citizen.first_name, citizen.last_name, citizen.email, citizen.street):
        assert private not in text


def test_public_calendar_shows_label_or_booked_never_a_name(hall, citizen, other_citizen):
    club = _booking(hall, dt.date(2027, 1, 12), other_citizen, public_label="TSV Regensburg")
    private = _booking(hall, dt.date(2027, 7, 13), citizen)
    data = calendar_for_bookings([club, private], name="Turnhalle Nord")
    calendar, events = _events(data)

    assert str(calendar["X-WR-CALNAME"]) == "Turnhalle Nord"
    summaries = {str(event["UID"]): str(event["SUMMARY"]) for event in events}
    assert summaries[booking_uid(club)] == "TSV Regensburg"
    assert summaries[booking_uid(private)] in {"belegt", "booked"}
    assert [event["DTSTART"].dt.hour for event in events] == [19, 19]
    assert all(event["DTSTART"].params["TZID"] == "Europe/Berlin" for event in events)
    text = data.decode()
    for person in (citizen, other_citizen):
        assert person.last_name not in text
        assert person.email not in text


def test_staff_calendar_names_who_booked(hall, citizen):
    booking = _booking(hall, dt.date(2027, 1, 12), citizen)
    _, (event,) = _events(calendar_for_bookings([booking], name="intern", public=False))

    assert citizen.last_name in str(event["SUMMARY"])


def test_empty_calendar_is_valid():
    calendar, events = _events(calendar_for_bookings([], name="leer"))
    assert events == []
    assert str(calendar["VERSION"]) == "2.0"
