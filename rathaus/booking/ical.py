"""iCalendar (RFC 5545) files of bookings: an invitation per booking and calendars of many.

Times are written as local Europe/Berlin times with ``TZID`` and a matching ``VTIMEZONE``, so an
event at 19:00 stays at 19:00 in winter and summer in every calendar program. The ``UID`` is
derived from the booking's id and the portal's host, so a later file (confirmed, cancelled)
updates the same entry instead of adding a second one; ``SEQUENCE`` grows with the state.

Privacy: an invitation carries the resource, place and time only, never the name of the person
who booked, so the same file may go to the booker and to the staff. Public calendars show the
club's ``public_label`` or "booked" — never a private person's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .constants import BookingStatus
from .models import Booking

__all__ = ["booking_invitation", "booking_uid", "calendar_for_bookings"]

BERLIN = ZoneInfo("Europe/Berlin")
PRODID = "-//Rathaus//Buchungen//DE"

_ICAL_STATUS = {
    BookingStatus.PROVISIONAL: "TENTATIVE",
    BookingStatus.PAYMENT_PENDING: "TENTATIVE",
    BookingStatus.CONFIRMED: "CONFIRMED",
    BookingStatus.CANCELLED: "CANCELLED",
    BookingStatus.EXPIRED: "CANCELLED",
}
# A calendar program applies a file only if its SEQUENCE is not lower than the one it has.
_SEQUENCE = {
    BookingStatus.PROVISIONAL: 0,
    BookingStatus.PAYMENT_PENDING: 0,
    BookingStatus.CONFIRMED: 1,
    BookingStatus.CANCELLED: 2,
    BookingStatus.EXPIRED: 2,
}


def _portal_url() -> str:
    return (getattr(settings, "PORTAL_URL", "") or "http://127.0.0.1:8000").rstrip("/")


def booking_uid(booking: Booking) -> str:
    """Stable per booking and installation."""
    host = urlsplit(_portal_url()).hostname or "rathaus.localhost"
    return f"booking-{booking.pk}@{host}"


def _calendar(*, method: str | None = None, name: str = "") -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", "Europe/Berlin")
    return cal


def _event(booking: Booking, *, summary: str, description: str = "", location: str = "") -> Event:
    event = Event()
    event.add("uid", booking_uid(booking))
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", booking.starts_at.astimezone(BERLIN))
    event.add("dtend", booking.ends_at.astimezone(BERLIN))
    event.add("summary", summary)
    event.add("status", _ICAL_STATUS.get(booking.status, "TENTATIVE"))
    event.add("sequence", _SEQUENCE.get(booking.status, 0))
    event.add("transp", "OPAQUE")
    if location:
        event.add("location", location)
    if description:
        event.add("description", description)
    return event


def _finish(cal: Calendar, bookings: list[Booking]) -> bytes:
    if bookings:
        first = min(b.starts_at for b in bookings).astimezone(BERLIN).date()
        last = max(b.ends_at for b in bookings).astimezone(BERLIN).date()
        # Only the transitions around the events: a short VTIMEZONE that works past 2038 too.
        cal.add_missing_timezones(
            first_date=dt.date(first.year - 1, 1, 1), last_date=dt.date(last.year + 1, 12, 31)
        )
    return cal.to_ical()


def _organizer(booking: Booking) -> str:
    email = booking.resource.department.email or settings.DEFAULT_FROM_EMAIL
    if "<" in email:
        email = email.split("<", 1)[1].rstrip(">")
    return f"mailto:{email.strip()}"


def booking_invitation(booking: Booking, *, language: str) -> bytes:
    """One booking as an invitation (``METHOD:REQUEST``) in ``language``.

    Holds what the booking is (resource, place, time, state) and a link to "Meine Buchungen";
    no name or address of the person who booked, so the booker and the staff get the same file.
    """
    resource = booking.resource
    with translation.override(language):
        summary = resource.display_name
        lines = [
            _("Status: %(status)s") % {"status": booking.get_status_display()},
            _("Your bookings: %(url)s") % {"url": _portal_url() + reverse("booking:mine")},
        ]
        event = _event(booking, summary=summary, description="\n".join(lines), location=resource.location)
        event.add("organizer", _organizer(booking), parameters={"cn": resource.department.display_name})
    cal = _calendar(method="REQUEST")
    cal.add_component(event)
    return _finish(cal, [booking])


def _staff_summary(booking: Booking) -> str:
    who = booking.public_label or (booking.organisation.name if booking.organisation_id else "")
    if not who and booking.booked_by_id:
        who = booking.booked_by.get_full_name() or _("private booking")
    return f"{who} – {booking.resource.display_name}" if who else booking.resource.display_name


def calendar_for_bookings(bookings: Iterable[Booking], *, name: str, public: bool = True) -> bytes:
    """Many bookings as one subscribable calendar (``METHOD:PUBLISH``).

    ``public=True`` (occupancy plans) shows the public label or "booked" and nothing else;
    ``public=False`` is for staff calendars and names who booked.
    """
    bookings = list(bookings)
    cal = _calendar(method="PUBLISH", name=name)
    for booking in bookings:
        if public:
            summary = booking.public_label or _("booked")
            event = _event(booking, summary=summary, location=booking.resource.location)
            event.add("class", "PUBLIC")
        else:
            event = _event(booking, summary=_staff_summary(booking), location=booking.resource.location)
            event.add("class", "CONFIDENTIAL")
        cal.add_component(event)
    return _finish(cal, bookings)
