"""Booking use cases: status and fee, the divisible hall, weddings, cancelling, expiry,
blackouts, permissions — and a property test that no unit is ever held twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rathaus.booking.constants import Audience, BookingStatus, ResourceKind
from rathaus.booking.errors import BookingError
from rathaus.booking.models import Blackout, Booking, Occupancy
from rathaus.booking.services import (
    blackout_create,
    booking_cancel,
    booking_confirm,
    booking_create,
    booking_mark_paid,
    bookings_expire,
    wedding_book,
)
from rathaus.booking.tasks import expire_bookings
from rathaus.core.models import AuditEntry

from .booking_factories import divisible_hall, future_workday, local, make_club, make_resource, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def day():
    return future_workday(7)


@pytest.fixture
def court(department):
    return make_resource(department, "tennisplatz", buffer_minutes=0)


def book(resource, day, start, end, user, **kwargs):
    return booking_create(
        resource=resource, starts_at=local(day, *start), ends_at=local(day, *end), acting_user=user, **kwargs
    )


def overlapping_active_occupancies():
    """Pairs of active occupancies of one unit whose ranges overlap (must always be empty)."""
    clash = Occupancy.objects.filter(
        unit_id=OuterRef("unit_id"),
        active=True,
        starts_at__lt=OuterRef("ends_at"),
        ends_at__gt=OuterRef("starts_at"),
    ).exclude(pk=OuterRef("pk"))
    return Occupancy.objects.filter(active=True).filter(Exists(clash))


def test_free_booking_is_confirmed_holds_its_unit_and_is_audited(court, citizen, day):
    booking = book(court, day, (9,), (10,), citizen)
    assert booking.status == BookingStatus.CONFIRMED and booking.fee == 0 and booking.expires_at is None
    assert booking.booked_by == citizen
    assert list(booking.occupancies.values_list("unit__code", "active")) == [("tennisplatz", True)]
    entry = AuditEntry.objects.get(action="booking_created", object_id=str(booking.pk))
    assert entry.subject_user_id == citizen.pk


def test_fee_is_flat_plus_hourly_and_waits_for_payment(department, citizen, day):
    resource = make_resource(
        department, "saal", slot_minutes=None, fee_flat=Decimal("5.00"), fee_per_hour=Decimal("12.00"),
        buffer_minutes=15, payment_minutes=30,
    )  # fmt: skip
    before = timezone.now()
    booking = book(resource, day, (9,), (10, 30), citizen)
    assert booking.fee == Decimal("23.00")
    assert booking.status == BookingStatus.PAYMENT_PENDING
    assert (
        before + dt.timedelta(minutes=30) <= booking.expires_at <= timezone.now() + dt.timedelta(minutes=30)
    )
    assert booking.occupancies.get().ends_at == local(day, 10, 45), "the buffer is held too"
    booking_mark_paid(booking=booking, reference="PAY-1")
    assert booking.status == BookingStatus.CONFIRMED and booking.expires_at is None


def test_provisional_booking_is_confirmed_by_staff_only(department, citizen, caseworker, day):
    resource = make_resource(department, "trauzimmer", kind=ResourceKind.ROOM, needs_confirmation=True)
    booking = book(resource, day, (9,), (10,), citizen)
    assert booking.status == BookingStatus.PROVISIONAL
    with pytest.raises(PermissionDenied):
        booking_confirm(booking=booking, acting_user=citizen)
    booking_confirm(booking=booking, acting_user=caseworker)
    assert booking.status == BookingStatus.CONFIRMED
    with pytest.raises(BookingError) as caught:
        booking_confirm(booking=booking, acting_user=caseworker)
    assert caught.value.code == "invalid"


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [((22,), (23,), "outside_hours"), ((9,), (11,), "wrong_length"), ((9,), (10,), "blackout")],
)
def test_bad_requests_are_refused_and_nothing_is_written(court, citizen, day, start, end, code):
    Blackout.objects.create(
        unit=court.units.get(), starts_at=local(day, 9), ends_at=local(day, 10), reason="x"
    )
    audit_before = AuditEntry.objects.count()
    with pytest.raises(BookingError) as caught:
        book(court, day, start, end, citizen)
    assert caught.value.code == code
    assert not Booking.objects.exists() and not Occupancy.objects.exists()
    assert AuditEntry.objects.count() == audit_before


def test_past_and_beyond_horizon_are_refused(court, citizen):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(BookingError) as caught:
        book(court, yesterday, (9,), (10,), citizen)
    assert caught.value.code == "past"
    far = future_workday(court.horizon_days + 5)
    with pytest.raises(BookingError) as caught:
        book(court, far, (9,), (10,), citizen)
    assert caught.value.code == "beyond_horizon"
    assert not Booking.objects.exists()


def test_counter_staff_may_book_at_short_notice_for_a_citizen(court, caseworker, citizen, day):
    court.min_lead_hours = 24 * 30
    court.save()
    with pytest.raises(BookingError):
        book(court, day, (9,), (10,), citizen)
    booking = book(court, day, (9,), (10,), caseworker, on_behalf_of=citizen, channel="counter")
    assert booking.booked_by == citizen and booking.entered_by == caseworker
    with pytest.raises(BookingError) as caught:
        book(court, day, (9,), (10,), caseworker, on_behalf_of=citizen, channel="counter")
    assert caught.value.code == "taken"


# --- the divisible hall -------------------------------------------------------------------------


@pytest.fixture
def hall(department):
    return divisible_hall(department)


def test_a_third_then_the_whole_hall_is_taken(hall, citizen, day):
    book(hall["third1"], day, (18,), (20,), citizen)
    with pytest.raises(BookingError) as caught:
        book(hall["whole"], day, (19,), (21,), citizen)
    assert caught.value.code == "taken"


def test_the_whole_hall_then_a_third_is_taken(hall, citizen, day):
    book(hall["whole"], day, (18,), (20,), citizen)
    for name in ("third1", "third2", "third3"):
        with pytest.raises(BookingError) as caught:
            book(hall[name], day, (19,), (20,), citizen)
        assert caught.value.code == "taken"


def test_two_different_thirds_at_the_same_time(hall, citizen, other_citizen, day):
    book(hall["third1"], day, (18,), (20,), citizen)
    book(hall["third2"], day, (18,), (20,), other_citizen)
    assert Occupancy.objects.filter(active=True).count() == 2
    assert not overlapping_active_occupancies().exists()


# --- weddings: room and registrar, both or neither ---------------------------------------------


@pytest.fixture
def wedding(other_department):
    rooms = [
        make_resource(other_department, slug, kind=ResourceKind.ROOM, slot_minutes=45, buffer_minutes=15)
        for slug in ("trauzimmer-altes-rathaus", "trausaal-schloss")
    ]
    registrar = make_resource(
        other_department, "standesbeamtin-1", kind=ResourceKind.STAFF, audience=Audience.STAFF
    )
    return {"rooms": rooms, "registrar": registrar}


def test_wedding_holds_the_room_and_a_registrar(wedding, citizen, day):
    booking = wedding_book(room=wedding["rooms"][0], starts_at=local(day, 10), acting_user=citizen)
    assert booking.ends_at == local(day, 10, 45)
    held = set(booking.occupancies.values_list("unit__code", flat=True))
    assert held == {"trauzimmer-altes-rathaus", "standesbeamtin-1"}


def test_no_registrar_free_means_nothing_is_written(wedding, citizen, other_citizen, day):
    wedding_book(room=wedding["rooms"][0], starts_at=local(day, 10), acting_user=citizen)
    with pytest.raises(BookingError) as caught:
        wedding_book(room=wedding["rooms"][1], starts_at=local(day, 10), acting_user=other_citizen)
    assert caught.value.code == "taken"
    assert Booking.objects.count() == 1 and Occupancy.objects.count() == 2
    second_registrar = make_resource(
        wedding["registrar"].department, "standesbeamter-2", kind=ResourceKind.STAFF, audience=Audience.STAFF
    )
    booking = wedding_book(room=wedding["rooms"][1], starts_at=local(day, 10), acting_user=other_citizen)
    assert "standesbeamter-2" in set(booking.occupancies.values_list("unit__code", flat=True))
    assert second_registrar


def test_registrar_on_leave_is_not_picked(wedding, citizen, caseworker, day):
    unit = wedding["registrar"].units.get()
    Blackout.objects.create(unit=unit, starts_at=local(day, 0), ends_at=local(day, 23), reason="Urlaub")
    with pytest.raises(BookingError):
        wedding_book(room=wedding["rooms"][0], starts_at=local(day, 10), acting_user=citizen)
    assert not Booking.objects.exists()


# --- cancelling and expiry ------------------------------------------------------------------------


def test_booker_cancels_before_the_deadline_and_frees_the_slot(court, citizen, other_citizen, day):
    booking = book(court, day, (9,), (10,), citizen)
    booking_cancel(booking=booking, acting_user=citizen, reason="krank")
    assert booking.status == BookingStatus.CANCELLED and booking.cancelled_at is not None
    assert not booking.occupancies.filter(active=True).exists()
    book(court, day, (9,), (10,), other_citizen)


def test_cancel_deadline_binds_the_booker_but_not_staff(court, citizen, caseworker, day):
    booking = book(court, day, (9,), (10,), citizen)
    court.cancel_hours = 24 * 30
    court.save()
    with pytest.raises(BookingError) as caught:
        booking_cancel(booking=booking, acting_user=citizen)
    assert caught.value.code == "cancel_deadline"
    booking_cancel(booking=booking, acting_user=caseworker)
    assert booking.status == BookingStatus.CANCELLED
    with pytest.raises(BookingError) as caught:
        booking_cancel(booking=booking, acting_user=caseworker)
    assert caught.value.code == "invalid"


def test_second_citizen_cannot_cancel(court, citizen, other_citizen, day):
    booking = book(court, day, (9,), (10,), citizen)
    with pytest.raises(PermissionDenied):
        booking_cancel(booking=booking, acting_user=other_citizen)
    assert Booking.objects.get().status == BookingStatus.CONFIRMED


def test_organisation_members_may_cancel_the_clubs_booking(department, citizen, other_citizen, day):
    resource = make_resource(department, "vereinsheim", audience=Audience.ORGANISATIONS)
    club = make_club(citizen, other_citizen)
    booking = book(resource, day, (9,), (10,), citizen, organisation=club, public_label="TSV")
    assert other_citizen.has_perm("booking.view_booking", booking)
    booking_cancel(booking=booking, acting_user=other_citizen)


def test_organisation_only_resource_refuses_a_private_citizen(department, citizen, day):
    resource = make_resource(department, "vereinsheim", audience=Audience.ORGANISATIONS)
    with pytest.raises(BookingError) as caught:
        book(resource, day, (9,), (10,), citizen)
    assert caught.value.code == "not_allowed"
    assert not Booking.objects.exists()


def test_expiry_frees_the_slot(department, citizen, other_citizen, day):
    resource = make_resource(department, "grillplatz", fee_flat=Decimal("10"), payment_minutes=30)
    booking = book(resource, day, (9,), (10,), citizen)
    assert bookings_expire(now=timezone.now()) == 0
    assert bookings_expire(now=timezone.now() + dt.timedelta(minutes=31)) == 1
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    book(resource, day, (9,), (10,), other_citizen)
    with pytest.raises(BookingError):
        booking_mark_paid(booking=booking, reference="late")


def test_expire_task_runs_the_service(department, citizen, day):
    resource = make_resource(department, "grillplatz", fee_flat=Decimal("10"), payment_minutes=0)
    book(resource, day, (9,), (10,), citizen)
    assert expire_bookings.call() == 1


# --- blackouts ----------------------------------------------------------------------------------------


def test_blackout_refuses_overlap_unless_forced_and_lists_conflicts(court, citizen, caseworker, day):
    booking = book(court, day, (9,), (10,), citizen)
    unit = court.units.get()
    kwargs = {"unit": unit, "starts_at": local(day, 8), "ends_at": local(day, 12), "reason": "Wartung"}
    with pytest.raises(PermissionDenied):
        blackout_create(acting_user=citizen, **kwargs)
    with pytest.raises(BookingError) as caught:
        blackout_create(acting_user=caseworker, **kwargs)
    assert caught.value.conflicts == [booking] and not Blackout.objects.exists()
    blackout = blackout_create(acting_user=caseworker, force=True, **kwargs)
    assert blackout.conflicts == [booking]
    with pytest.raises(BookingError) as caught:
        book(court, day, (11,), (12,), citizen)
    assert caught.value.code == "blackout"


# --- property: no unit is ever held twice -------------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    attempts=st.lists(
        st.tuples(
            st.sampled_from(["whole", "third1", "third2", "third3"]),
            st.integers(min_value=8 * 4, max_value=20 * 4),  # start in quarter hours
            st.integers(min_value=4, max_value=12),  # length in quarter hours
            st.booleans(),  # cancel right away?
        ),
        min_size=1,
        max_size=12,
    )
)
def test_random_booking_attempts_never_overlap_per_unit(department, citizen, attempts):
    day = future_workday(7)
    with transaction.atomic():
        hall = divisible_hall(department, buffer_minutes=15, max_minutes=240)
        make_unit("unused")
        for name, start, length, cancel in attempts:
            starts_at = local(day, 0) + dt.timedelta(minutes=15 * start)
            try:
                booking = booking_create(
                    resource=hall[name],
                    starts_at=starts_at,
                    ends_at=starts_at + dt.timedelta(minutes=15 * length),
                    acting_user=citizen,
                )
            except BookingError:
                continue
            if cancel:
                booking_cancel(booking=booking, acting_user=citizen)
        assert not overlapping_active_occupancies().exists()
        assert not Occupancy.objects.filter(active=True, starts_at__gte=F("ends_at")).exists()
        transaction.set_rollback(True)
