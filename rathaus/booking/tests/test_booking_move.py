"""Moving (rebooking) a booking to another free time of the same resource: one transaction that
books the new time and frees the old one, or changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from rathaus.booking import services
from rathaus.booking.constants import BookingStatus
from rathaus.booking.errors import BookingError
from rathaus.booking.models import Booking, Occupancy

from .booking_factories import future_workday, local, make_club, make_resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def day():
    return future_workday(3)


@pytest.fixture
def court(department):
    return make_resource(
        department, "tennisplatz-west", fee_per_hour=Decimal("12.00"), payment_minutes=30, cancel_hours=24
    )


@pytest.fixture
def booking(court, citizen, day):
    return services.booking_create(
        resource=court, starts_at=local(day, 10), ends_at=local(day, 11), acting_user=citizen
    )


def _move(client, booking, starts_at, ends_at, **kwargs):
    return client.post(
        f"/buchen/meine/{booking.pk}/verschieben/",
        {"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()},
        **kwargs,
    )


def _active_starts(resource):
    return sorted(
        Occupancy.objects.filter(booking__resource=resource, active=True).values_list("starts_at", flat=True)
    )


def test_booking_page_offers_move_buttons(citizen_client, booking, day):
    page = citizen_client.get(f"/buchen/meine/{booking.pk}/").content.decode()
    assert f'action="/buchen/meine/{booking.pk}/verschieben/"' in page
    assert f'name="starts_at" value="{local(day, 14).isoformat()}"' in page
    assert f'name="starts_at" value="{local(day, 10).isoformat()}"' not in page  # its own time
    assert 'id="woche-status"' in page


def test_week_paging_on_the_booking_page_swaps_only_the_week(citizen_client, booking, day):
    monday = day - dt.timedelta(days=day.weekday()) + dt.timedelta(days=7)
    response = citizen_client.get(f"/buchen/meine/{booking.pk}/?ab={monday}", HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert page.startswith('<section id="woche"')
    assert f'hx-get="/buchen/meine/{booking.pk}/?ab=' in page
    assert f'action="/buchen/meine/{booking.pk}/verschieben/"' in page


def test_move_succeeds_and_frees_the_old_slot(citizen_client, citizen, booking, court, day):
    response = _move(citizen_client, booking, local(day, 14), local(day, 15))

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    moved = Booking.objects.exclude(pk=booking.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/buchen/meine/{moved.pk}/"
    assert (moved.starts_at, moved.ends_at) == (local(day, 14), local(day, 15))
    assert moved.resource == court and moved.booked_by == citizen and moved.channel == booking.channel
    assert moved.fee == Decimal("12.00") and moved.status == BookingStatus.PAYMENT_PENDING
    assert _active_starts(court) == [local(day, 14)]
    # The old time is free again: somebody else can book it.
    services.booking_create(
        resource=court, starts_at=local(day, 10), ends_at=local(day, 11), acting_user=citizen
    )


def test_move_keeps_organisation_and_a_paid_booking_stays_paid(citizen, department, day):
    club = make_club(citizen, name="TC Rot-Weiß")
    court = make_resource(department, "platz-2", fee_per_hour=Decimal("10.00"))
    booking = services.booking_create(
        resource=court,
        starts_at=local(day, 9),
        ends_at=local(day, 10),
        acting_user=citizen,
        organisation=club,
        public_label=club.name,
    )
    services.booking_mark_paid(booking=booking)

    moved = services.booking_move(
        booking=booking, new_starts_at=local(day, 17), new_ends_at=local(day, 18), acting_user=citizen
    )

    assert moved.organisation == club and moved.public_label == club.name
    assert moved.fee == Decimal("10.00") and moved.status == BookingStatus.CONFIRMED
    assert booking.status == BookingStatus.CANCELLED


def test_move_may_overlap_its_own_old_time_and_recomputes_the_fee(citizen, department, day):
    hall = make_resource(
        department,
        "halle-frei",
        slot_minutes=None,
        min_minutes=60,
        max_minutes=180,
        fee_per_hour=Decimal("10.00"),
    )
    booking = services.booking_create(
        resource=hall, starts_at=local(day, 10), ends_at=local(day, 12), acting_user=citizen
    )
    assert booking.fee == Decimal("20.00")
    moved = services.booking_move(
        booking=booking, new_starts_at=local(day, 11), new_ends_at=local(day, 14), acting_user=citizen
    )
    assert _active_starts(hall) == [local(day, 11)]
    assert moved.starts_at == local(day, 11)
    assert moved.fee == Decimal("30.00")  # three hours now


def test_move_to_a_taken_slot_leaves_the_booking_intact(citizen_client, other_citizen, booking, court, day):
    services.booking_create(
        resource=court, starts_at=local(day, 14), ends_at=local(day, 15), acting_user=other_citizen
    )
    before = Booking.objects.count()

    response = _move(citizen_client, booking, local(day, 14), local(day, 15), follow=True)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.PAYMENT_PENDING
    assert Booking.objects.count() == before
    assert _active_starts(court) == [local(day, 10), local(day, 14)]
    assert 'role="alert"' in response.content.decode()
    with pytest.raises(BookingError) as taken:
        services.booking_move(
            booking=booking,
            new_starts_at=local(day, 14),
            new_ends_at=local(day, 15),
            acting_user=booking.booked_by,
        )
    assert taken.value.code == "taken"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PAYMENT_PENDING
    assert booking.occupancies.get().active


def test_move_after_the_cancel_deadline_is_refused(citizen_client, citizen, department):
    court = make_resource(
        department, "platz-kurzfristig", cancel_hours=48, opens=dt.time(0), closes=dt.time(23, 59)
    )
    # Inside the 48-hour deadline at any time of day: tomorrow morning ("now + 3 hours" ran past
    # midnight in the evening, outside the opening hours).
    soon = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(10)))
    booking = services.booking_create(
        resource=court, starts_at=soon, ends_at=soon + dt.timedelta(hours=1), acting_user=citizen
    )
    page = citizen_client.get(f"/buchen/meine/{booking.pk}/").content.decode()
    assert "/verschieben/" not in page

    later = soon + dt.timedelta(days=5)
    response = _move(citizen_client, booking, later, later + dt.timedelta(hours=1), follow=True)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert Booking.objects.count() == 1
    assert 'role="alert"' in response.content.decode()
    with pytest.raises(BookingError) as refused:
        services.booking_move(
            booking=booking,
            new_starts_at=later,
            new_ends_at=later + dt.timedelta(hours=1),
            acting_user=citizen,
        )
    assert refused.value.code == "cancel_deadline"


def test_another_citizen_cannot_move_it(other_citizen_client, booking, day):
    assert other_citizen_client.get(f"/buchen/meine/{booking.pk}/").status_code == 404
    response = _move(other_citizen_client, booking, local(day, 14), local(day, 15))
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PAYMENT_PENDING
    assert Booking.objects.count() == 1


def test_anonymous_is_sent_to_login(client, booking, day):
    response = _move(client, booking, local(day, 14), local(day, 15))
    assert response.status_code == 302 and "/konto/" in response["Location"]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PAYMENT_PENDING


def test_cancelled_booking_cannot_be_moved(citizen_client, citizen, booking, day):
    services.booking_cancel(booking=booking, acting_user=citizen)
    page = citizen_client.get(f"/buchen/meine/{booking.pk}/").content.decode()
    assert "/verschieben/" not in page
    _move(citizen_client, booking, local(day, 14), local(day, 15))
    assert Booking.objects.count() == 1
