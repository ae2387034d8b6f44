"""Courses: places up to capacity, then the waiting list; offers that pass on; reminders;
participant exports and messages for the course's department only."""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from conftest import make_user
from rathaus.booking.constants import EnrollmentStatus
from rathaus.booking.models import Course, CourseSession, Enrollment
from rathaus.booking.services import (
    course_message_send,
    course_register,
    course_reminders_send,
    enrollment_cancel,
    offer_confirm,
    offers_expire,
)
from rathaus.booking.tasks import course_offers_expire
from rathaus.booking.tasks import course_reminders_send as reminders_task
from rathaus.mailbox.models import Message

pytestmark = pytest.mark.django_db


def make_course(department, *, capacity=2, starts_in=dt.timedelta(days=10), slug="yoga-anfaenger", **fields):
    course = Course.objects.create(
        slug=slug, name="Yoga für Anfänger", department=department, capacity=capacity, **fields
    )
    first = timezone.now() + starts_in
    for week in range(3):
        start = first + dt.timedelta(weeks=week)
        CourseSession.objects.create(course=course, starts_at=start, ends_at=start + dt.timedelta(hours=1))
    return course


@pytest.fixture
def course(department):
    return make_course(department)


@pytest.fixture
def third(db):
    return make_user("lena@example.org", first_name="Lena", last_name="Dritte")


@pytest.fixture
def fourth(db):
    return make_user("paul@example.org", first_name="Paul", last_name="Vierter")


def test_places_fill_up_then_the_waiting_list(course, citizen, other_citizen, third, fourth):
    statuses = [
        course_register(course=course, acting_user=p).status for p in (citizen, other_citizen, third, fourth)
    ]

    assert statuses == ["registered", "registered", "waitlisted", "waitlisted"]
    positions = list(course.enrollments.filter(status="waitlisted").values_list("position", flat=True))
    assert positions == [1, 2]


def test_nobody_registers_twice(course, citizen):
    course_register(course=course, acting_user=citizen)
    with pytest.raises(ValidationError) as error:
        course_register(course=course, acting_user=citizen)
    assert error.value.code == "already"
    assert course.enrollments.count() == 1


def test_registration_window_is_respected(department, citizen):
    course = make_course(department, registration_opens_at=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        course_register(course=course, acting_user=citizen)
    assert error.value.code == "closed"
    started = make_course(department, slug="begonnen", starts_in=-dt.timedelta(hours=1))
    with pytest.raises(ValidationError):
        course_register(course=started, acting_user=citizen)


def test_citizen_cannot_register_someone_else(course, citizen, other_citizen):
    with pytest.raises(PermissionDenied):
        course_register(course=course, acting_user=citizen, on_behalf_of=other_citizen)


def test_staff_register_at_the_counter(course, caseworker, citizen):
    enrollment = course_register(
        course=course, acting_user=caseworker, on_behalf_of=citizen, channel="counter"
    )
    assert (enrollment.person, enrollment.channel) == (citizen, "counter")


def test_cancelling_frees_the_place_for_the_next_in_line(
    course, citizen, other_citizen, third, fourth, django_capture_on_commit_callbacks
):
    first = course_register(course=course, acting_user=citizen)
    for person in (other_citizen, third, fourth):
        course_register(course=course, acting_user=person)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        enrollment_cancel(enrollment=first, acting_user=citizen)

    offered = Enrollment.objects.get(person=third, course=course)
    assert offered.status == EnrollmentStatus.OFFERED
    expected = timezone.now() + dt.timedelta(hours=course.offer_hours)
    assert abs(offered.offered_until - expected) < dt.timedelta(minutes=1)
    assert Enrollment.objects.get(person=fourth, course=course).status == EnrollmentStatus.WAITLISTED
    assert [m.to for m in mail.outbox] == [[third.email]]
    assert course.name not in mail.outbox[0].body and third.last_name not in mail.outbox[0].body


def test_leaving_the_waiting_list_offers_nothing(course, citizen, other_citizen, third):
    for person in (citizen, other_citizen):
        course_register(course=course, acting_user=person)
    waiting = course_register(course=course, acting_user=third)
    enrollment_cancel(enrollment=waiting, acting_user=third)
    assert not course.enrollments.filter(status=EnrollmentStatus.OFFERED).exists()


def test_confirming_an_offer_registers(course, citizen, other_citizen, third):
    first = course_register(course=course, acting_user=citizen)
    course_register(course=course, acting_user=other_citizen)
    waiting = course_register(course=course, acting_user=third)
    enrollment_cancel(enrollment=first, acting_user=citizen)
    waiting.refresh_from_db()

    with pytest.raises(PermissionDenied):
        offer_confirm(enrollment=waiting, acting_user=other_citizen)
    offer_confirm(enrollment=waiting, acting_user=third)

    waiting.refresh_from_db()
    assert (waiting.status, waiting.offered_until) == (EnrollmentStatus.REGISTERED, None)


def test_expired_offer_passes_on(course, citizen, other_citizen, third, fourth):
    first = course_register(course=course, acting_user=citizen)
    course_register(course=course, acting_user=other_citizen)
    late = course_register(course=course, acting_user=third)
    course_register(course=course, acting_user=fourth)
    enrollment_cancel(enrollment=first, acting_user=citizen)

    assert offers_expire() == 0  # not yet due
    later = timezone.now() + dt.timedelta(hours=course.offer_hours, minutes=1)
    assert offers_expire(now=later) == 1

    late.refresh_from_db()
    assert late.status == EnrollmentStatus.OFFER_EXPIRED
    assert Enrollment.objects.get(person=fourth, course=course).status == EnrollmentStatus.OFFERED
    with pytest.raises(ValidationError) as error:
        offer_confirm(enrollment=late, acting_user=third)
    assert error.value.code == "offer_expired"


def test_offer_expiry_task(course, citizen, other_citizen, third):
    first = course_register(course=course, acting_user=citizen)
    course_register(course=course, acting_user=other_citizen)
    late = course_register(course=course, acting_user=third)
    enrollment_cancel(enrollment=first, acting_user=citizen)
    Enrollment.objects.filter(pk=late.pk).update(offered_until=timezone.now() - dt.timedelta(minutes=1))

    assert course_offers_expire.call() == 1
    late.refresh_from_db()
    assert late.status == EnrollmentStatus.OFFER_EXPIRED
    # The freed place has nobody left to go to: it stays free for the next registration.
    assert course_register(course=course, acting_user=third).status == EnrollmentStatus.REGISTERED


def test_cancelling_after_the_start_is_for_the_office(department, citizen, caseworker):
    course = make_course(department, slug="laeuft", starts_in=dt.timedelta(days=1))
    enrollment = course_register(course=course, acting_user=citizen)
    CourseSession.objects.filter(course=course).update(starts_at=timezone.now() - dt.timedelta(hours=1))

    with pytest.raises(ValidationError) as error:
        enrollment_cancel(enrollment=enrollment, acting_user=citizen)
    assert error.value.code == "deadline"
    enrollment_cancel(enrollment=enrollment, acting_user=caseworker)
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.CANCELLED


def test_stranger_cannot_cancel(course, citizen, other_citizen, other_caseworker):
    enrollment = course_register(course=course, acting_user=citizen)
    for stranger in (other_citizen, other_caseworker):
        with pytest.raises(PermissionDenied):
            enrollment_cancel(enrollment=enrollment, acting_user=stranger)


def test_reminders_go_once_to_registered_participants(
    department, citizen, other_citizen, django_capture_on_commit_callbacks
):
    soon = make_course(department, capacity=1, starts_in=dt.timedelta(hours=30))
    later = make_course(department, slug="spaeter", starts_in=dt.timedelta(days=5))
    course_register(course=soon, acting_user=citizen)
    course_register(course=soon, acting_user=other_citizen)  # waiting list: no reminder
    course_register(course=later, acting_user=other_citizen)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_task.call() == 1
        assert course_reminders_send() == 0  # once per course

    assert [m.to for m in mail.outbox] == [[citizen.email]]
    assert soon.name not in mail.outbox[0].body
    soon.refresh_from_db()
    assert soon.reminder_sent_at is not None


def test_message_goes_to_the_mailbox_with_a_bare_notice(
    course, caseworker, other_caseworker, citizen, other_citizen, django_capture_on_commit_callbacks
):
    course_register(course=course, acting_user=citizen)
    mail.outbox.clear()
    with pytest.raises(PermissionDenied):
        course_message_send(course=course, acting_user=other_caseworker, body="Raum geändert")

    with django_capture_on_commit_callbacks(execute=True):
        assert (
            course_message_send(
                course=course, acting_user=caseworker, body="Der Kurs findet in Raum 2 statt."
            )
            == 1
        )

    message = Message.objects.get(thread__person=citizen)
    assert message.body == "Der Kurs findet in Raum 2 statt."
    assert [m.to for m in mail.outbox] == [[citizen.email]]
    assert "Raum 2" not in mail.outbox[0].body
    assert not Message.objects.filter(thread__person=other_citizen).exists()


# --- exports -----------------------------------------------------------------------------------


def _with_participants(course, *people):
    for person in people:
        course_register(course=course, acting_user=person)


def test_participants_export_as_csv(course, caseworker_client, citizen, other_citizen, third):
    _with_participants(course, citizen, other_citizen, third)
    response = caseworker_client.get(f"/buchen/kurse/{course.slug}/teilnehmende/?format=csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 4
    assert {row[2] for row in rows[1:]} == {"Muster", "Beispiel", "Dritte"}
    assert "maria@example.org" in {row[4] for row in rows[1:]}


def test_participants_export_as_xlsx(course, caseworker_client, citizen, other_citizen, third):
    _with_participants(course, citizen, other_citizen, third)
    response = caseworker_client.get(f"/buchen/kurse/{course.slug}/teilnehmende/?format=xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4
    assert {row[3] for row in rows[1:]} == {"Maria", "Jonas", "Lena"}


def test_export_is_audited_and_only_for_the_department(
    course, caseworker_client, other_caseworker_client, citizen_client, citizen
):
    from rathaus.core.models import AuditEntry

    _with_participants(course, citizen)
    for client in (other_caseworker_client, citizen_client):
        assert client.get(f"/buchen/kurse/{course.slug}/teilnehmende/?format=csv").status_code == 404
    caseworker_client.get(f"/buchen/kurse/{course.slug}/teilnehmende/?format=xlsx")
    assert AuditEntry.objects.filter(action="personal_data_read", object_id=str(course.pk)).count() == 1


# --- concurrency (PostgreSQL: real parallel transactions) --------------------------------------


@pytest.mark.django_db(transaction=True)
def test_parallel_registrations_never_exceed_capacity(department):
    course = make_course(department, capacity=3, slug="parallel")
    people = [make_user(f"person{n}@example.org") for n in range(8)]
    if connection.vendor != "postgresql":
        # SQLite's in-memory test database is one connection: the writes queue up anyway
        # (IMMEDIATE transactions), so run them one after another against the same rules.
        for person in people:
            course_register(course=course, acting_user=person)
        assert course.enrollments.filter(status=EnrollmentStatus.REGISTERED).count() == 3
        assert course.enrollments.filter(status=EnrollmentStatus.WAITLISTED).count() == 5
        return
    barrier = threading.Barrier(len(people))
    errors = []

    def register(person):
        try:
            barrier.wait()
            course_register(course=course, acting_user=person)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=register, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert course.enrollments.filter(status=EnrollmentStatus.REGISTERED).count() == 3
    assert course.enrollments.filter(status=EnrollmentStatus.WAITLISTED).count() == 5
