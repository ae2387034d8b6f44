"""The public occupancy plan: club names or "booked", never a private person's name."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from conftest import make_staff
from rathaus.accounts.constants import StaffRoleKind
from rathaus.accounts.models import Department
from rathaus.booking import services
from rathaus.booking.constants import BookingStatus, ResourceKind

from .booking_factories import divisible_hall, future_workday, local, make_club, make_resource

pytestmark = pytest.mark.django_db

PRIVATE_NAMES = ("Maria", "Muster")


@pytest.fixture
def sports_office(db):
    return Department.objects.create(code="Amt 52", name="Sportamt", name_en="Sports Office")


@pytest.fixture
def sports_staff(sports_office):
    return make_staff("sportamt@stadt.example", StaffRoleKind.CASEWORKER, sports_office)


@pytest.fixture
def hall(sports_office):
    return divisible_hall(sports_office, max_minutes=240)


@pytest.fixture
def day():
    return future_workday(9)


@pytest.fixture
def week(day):
    year, number, _weekday = day.isocalendar()
    return f"{year}-W{number:02d}"


@pytest.fixture
def bookings(hall, day, citizen, sports_staff):
    """A club on the whole hall, and the citizen Maria Muster on one third with a label that
    names her (which must never reach the public)."""
    club = make_club(sports_staff, name="SV Regensburg-Süd e.V.")
    services.booking_create(
        resource=hall["whole"],
        starts_at=local(day, 18),
        ends_at=local(day, 20),
        acting_user=sports_staff,
        organisation=club,
        public_label=club.name,
        status=BookingStatus.CONFIRMED,
    )
    services.booking_create(
        resource=hall["third2"],
        starts_at=local(day, 20),
        ends_at=local(day, 21),
        acting_user=citizen,
        public_label="Geburtstag Maria Muster",
        status=BookingStatus.CONFIRMED,
    )


def _assert_private_name_absent(text: str) -> None:
    for name in PRIVATE_NAMES:
        assert name not in text


def test_plan_page_shows_club_name_and_booked_but_no_private_name(client, hall, week, bookings):
    response = client.get(reverse("occupancy:plan", args=[hall["whole"].slug]), {"woche": week})
    assert response.status_code == 200
    html = response.content.decode()
    assert "SV Regensburg-Süd e.V." in html
    assert "belegt" in html or "booked" in html
    _assert_private_name_absent(html)
    # The third's plan shows the whole-hall booking too: the whole hall holds every third.
    third = client.get(
        reverse("occupancy:plan", args=[hall["third1"].slug]), {"woche": week}
    ).content.decode()
    assert "SV Regensburg-Süd e.V." in third
    _assert_private_name_absent(third)


def test_plan_is_an_accessible_table_with_header_cells(client, hall, week, bookings):
    html = client.get(reverse("occupancy:plan", args=[hall["whole"].slug]), {"woche": week}).content.decode()
    assert "<caption" in html
    assert html.count('scope="col"') == 4
    assert html.count('scope="row"') >= 7  # one per day at least
    assert "18:00" in html and "20:00" in html and "21:00" in html


def test_printable_plan_has_print_styles_and_no_private_name(client, hall, week, bookings):
    response = client.get(reverse("occupancy:print", args=[hall["whole"].slug]), {"woche": week})
    html = response.content.decode()
    assert response.status_code == 200
    assert "@media print" in html and "@page" in html
    assert "SV Regensburg-Süd e.V." in html
    _assert_private_name_absent(html)


def test_ical_has_club_and_booked_but_no_private_name(client, hall, week, bookings):
    response = client.get(reverse("occupancy:ical", args=[hall["whole"].slug]), {"woche": week})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    _assert_private_name_absent(body)
    summaries = sorted(str(e["summary"]) for e in Calendar.from_ical(response.content).walk("VEVENT"))
    assert len(summaries) == 2
    assert "SV Regensburg-Süd e.V." in summaries


def test_json_plan_has_club_and_booked_but_no_private_name(client, hall, week, bookings):
    response = client.get(reverse("api-booking-occupancy", args=[hall["whole"].slug]), {"week": week})
    assert response.status_code == 200
    data = response.json()
    assert data["week"] == week
    labels = [entry["label"] for entry in data["entries"]]
    assert "SV Regensburg-Süd e.V." in labels
    assert len(labels) == 2
    _assert_private_name_absent(response.content.decode())
    parts = {entry["part"] for entry in data["entries"]}
    assert "halle-drittel-2-res" in parts


def test_blocked_times_show_without_their_reason(client, hall, week, day, sports_staff):
    unit = hall["third1"].units.get()
    services.blackout_create(
        unit=unit,
        starts_at=local(day, 8),
        ends_at=local(day, 12),
        reason="Wartung durch Herrn Quaxdorf",
        acting_user=sports_staff,
    )
    html = client.get(reverse("occupancy:plan", args=[hall["third1"].slug]), {"woche": week}).content.decode()
    assert "08:00" in html
    assert "Quaxdorf" not in html


def test_unknown_week_or_staff_time_has_no_plan(client, hall, sports_office):
    assert (
        client.get(reverse("occupancy:plan", args=[hall["whole"].slug]), {"woche": "2026-W60"}).status_code
        == 404
    )
    assert (
        client.get(reverse("occupancy:plan", args=[hall["whole"].slug]), {"woche": "gestern"}).status_code
        == 404
    )
    registrar = make_resource(sports_office, "standesbeamtin", kind=ResourceKind.STAFF)
    assert client.get(reverse("occupancy:plan", args=[registrar.slug])).status_code == 404


def test_week_navigation_crosses_the_year(client, hall):
    html = client.get(
        reverse("occupancy:plan", args=[hall["whole"].slug]), {"woche": "2026-W53"}
    ).content.decode()
    assert "2027-W01" in html and "2026-W52" in html
    assert Client().get(reverse("occupancy:index")).status_code == 200


def test_week_of_the_plan_starts_on_monday_in_local_time(client, hall, sports_staff):
    # A booking on Sunday 23:00 local time is Sunday in the plan, not Monday (UTC would say 22:00).
    hall_late = make_resource(
        hall["whole"].department, "spaet", slot_minutes=None, min_minutes=60, closes=dt.time(23, 59)
    )
    day = future_workday(14)
    sunday = day + dt.timedelta(days=6 - day.weekday())
    services.booking_create(
        resource=hall_late,
        starts_at=local(sunday, 22),
        ends_at=local(sunday, 23),
        acting_user=sports_staff,
        status=BookingStatus.CONFIRMED,
    )
    year, number, _weekday = sunday.isocalendar()
    data = client.get(
        reverse("api-booking-occupancy", args=["spaet"]), {"week": f"{year}-W{number:02d}"}
    ).json()
    assert len(data["entries"]) == 1
