"""Citizen booking pages: week view, booking flow, "Meine Buchungen", cancelling, iCal, the
wedding calendar and course pages — with the permission checks for strangers and anonymous."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from rathaus.booking.constants import Audience, BookingStatus, EnrollmentStatus, ResourceKind
from rathaus.booking.models import Booking, Enrollment
from rathaus.booking.services import booking_confirm, booking_create, course_register, enrollment_cancel
from rathaus.core.models import AuditEntry

from .booking_factories import future_workday, local, make_resource
from .test_courses import make_course

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
    return booking_create(
        resource=court, starts_at=local(day, 10), ends_at=local(day, 11), acting_user=citizen
    )


def _week_param(day: dt.date) -> str:
    return (day - dt.timedelta(days=day.weekday())).isoformat()


# --- resources and the week view ----------------------------------------------------------------


def test_resources_are_listed_by_kind(client, court, department):
    make_resource(department, "grillplatz", kind=ResourceKind.LEISURE)
    make_resource(department, "nur-intern", audience=Audience.STAFF)
    page = client.get("/buchen/").content.decode()
    assert "tennisplatz-west" in page and "grillplatz" in page
    assert "nur-intern" not in page
    assert page.count("<h2") >= 2


def test_week_view_offers_free_slots_as_buttons(citizen_client, court, day):
    page = citizen_client.get(f"/buchen/{court.slug}/?ab={_week_param(day)}").content.decode()
    assert '<th class="kern-table__header" scope="row">' in page
    assert f'value="{local(day, 19).isoformat()}"' in page
    assert 'id="woche-status" role="status" aria-live="polite">' in page


def test_times_within_the_free_cancellation_period_are_marked_before_booking(citizen_client, department, day):
    court = make_resource(
        department, "platz-kurzfristig", fee_per_hour=Decimal("12.00"), cancel_hours=24 * 30
    )
    page = citizen_client.get(f"/buchen/{court.slug}/?ab={_week_param(day)}").content.decode()
    assert "(keine kostenlose Stornierung)" in page and 'id="woche-spaet"' in page
    response = citizen_client.post(
        f"/buchen/{court.slug}/buchen/",
        {"starts_at": local(day, 10).isoformat(), "ends_at": local(day, 11).isoformat()},
        follow=True,
    )
    assert "nicht mehr kostenlos online storniert werden" in response.content.decode()


def test_times_outside_the_free_cancellation_period_are_not_marked(citizen_client, court):
    # A week whose Monday is more than the 24 hours of free cancellation away, whatever today is
    # (the week of ``day`` can start tomorrow).
    day = future_workday(8)
    page = citizen_client.get(f"/buchen/{court.slug}/?ab={_week_param(day)}").content.decode()
    assert "keine kostenlose Stornierung" not in page and 'id="woche-spaet"' not in page
    response = citizen_client.post(
        f"/buchen/{court.slug}/buchen/",
        {"starts_at": local(day, 10).isoformat(), "ends_at": local(day, 11).isoformat()},
        follow=True,
    )
    assert response.status_code == 200 and "kostenlos online storniert" not in response.content.decode()


def test_free_duration_resource_offers_a_duration_choice(client, department, day):
    hall = make_resource(department, "halle-frei", slot_minutes=None, min_minutes=60, max_minutes=180)
    page = client.get(f"/buchen/{hall.slug}/?ab={_week_param(day)}&dauer=120").content.decode()
    assert '<label class="kern-label" for="dauer">' in page
    assert '<option value="120" selected>' in page


def test_week_paging_by_htmx_swaps_only_the_week(client, court, day):
    monday = dt.date.fromisoformat(_week_param(day)) + dt.timedelta(days=7)
    response = client.get(f"/buchen/{court.slug}/?ab={monday}", HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert page.startswith('<section id="woche"')
    assert "<html" not in page
    assert 'id="woche-status" role="status" aria-live="polite" hx-swap-oob="true"' in page


def test_anonymous_sees_times_but_must_log_in_to_book(client, court, day):
    page = client.get(f"/buchen/{court.slug}/?ab={_week_param(day)}").content.decode()
    assert '<form method="post"' not in page
    response = client.post(
        f"/buchen/{court.slug}/buchen/",
        {"starts_at": local(day, 19).isoformat(), "ends_at": local(day, 20).isoformat()},
    )
    assert response.status_code == 302 and "/konto/" in response["Location"]
    assert not Booking.objects.exists()


# --- booking flow -------------------------------------------------------------------------------


def test_booking_a_free_slot_shows_fee_payment_time_and_appears_in_my_bookings(citizen_client, court, day):
    response = citizen_client.post(
        f"/buchen/{court.slug}/buchen/",
        {"starts_at": local(day, 19).isoformat(), "ends_at": local(day, 20).isoformat()},
        follow=True,
    )
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.PAYMENT_PENDING
    page = response.content.decode()
    assert "12,00" in page or "12.00" in page
    assert timezone.localtime(booking.expires_at).strftime("%H:%M") in page
    assert "disabled" in page and 'aria-describedby="bezahlen-hinweis"' in page

    mine = citizen_client.get("/buchen/meine/").content.decode()
    assert f"/buchen/meine/{booking.pk}/" in mine
    assert f"/buchen/meine/{booking.pk}/kalender.ics" in mine


def test_taken_slot_is_refused_with_a_message(citizen_client, other_citizen, court, day):
    booking_create(
        resource=court, starts_at=local(day, 19), ends_at=local(day, 20), acting_user=other_citizen
    )
    response = citizen_client.post(
        f"/buchen/{court.slug}/buchen/",
        {"starts_at": local(day, 19).isoformat(), "ends_at": local(day, 20).isoformat()},
        follow=True,
    )
    assert Booking.objects.count() == 1
    assert 'role="alert"' in response.content.decode()


def test_leisure_facility_is_booked_at_once(citizen_client, department, day):
    grill = make_resource(department, "grillplatz-westbad", kind=ResourceKind.LEISURE, slot_minutes=120)
    citizen_client.post(
        f"/buchen/{grill.slug}/buchen/",
        {"starts_at": local(day, 10).isoformat(), "ends_at": local(day, 12).isoformat()},
    )
    assert Booking.objects.get(resource=grill).status == BookingStatus.CONFIRMED


# --- who sees a booking ------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "kalender.ics"])
def test_second_citizen_and_other_department_get_404(
    booking, other_citizen_client, other_caseworker_client, suffix
):
    for client in (other_citizen_client, other_caseworker_client):
        assert client.get(f"/buchen/meine/{booking.pk}/{suffix}").status_code == 404
    assert AuditEntry.objects.filter(action="permission_denied").count() == 2


def test_stranger_cannot_cancel(booking, other_citizen_client):
    assert other_citizen_client.post(f"/buchen/meine/{booking.pk}/stornieren/").status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PAYMENT_PENDING


def test_anonymous_is_sent_to_login(client, booking):
    for url in ("/buchen/meine/", f"/buchen/meine/{booking.pk}/", f"/buchen/meine/{booking.pk}/kalender.ics"):
        response = client.get(url)
        assert response.status_code == 302 and "/konto/" in response["Location"]


def test_staff_of_the_department_see_the_booking(booking, caseworker_client):
    assert caseworker_client.get(f"/buchen/meine/{booking.pk}/").status_code == 200


# --- cancelling -----------------------------------------------------------------------------------


def test_cancel_before_the_deadline(citizen_client, booking):
    response = citizen_client.post(f"/buchen/meine/{booking.pk}/stornieren/", follow=True)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert 'role="status"' in response.content.decode()


def test_cancel_after_the_deadline_is_refused_with_a_message(citizen_client, citizen, department):
    court = make_resource(
        department, "platz-kurzfristig", cancel_hours=48, opens=dt.time(0), closes=dt.time(23, 59)
    )
    # Inside the 48-hour deadline at any time of day: tomorrow morning ("now + 3 hours" ran past
    # midnight in the evening, outside the opening hours).
    soon = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(10)))
    booking = booking_create(
        resource=court, starts_at=soon, ends_at=soon + dt.timedelta(hours=1), acting_user=citizen
    )
    page = citizen_client.get(f"/buchen/meine/{booking.pk}/").content.decode()
    assert f'action="/buchen/meine/{booking.pk}/stornieren/"' not in page

    response = citizen_client.post(f"/buchen/meine/{booking.pk}/stornieren/", follow=True)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "deadline" in page.lower() or "frist" in page.lower()


# --- iCal download ------------------------------------------------------------------------------


def test_ical_download_parses_back(citizen_client, booking, day):
    response = citizen_client.get(f"/buchen/meine/{booking.pk}/kalender.ics")
    assert response["Content-Type"].startswith("text/calendar")
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event.decoded("DTSTART").hour == 10


# --- wedding calendar ---------------------------------------------------------------------------


@pytest.fixture
def wedding_room(other_department):
    other_department.email = "standesamt@stadt.example"
    other_department.save()
    make_resource(other_department, "standesbeamtin-1", kind=ResourceKind.STAFF, audience=Audience.STAFF)
    return make_resource(
        other_department,
        "trauzimmer-altes-rathaus",
        kind=ResourceKind.ROOM,
        slot_minutes=45,
        buffer_minutes=15,
        needs_confirmation=True,
    )


def test_wedding_page_lists_rooms_of_the_registry_office(client, wedding_room, department):
    make_resource(department, "besprechungsraum", kind=ResourceKind.ROOM)  # no registrars: not for weddings
    page = client.get("/buchen/trauung/").content.decode()
    assert "trauzimmer-altes-rathaus" in page
    assert "besprechungsraum" not in page
    assert "<legend" in page


def test_wedding_reservation_is_provisional_until_the_office_confirms(
    citizen_client, citizen, wedding_room, other_caseworker, day, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = citizen_client.post(
            f"/buchen/trauung/{wedding_room.slug}/reservieren/", {"starts_at": local(day, 10).isoformat()}
        )
    booking = Booking.objects.get(resource=wedding_room)
    assert response["Location"] == f"/buchen/meine/{booking.pk}/"
    assert booking.status == BookingStatus.PROVISIONAL
    assert booking.occupancies.count() == 2  # room and registrar
    assert "kern-alert--info" in citizen_client.get(response["Location"]).content.decode()

    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([citizen.email, "standesamt@stadt.example"])
    for message in mail.outbox:
        (name, content, mimetype) = message.attachments[0]
        assert name.endswith(".ics") and mimetype.startswith("text/calendar")
        content = content if isinstance(content, bytes) else content.encode()
        assert citizen.last_name.encode() not in content
        assert citizen.last_name not in message.body

    booking_confirm(booking=booking, acting_user=other_caseworker)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_wedding_reserve_needs_login(client, wedding_room, day):
    response = client.post(
        f"/buchen/trauung/{wedding_room.slug}/reservieren/", {"starts_at": local(day, 10).isoformat()}
    )
    assert response.status_code == 302
    assert not Booking.objects.exists()


# --- course pages --------------------------------------------------------------------------------


@pytest.fixture
def course(department):
    return make_course(department, capacity=1)


def test_course_list_and_detail(client, course):
    assert "yoga-anfaenger" in client.get("/buchen/kurse/").content.decode()
    page = client.get(f"/buchen/kurse/{course.slug}/").content.decode()
    assert course.name in page and "/konto/" in page


def test_register_then_waitlist_through_the_pages(
    citizen_client, other_citizen_client, course, citizen, other_citizen
):
    citizen_client.post(f"/buchen/kurse/{course.slug}/anmelden/")
    response = other_citizen_client.post(f"/buchen/kurse/{course.slug}/anmelden/", follow=True)
    assert Enrollment.objects.get(person=citizen).status == EnrollmentStatus.REGISTERED
    assert Enrollment.objects.get(person=other_citizen).status == EnrollmentStatus.WAITLISTED
    page = response.content.decode()
    assert course.name in page  # Meine Buchungen lists the course


def test_offer_confirmed_through_the_page_and_not_by_strangers(
    citizen_client, other_citizen_client, course, citizen, other_citizen
):
    first = course_register(course=course, acting_user=citizen)
    waiting = course_register(course=course, acting_user=other_citizen)
    enrollment_cancel(enrollment=first, acting_user=citizen)

    assert citizen_client.post(f"/buchen/kurse/anmeldung/{waiting.pk}/bestaetigen/").status_code == 404
    page = other_citizen_client.get("/buchen/meine/").content.decode()
    assert f"/buchen/kurse/anmeldung/{waiting.pk}/bestaetigen/" in page
    other_citizen_client.post(f"/buchen/kurse/anmeldung/{waiting.pk}/bestaetigen/")
    waiting.refresh_from_db()
    assert waiting.status == EnrollmentStatus.REGISTERED


def test_enrollment_cancel_through_the_page(citizen_client, other_citizen_client, course, citizen):
    enrollment = course_register(course=course, acting_user=citizen)
    assert (
        other_citizen_client.post(f"/buchen/kurse/anmeldung/{enrollment.pk}/stornieren/").status_code == 404
    )
    citizen_client.post(f"/buchen/kurse/anmeldung/{enrollment.pk}/stornieren/")
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.CANCELLED


def test_participant_page_for_the_department_only(
    client, citizen_client, caseworker_client, other_caseworker_client, course, citizen
):
    course_register(course=course, acting_user=citizen)
    url = f"/buchen/kurse/{course.slug}/teilnehmende/"
    assert client.get(url).status_code == 302
    assert citizen_client.get(url).status_code == 404
    assert other_caseworker_client.get(url).status_code == 404
    page = caseworker_client.get(url).content.decode()
    assert "Maria Muster" in page and 'scope="row"' in page


def test_staff_message_through_the_page(caseworker_client, other_caseworker_client, course, citizen):
    from rathaus.mailbox.models import Message

    course_register(course=course, acting_user=citizen)
    url = f"/buchen/kurse/{course.slug}/nachricht/"
    assert other_caseworker_client.post(url, {"body": "Ausfall"}).status_code == 404
    caseworker_client.post(url, {"body": "Der Kurs fällt am Dienstag aus."})
    assert Message.objects.get(thread__person=citizen).body == "Der Kurs fällt am Dienstag aus."
