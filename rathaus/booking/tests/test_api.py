"""Bookings API: public reads, booking and cancelling, errors by code, the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import make_staff
from rathaus.accounts.constants import StaffRoleKind
from rathaus.accounts.models import Department
from rathaus.booking import services
from rathaus.booking.constants import BookingStatus, ResourceKind
from rathaus.booking.models import Booking

from .booking_factories import future_workday, local, make_club, make_resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def parks_office(db):
    return Department.objects.create(code="Amt 67", name="Gartenamt", name_en="Parks Office")


@pytest.fixture
def grill(parks_office):
    return make_resource(
        parks_office,
        "grillplatz-westbad",
        kind=ResourceKind.LEISURE,
        slot_minutes=None,
        min_minutes=120,
        max_minutes=360,
    )


@pytest.fixture
def day():
    return future_workday(5)


@pytest.fixture
def api(citizen):
    client = APIClient()
    client.force_authenticate(citizen)
    return client


def _book(api, grill, day, start=12, end=14, **extra):
    return api.post(
        reverse("api-booking-create"),
        {
            "resource": grill.slug,
            "starts_at": local(day, start).isoformat(),
            "ends_at": local(day, end).isoformat(),
            **extra,
        },
        format="json",
    )


def test_resources_and_free_slots_are_public(client, grill, day):
    make_resource(grill.department, "registrar", kind=ResourceKind.STAFF)
    resources = client.get(reverse("api-booking-resources")).json()
    slugs = [r["slug"] for r in (resources["results"] if isinstance(resources, dict) else resources)]
    assert slugs == ["grillplatz-westbad"]
    response = client.get(
        reverse("api-booking-free-slots", args=[grill.slug]),
        {"from": day.isoformat(), "to": day.isoformat(), "duration": 120},
    )
    assert response.status_code == 200
    slots = response.json()
    assert slots and slots[0]["minutes"] >= 120
    assert (
        client.get(reverse("api-booking-free-slots", args=[grill.slug]), {"duration": "lang"}).status_code
        == 400
    )


def test_book_and_cancel(api, grill, day, citizen):
    response = _book(api, grill, day)
    assert response.status_code == 201, response.json()
    booking = Booking.objects.get(pk=response.json()["id"])
    assert booking.booked_by == citizen
    assert booking.channel == "online"
    cancelled = api.post(reverse("api-booking-cancel", args=[booking.pk]), {"reason": "Regen"}, format="json")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == BookingStatus.CANCELLED


def test_taken_time_answers_409_with_the_code(api, grill, day, other_citizen):
    assert _book(api, grill, day).status_code == 201
    other = APIClient()
    other.force_authenticate(other_citizen)
    response = _book(other, grill, day, start=13, end=15)
    assert response.status_code == 409
    assert response.json()["code"] == "taken"
    assert response.json()["detail"]
    assert Booking.objects.count() == 1


def test_other_refusals_answer_400_with_the_code(api, grill, day):
    response = _book(api, grill, day, start=12, end=13)  # shorter than the minimum
    assert response.status_code == 400
    assert response.json()["code"] == "wrong_length"
    assert _book(api, grill, day, start=12, end=14, organisation=999).status_code == 400


def test_booking_for_a_club_labels_it_with_the_club_name(api, grill, day, citizen):
    club = make_club(citizen, name="Gartenfreunde e.V.")
    response = _book(api, grill, day, organisation=club.pk)
    assert response.status_code == 201
    assert Booking.objects.get().public_label == "Gartenfreunde e.V."


def test_cannot_cancel_someone_elses_booking(api, grill, day, other_citizen):
    response = _book(api, grill, day)
    other = APIClient()
    other.force_authenticate(other_citizen)
    assert other.post(reverse("api-booking-cancel", args=[response.json()["id"]])).status_code == 404
    assert Booking.objects.get().status != BookingStatus.CANCELLED


def test_anonymous_cannot_book(client, grill, day):
    response = client.post(
        reverse("api-booking-create"),
        {
            "resource": grill.slug,
            "starts_at": local(day, 12).isoformat(),
            "ends_at": local(day, 14).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code in (401, 403)
    assert not Booking.objects.exists()


def test_occupancy_json_names_clubs_only(client, grill, day, citizen):
    staff = make_staff("gartenamt@stadt.example", StaffRoleKind.CASEWORKER, grill.department)
    club = make_club(staff, name="Gartenfreunde e.V.")
    services.booking_create(
        resource=grill,
        starts_at=local(day, 10),
        ends_at=local(day, 12),
        acting_user=staff,
        organisation=club,
        public_label=club.name,
    )
    services.booking_create(
        resource=grill, starts_at=local(day, 15), ends_at=local(day, 17), acting_user=citizen
    )
    year, week, _weekday = day.isocalendar()
    response = client.get(
        reverse("api-booking-occupancy", args=[grill.slug]), {"week": f"{year}-W{week:02d}"}
    )
    labels = [e["label"] for e in response.json()["entries"]]
    assert labels[0] == "Gartenfreunde e.V."
    assert len(labels) == 2 and labels[1] != "Gartenfreunde e.V."
    assert "Muster" not in response.content.decode()


def test_schema_contains_the_booking_endpoints(client):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/booking/resources/",
        "/api/v1/booking/resources/{slug}/",
        "/api/v1/booking/resources/{slug}/free-slots/",
        "/api/v1/booking/resources/{slug}/occupancy/",
        "/api/v1/booking/bookings/",
        "/api/v1/booking/bookings/{id}/cancel/",
    ):
        assert path in paths, path
    responses = paths["/api/v1/booking/bookings/"]["post"]["responses"]
    assert {"201", "400", "409"} <= set(responses)
