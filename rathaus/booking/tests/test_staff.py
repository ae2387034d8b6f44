"""The bookings back office: only staff of the resource's department."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login, make_staff, make_user
from rathaus.accounts.constants import StaffRoleKind
from rathaus.accounts.models import Department
from rathaus.booking import services
from rathaus.booking.availability import BERLIN
from rathaus.booking.constants import BookingStatus, ResourceKind, SeasonApplicationStatus
from rathaus.booking.models import Blackout, Booking, Season, SeasonApplication
from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditEntry

from .booking_factories import divisible_hall, future_workday, local, make_club, make_resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def sports_office(db):
    return Department.objects.create(code="Amt 52", name="Sportamt", name_en="Sports Office")


@pytest.fixture
def sports_staff(sports_office):
    return make_staff("sportamt@stadt.example", StaffRoleKind.CASEWORKER, sports_office)


@pytest.fixture
def staff_client(sports_staff):
    return login(Client(), sports_staff)


@pytest.fixture
def hall(sports_office):
    return divisible_hall(sports_office, max_minutes=240)


@pytest.fixture
def day():
    return future_workday(9)


@pytest.fixture
def club_booking(hall, day, sports_staff):
    club = make_club(sports_staff, name="SV Regensburg-Süd e.V.")
    return services.booking_create(
        resource=hall["third1"],
        starts_at=local(day, 18),
        ends_at=local(day, 20),
        acting_user=sports_staff,
        organisation=club,
        public_label=club.name,
        status=BookingStatus.CONFIRMED,
    )


def test_index_lists_only_the_resources_of_the_staffs_department(staff_client, hall, department):
    make_resource(department, "ordnungsamt-raum")
    html = staff_client.get(reverse("booking_staff:index")).content.decode()
    assert hall["whole"].name in html
    assert "ordnungsamt-raum" not in html


@pytest.mark.parametrize("view", ["tag", "woche", "monat"])
def test_calendar_views_list_the_bookings(staff_client, hall, day, club_booking, view):
    response = staff_client.get(
        reverse("booking_staff:calendar", args=[hall["whole"].slug]),
        {"ansicht": view, "datum": day.isoformat()},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f"#{club_booking.pk}" in html
    assert "SV Regensburg-Süd e.V." in html
    assert 'scope="row"' in html and "<caption" in html


def test_staff_of_another_department_and_citizens_are_refused(
    other_caseworker_client, citizen_client, hall, club_booking
):
    slug = hall["whole"].slug
    for url in (
        reverse("booking_staff:calendar", args=[slug]),
        reverse("booking_staff:book", args=[slug]),
        reverse("booking_staff:block", args=[slug]),
        reverse("booking_staff:booking", args=[club_booking.pk]),
    ):
        assert other_caseworker_client.get(url).status_code == 404
        assert citizen_client.get(url).status_code == 403
    assert citizen_client.get(reverse("booking_staff:index")).status_code == 403
    response = other_caseworker_client.post(
        reverse("booking_staff:cancel", args=[club_booking.pk]), {"reason": "x"}
    )
    assert response.status_code == 404
    club_booking.refresh_from_db()
    assert club_booking.status == BookingStatus.CONFIRMED
    assert AuditEntry.objects.filter(action=AuditAction.PERMISSION_DENIED).exists()


def test_anonymous_visitors_are_sent_to_the_login(client, hall):
    response = client.get(reverse("booking_staff:calendar", args=[hall["whole"].slug]))
    assert response.status_code == 302
    assert "login" in response["Location"] or "anmelden" in response["Location"]


def test_booking_on_behalf_of_a_caller_records_the_channel(staff_client, sports_staff, hall, day, citizen):
    response = staff_client.post(
        reverse("booking_staff:book", args=[hall["third2"].slug]),
        {
            "date": day.isoformat(),
            "starts": "10:00",
            "ends": "12:00",
            "channel": "phone",
            "email": citizen.email,
            "note": "",
            "paid": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    booking = Booking.objects.get()
    assert booking.channel == "phone"
    assert booking.booked_by == citizen
    assert booking.entered_by == sports_staff
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.starts_at.astimezone(BERLIN).time() == dt.time(10)


def test_booking_a_taken_time_shows_the_reason(staff_client, hall, day, club_booking):
    response = staff_client.post(
        reverse("booking_staff:book", args=[hall["whole"].slug]),
        {"date": day.isoformat(), "starts": "19:00", "ends": "20:00", "channel": "counter"},
        follow=True,
    )
    assert response.status_code == 200
    assert Booking.objects.count() == 1
    assert "kern-alert--danger" in response.content.decode()


def test_blocking_all_parts_of_the_hall(staff_client, hall, day):
    response = staff_client.post(
        reverse("booking_staff:block", args=[hall["whole"].slug]),
        {
            "unit": "all",
            "starts_at": f"{day.isoformat()}T08:00",
            "ends_at": f"{day.isoformat()}T12:00",
            "reason": "Bodenpflege",
        },
    )
    assert response.status_code == 302
    assert Blackout.objects.count() == 3


def test_registry_office_confirms_a_provisional_wedding(other_department, citizen, client):
    registrar_staff = make_staff("trauung@stadt.example", StaffRoleKind.CASEWORKER, other_department)
    room = make_resource(
        other_department, "trauzimmer", kind=ResourceKind.ROOM, slot_minutes=45, needs_confirmation=True
    )
    make_resource(other_department, "standesbeamtin", kind=ResourceKind.STAFF, slot_minutes=45)
    day = future_workday(10)
    wedding = services.wedding_book(room=room, starts_at=local(day, 9, 30), acting_user=citizen)
    assert wedding.status == BookingStatus.PROVISIONAL

    staff = login(Client(), registrar_staff)
    assert f"#{wedding.pk}" in staff.get(reverse("booking_staff:index")).content.decode()
    staff.post(reverse("booking_staff:confirm", args=[wedding.pk]))
    wedding.refresh_from_db()
    assert wedding.status == BookingStatus.CONFIRMED


def test_sports_staff_cannot_confirm_a_wedding(other_department, citizen, staff_client):
    room = make_resource(
        other_department, "trauzimmer", kind=ResourceKind.ROOM, slot_minutes=45, needs_confirmation=True
    )
    make_resource(other_department, "standesbeamtin", kind=ResourceKind.STAFF, slot_minutes=45)
    wedding = services.wedding_book(
        room=room, starts_at=local(future_workday(10), 9, 30), acting_user=citizen
    )
    assert staff_client.post(reverse("booking_staff:confirm", args=[wedding.pk])).status_code == 404
    wedding.refresh_from_db()
    assert wedding.status == BookingStatus.PROVISIONAL


def test_opening_a_private_booking_is_recorded_for_the_person(staff_client, hall, day, citizen):
    booking = services.booking_create(
        resource=hall["third3"], starts_at=local(day, 9), ends_at=local(day, 10), acting_user=citizen
    )
    html = staff_client.get(reverse("booking_staff:booking", args=[booking.pk])).content.decode()
    assert "Maria Muster" in html
    # The time reads as a date ("Montag, 07.12.2026, 09:00–10:00"), not as format letters.
    weekday = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"][day.weekday()]
    assert f"{weekday}, {day:%d.%m.%Y}, 09:00–10:00" in html, html
    assert AuditEntry.objects.filter(
        action=AuditAction.PERSONAL_DATA_READ, subject_user_id=citizen.pk, object_id=str(booking.pk)
    ).exists()
    calendar = staff_client.get(reverse("booking_staff:calendar", args=[hall["third3"].slug]), {"datum": day})
    assert "Muster" not in calendar.content.decode()


# --- the season allocation page ---------------------------------------------------------------


@pytest.fixture
def season(db):
    first = future_workday(7)
    first -= dt.timedelta(days=first.weekday())
    first += dt.timedelta(days=7)
    return Season.objects.create(
        name="Saison 2026/27", first_day=first, last_day=first + dt.timedelta(days=60)
    )


@pytest.fixture
def competing(season, hall):
    a, b = make_user("a@example.org"), make_user("b@example.org")
    first = services.season_apply(
        season=season,
        organisation=make_club(a, name="SV Regensburg-Süd e.V."),
        resource=hall["whole"],
        weekday=1,
        starts=dt.time(19),
        ends=dt.time(21),
        acting_user=a,
    )
    second = services.season_apply(
        season=season,
        organisation=make_club(b, name="TV Kumpfmühl"),
        resource=hall["third1"],
        weekday=1,
        starts=dt.time(20),
        ends=dt.time(22),
        acting_user=b,
    )
    return first, second


def test_season_page_highlights_conflicts(staff_client, season, competing, hall):
    response = staff_client.get(
        reverse("booking_staff:season", args=[season.pk]), {"anlage": hall["third1"].slug}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "SV Regensburg-Süd e.V." in html and "TV Kumpfmühl" in html
    assert html.count("rathaus-conflict") == 2
    assert f'href="#antrag-{competing[1].pk}"' in html


def test_staff_grant_and_refuse_from_the_season_page(staff_client, season, competing):
    first, second = competing
    url = reverse("booking_staff:decide", args=[first.pk])
    staff_client.post(url, {f"a{first.pk}-decision": "grant"})
    staff_client.post(
        reverse("booking_staff:decide", args=[second.pk]),
        {f"a{second.pk}-decision": "refuse", f"a{second.pk}-reason": "Halle schon vergeben"},
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == SeasonApplicationStatus.GRANTED
    assert first.bookings.count() > 0
    assert second.status == SeasonApplicationStatus.REFUSED
    assert second.decision_reason == "Halle schon vergeben"


def test_staff_of_another_department_cannot_decide_on_the_page(other_caseworker_client, season, competing):
    first, _second = competing
    response = other_caseworker_client.post(
        reverse("booking_staff:decide", args=[first.pk]), {f"a{first.pk}-decision": "grant"}
    )
    assert response.status_code == 404
    assert SeasonApplication.objects.get(pk=first.pk).status == SeasonApplicationStatus.SUBMITTED
    assert not Booking.objects.exists()


def test_cancel_and_move_a_single_season_date_from_the_booking_page(
    staff_client, season, competing, sports_staff
):
    first, _second = competing
    services.season_application_decide(application=first, acting_user=sports_staff, decision="grant")
    one, two = first.bookings.order_by("starts_at")[:2]
    staff_client.post(reverse("booking_staff:cancel", args=[one.pk]), {"reason": "Turnier"})
    one.refresh_from_db()
    assert one.status == BookingStatus.CANCELLED
    new_day = two.starts_at.astimezone(BERLIN).date() + dt.timedelta(days=1)
    response = staff_client.post(
        reverse("booking_staff:swap", args=[two.pk]),
        {"date": new_day.isoformat(), "starts": "17:00", "ends": "19:00"},
    )
    two.refresh_from_db()
    assert two.status == BookingStatus.CANCELLED
    moved = first.bookings.get(starts_at=local(new_day, 17))
    assert response["Location"] == reverse("booking_staff:booking", args=[moved.pk])
