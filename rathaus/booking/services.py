"""Write use cases of bookings. Public API of the app for writes.

One engine for every bookable thing. Each function is one transaction that checks who acts,
changes the bookings, and writes the audit entry in the same transaction; anything that leaves
the system starts with ``transaction.on_commit``.

No double booking, ever: a booking locks the rows of the units it will hold (in id order, so
two bookings never wait on each other crosswise), checks for overlaps and writes its
occupancies inside that lock. On SQLite every write transaction is serialised anyway
(IMMEDIATE); on PostgreSQL the row locks queue bookings of the same unit across processes, and
the exclusion constraint ``booking_occupancy_no_overlap`` is the last word: a violation becomes
``BookingError("taken")``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.catalog.constants import Channel
from rathaus.core.audit import audit_record
from rathaus.core.audit_actions import audit_actions

from .availability import check_bookable, check_free, registrar_unit_ids
from .constants import HOLDING_STATUSES, BookingStatus, ResourceKind
from .errors import BookingError
from .models import Blackout, Booking, Occupancy, Resource, Unit
from .rules import is_resource_staff
from .selectors import blackout_conflicts, resource_unit_ids, unit_overlaps

__all__ = [
    "blackout_create",
    "booking_cancel",
    "booking_confirm",
    "booking_create",
    "booking_fee",
    "booking_mark_paid",
    "bookings_expire",
    "wedding_book",
]

CENT = Decimal("0.01")


@audit_actions
class AuditActions(models.TextChoices):
    """Audit actions of bookings (the audit log stores the value)."""

    CREATED = "booking_created", gettext_lazy("Booking made")
    CANCELLED = "booking_cancelled", gettext_lazy("Booking cancelled")
    CONFIRMED = "booking_confirmed", gettext_lazy("Booking confirmed")
    PAID = "booking_paid", gettext_lazy("Booking paid")
    EXPIRED = "booking_expired", gettext_lazy("Unpaid booking expired")
    BLACKOUT = "booking_blackout_created", gettext_lazy("Closure period entered")
    MOVED = "booking_moved", gettext_lazy("Booking moved")
    SEASON_APPLIED = "booking_season_applied", gettext_lazy("Season application submitted")
    SEASON_GRANTED = "booking_season_granted", gettext_lazy("Season application granted")
    SEASON_MOVED = "booking_season_moved", gettext_lazy("Season application granted at another time")
    SEASON_REFUSED = "booking_season_refused", gettext_lazy("Season application refused")


def _audit(action: str, *, booking: Booking, actor=None, request=None, **details) -> None:
    audit_record(
        action=action,
        actor=actor,
        obj=booking,
        subject_user_id=booking.booked_by_id,
        request=request,
        details={"resource": booking.resource.slug, "status": booking.status, **details},
    )


def booking_fee(*, resource: Resource, starts_at: dt.datetime, ends_at: dt.datetime) -> Decimal:
    """Flat fee plus the hourly fee for the booked time, in euros with two places."""
    hours = Decimal(int((ends_at - starts_at).total_seconds())) / Decimal(3600)
    return (resource.fee_flat + resource.fee_per_hour * hours).quantize(CENT, rounding=ROUND_HALF_UP)


def _lock_units(unit_ids: Iterable[int]) -> list[Unit]:
    """Lock the unit rows in id order; parallel bookings of one unit queue here."""
    return list(Unit.objects.select_for_update().filter(pk__in=sorted(set(unit_ids))).order_by("pk"))


def _initial_status(resource: Resource, fee: Decimal, now: dt.datetime) -> tuple[str, dt.datetime | None]:
    if resource.needs_confirmation:
        return BookingStatus.PROVISIONAL, None
    if fee > 0:
        return BookingStatus.PAYMENT_PENDING, now + dt.timedelta(minutes=resource.payment_minutes)
    return BookingStatus.CONFIRMED, None


def _hold(booking: Booking, unit_ids: list[int]) -> None:
    """Write the occupancies; the exclusion constraint (PostgreSQL) turns a race into ``taken``."""
    held_until = booking.ends_at + dt.timedelta(minutes=booking.resource.buffer_minutes)
    rows = [
        Occupancy(booking=booking, unit_id=unit_id, starts_at=booking.starts_at, ends_at=held_until)
        for unit_id in unit_ids
    ]
    try:
        with transaction.atomic():
            Occupancy.objects.bulk_create(rows)
    except IntegrityError as exc:
        raise BookingError("taken") from exc


@transaction.atomic
def booking_create(
    *,
    resource: Resource,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    acting_user,
    organisation=None,
    channel: str = Channel.ONLINE,
    on_behalf_of=None,
    extra_units: Iterable[Unit] = (),
    note: str = "",
    public_label: str = "",
    status: str | None = None,
    request=None,
) -> Booking:
    """Book ``resource`` over [starts_at, ends_at) for ``on_behalf_of`` or the acting user.

    Staff of the resource's department may book at short notice and beyond the horizon; the
    overlap check holds for everybody. Raises ``BookingError`` and writes nothing on refusal.
    """
    now = timezone.now()
    check_bookable(resource, starts_at, ends_at, user=acting_user, organisation=organisation, now=now)
    unit_ids = sorted(set(resource_unit_ids(resource)) | {unit.pk for unit in extra_units})
    if not unit_ids:
        raise BookingError("invalid")
    _lock_units(unit_ids)
    check_free(resource, starts_at, ends_at, unit_ids=unit_ids)  # again, now under the lock
    fee = booking_fee(resource=resource, starts_at=starts_at, ends_at=ends_at)
    initial, expires_at = _initial_status(resource, fee, now)
    booking = Booking(
        resource=resource,
        starts_at=starts_at,
        ends_at=ends_at,
        status=status or initial,
        expires_at=expires_at if (status or initial) == BookingStatus.PAYMENT_PENDING else None,
        booked_by=on_behalf_of or acting_user,
        organisation=organisation,
        entered_by=acting_user,
        channel=channel,
        fee=fee,
        note=note,
        public_label=public_label,
        created_at=now,
    )
    booking.full_clean(exclude=["season_application"])
    booking.save()
    _hold(booking, unit_ids)
    _audit(AuditActions.CREATED, booking=booking, actor=acting_user, request=request, channel=channel)
    return booking


def _lock_booking(booking: Booking) -> Booking:
    locked = Booking.objects.select_for_update().select_related("resource").get(pk=booking.pk)
    for field in Booking._meta.concrete_fields:
        setattr(booking, field.attname, getattr(locked, field.attname))
    return locked


def _release(booking: Booking, status: str, now: dt.datetime) -> None:
    booking.status = status
    if status == BookingStatus.CANCELLED:
        booking.cancelled_at = now
    booking.expires_at = None
    booking.save(update_fields=["status", "cancelled_at", "expires_at"])
    booking.occupancies.filter(active=True).update(active=False)


@transaction.atomic
def booking_cancel(*, booking: Booking, acting_user, reason: str = "", request=None) -> Booking:
    """Cancel and free the units: the booker until the cancellation deadline, staff any time."""
    locked = _lock_booking(booking)
    if not acting_user.has_perm("booking.cancel_booking", locked):
        raise PermissionDenied(_("You may not cancel this booking."))
    if locked.status not in HOLDING_STATUSES:
        raise BookingError("invalid")
    now = timezone.now()
    deadline = locked.starts_at - dt.timedelta(hours=locked.resource.cancel_hours)
    if now > deadline and not is_resource_staff(acting_user, locked.resource):
        raise BookingError("cancel_deadline")
    _release(locked, BookingStatus.CANCELLED, now)
    _audit(AuditActions.CANCELLED, booking=locked, actor=acting_user, request=request, reason=reason[:200])
    _sync(booking, locked)
    return booking


def _sync(target: Booking, source: Booking) -> None:
    for field in Booking._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


@transaction.atomic
def booking_confirm(*, booking: Booking, acting_user, request=None) -> Booking:
    """Staff accept a provisional booking; it then waits for payment or is confirmed."""
    locked = _lock_booking(booking)
    if not acting_user.has_perm("booking.manage_resource", locked.resource):
        raise PermissionDenied(_("You may not confirm bookings of this resource."))
    if locked.status != BookingStatus.PROVISIONAL:
        raise BookingError("invalid")
    now = timezone.now()
    if locked.fee > 0:
        locked.status = BookingStatus.PAYMENT_PENDING
        locked.expires_at = now + dt.timedelta(minutes=locked.resource.payment_minutes)
    else:
        locked.status, locked.expires_at = BookingStatus.CONFIRMED, None
    locked.save(update_fields=["status", "expires_at"])
    _audit(AuditActions.CONFIRMED, booking=locked, actor=acting_user, request=request)
    if _is_wedding(locked):
        _wedding_confirmed_notify(locked)
    _sync(booking, locked)
    return booking


def _is_wedding(booking: Booking) -> bool:
    """A wedding holds a registrar's unit (staff time) besides the room."""
    return booking.occupancies.filter(active=True, unit__resources__kind=ResourceKind.STAFF).exists()


def _wedding_confirmed_notify(booking: Booking) -> None:
    """After commit, tell the couple the office confirmed their date, with the updated invitation
    (same UID, higher SEQUENCE). Nobody is told when the counter entered the wedding for a
    couple without an account (the booking then belongs to the staff member who entered it)."""
    from .ical import booking_invitation

    if booking.channel != Channel.ONLINE and booking.booked_by_id == booking.entered_by_id:
        return
    booking_notice_send(
        person=booking.booked_by,
        kind="wedding_confirmed",
        link=reverse("booking:detail", kwargs={"pk": booking.pk}),
        attachments=(
            (
                "trauung.ics",
                lambda language: booking_invitation(booking, language=language),
                "text/calendar; method=REQUEST",
            ),
        ),
    )


@transaction.atomic
def booking_mark_paid(*, booking: Booking, acting_user=None, reference: str = "") -> Booking:
    """The payment arrived: confirm the booking. The seam for the payment provider.

    Paying twice changes nothing; a payment for a booking that expired or was cancelled is
    refused (``invalid``) so the payment side can refund it.
    """
    locked = _lock_booking(booking)
    if locked.status == BookingStatus.CONFIRMED:
        return booking
    if locked.status != BookingStatus.PAYMENT_PENDING:
        raise BookingError("invalid")
    locked.status, locked.expires_at = BookingStatus.CONFIRMED, None
    locked.save(update_fields=["status", "expires_at"])
    _audit(AuditActions.PAID, booking=locked, actor=acting_user, reference=reference[:100])
    _sync(booking, locked)
    return booking


def bookings_expire(*, now: dt.datetime | None = None) -> int:
    """Expire unpaid bookings whose payment time is over and free their units. Returns how many."""
    now = now or timezone.now()
    due = Booking.objects.filter(status=BookingStatus.PAYMENT_PENDING, expires_at__lte=now)
    count = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            booking = Booking.objects.select_for_update().select_related("resource").get(pk=pk)
            if booking.status != BookingStatus.PAYMENT_PENDING or booking.expires_at > now:
                continue  # paid in the meantime
            _release(booking, BookingStatus.EXPIRED, now)
            _audit(AuditActions.EXPIRED, booking=booking)
            count += 1
    return count


def _registrar_units(room: Resource) -> list[int]:
    """Units of the registrars (staff-time resources) of the room's department."""
    return registrar_unit_ids(room)


@transaction.atomic
def wedding_book(
    *,
    room: Resource,
    starts_at: dt.datetime,
    acting_user,
    on_behalf_of=None,
    channel: str = Channel.ONLINE,
    note: str = "",
    request=None,
) -> Booking:
    """Book a wedding: the room and one free registrar, both or neither.

    The room's and all registrars' units are locked together in id order, then the first free
    registrar is taken; without one nothing is written. Staff of the room's department may
    reserve for a couple at the counter or on the phone: ``on_behalf_of`` is the person's
    account if there is one (else the booking stays with the staff member, ``note`` says who),
    ``channel`` records how the request came in and ``entered_by`` is the staff member.
    """
    if room.kind != ResourceKind.ROOM:
        raise BookingError("invalid")
    for_someone = on_behalf_of is not None and on_behalf_of != acting_user
    if (for_someone or channel != Channel.ONLINE) and not is_resource_staff(acting_user, room):
        raise PermissionDenied(_("Only the registry office may reserve a wedding for someone else."))
    minutes = room.slot_minutes or room.min_minutes
    ends_at = starts_at + dt.timedelta(minutes=minutes)
    check_bookable(room, starts_at, ends_at, user=acting_user)
    registrars = _registrar_units(room)
    _lock_units([*resource_unit_ids(room), *registrars])
    held_until = ends_at + dt.timedelta(minutes=room.buffer_minutes)
    busy = set(
        unit_overlaps(unit_ids=registrars, start=starts_at, end=held_until).values_list("unit_id", flat=True)
    )
    busy |= set(
        Blackout.objects.filter(
            unit_id__in=registrars, starts_at__lt=held_until, ends_at__gt=starts_at
        ).values_list("unit_id", flat=True)
    )
    free = [pk for pk in registrars if pk not in busy]
    if not free:
        raise BookingError("taken", _("No registrar is free at this time. Please choose another time."))
    return booking_create(
        resource=room,
        starts_at=starts_at,
        ends_at=ends_at,
        acting_user=acting_user,
        on_behalf_of=on_behalf_of,
        channel=channel,
        note=note,
        extra_units=[Unit(pk=free[0])],
        request=request,
    )


@transaction.atomic
def blackout_create(
    *,
    unit: Unit,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str,
    acting_user,
    force: bool = False,
) -> Blackout:
    """Block a unit (maintenance, a city event). Refuses while active bookings overlap, unless
    ``force``; the returned blackout lists them in ``conflicts`` for staff to contact."""
    resources = list(Resource.objects.filter(units=unit))
    if not any(acting_user.has_perm("booking.manage_resource", resource) for resource in resources):
        raise PermissionDenied(_("You may not block this unit."))
    _lock_units([unit.pk])
    conflicts = list(blackout_conflicts(unit_id=unit.pk, starts_at=starts_at, ends_at=ends_at))
    if conflicts and not force:
        error = BookingError(
            "taken",
            _("%(count)s active bookings overlap this time. Block it anyway to list them for follow-up."),
            params={"count": len(conflicts)},
        )
        error.conflicts = conflicts
        raise error
    blackout = Blackout(
        unit=unit, starts_at=starts_at, ends_at=ends_at, reason=reason, created_by=acting_user
    )
    blackout.full_clean()
    blackout.save()
    audit_record(
        action=AuditActions.BLACKOUT,
        actor=acting_user,
        obj=unit,
        details={"blackout": blackout.pk, "conflicts": [booking.pk for booking in conflicts]},
    )
    blackout.conflicts = conflicts
    return blackout


# --- courses ---
# Course use cases (registration, waiting list, offers that pass on, reminders, messages) and
# the notices of the citizen side. Places are counted under a lock on the Course row, so two
# parallel registrations for the last place queue there: one gets it, the other the waiting
# list. The partial unique constraint ``booking_one_active_enrollment`` stops a second active
# registration of the same person even if a check here were bypassed.

from django.conf import settings  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.core.mail import EmailMessage  # noqa: E402
from django.db import models  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import translation  # noqa: E402

from rathaus.accounts.constants import DEPARTMENT_ROLES  # noqa: E402
from rathaus.core.mail import send_after_commit  # noqa: E402

from .constants import Audience  # noqa: E402
from .constants import EnrollmentStatus as _ES  # noqa: E402
from .models import Course as _Course  # noqa: E402
from .models import Enrollment as _Enrollment  # noqa: E402

__all__ += [
    "booking_notice_send",
    "course_message_send",
    "course_register",
    "course_reminders_send",
    "enrollment_cancel",
    "offer_confirm",
    "offers_expire",
    "wedding_reserve",
    "wedding_rooms",
]

COURSE_REMINDER_HOURS = 48
_HOLDING_ENROLLMENT = (_ES.REGISTERED, _ES.OFFERED)
_ACTIVE_ENROLLMENT = (_ES.REGISTERED, _ES.WAITLISTED, _ES.OFFERED)


@audit_actions
class CourseAuditAction(models.TextChoices):
    """Audit action values of courses (stored as plain strings in the audit log)."""

    REGISTERED = "course_registered", gettext_lazy("Registered for a course")
    CANCELLED = "course_enrollment_cancelled", gettext_lazy("Course registration cancelled")
    OFFERED = "course_place_offered", gettext_lazy("Course place offered")
    OFFER_CONFIRMED = "course_offer_confirmed", gettext_lazy("Offered course place accepted")
    OFFER_EXPIRED = "course_offer_expired", gettext_lazy("Offered course place lapsed")
    REMINDER_SENT = "course_reminder_sent", gettext_lazy("Course reminders sent")
    MESSAGE_SENT = "course_message_sent", gettext_lazy("Message to course participants sent")
    WEDDING_NOTIFIED = "wedding_notified", gettext_lazy("Wedding couple notified")


def _portal_base_url() -> str:
    return (getattr(settings, "PORTAL_URL", "") or "http://127.0.0.1:8000").rstrip("/")


def booking_notice_send(
    *, person, kind: str, link: str, context: dict | None = None, attachments: tuple = ()
) -> None:
    """E-mail ``person`` a notice after commit, in their language.

    The notice says what kind of news is waiting (a place offered, a reminder) and links to the
    portal; it never names the course, the resource or the person. ``attachments`` are
    ``(filename, callable(language) -> bytes, mimetype)``; the iCalendar invitation of a booking
    carries resource, place and time only.
    """
    if person is None or not person.email or not person.is_active:
        return
    language = person.preferred_language or "de"
    _mail_after_commit(
        recipient=person.email,
        language=language,
        kind=kind,
        link=link,
        context=context,
        attachments=attachments,
    )


def _mail_after_commit(*, recipient, language, kind, link, context=None, attachments=()) -> None:
    data = {**(context or {}), "kind": kind, "link": link, "base_url": _portal_base_url()}

    def _build() -> EmailMessage:
        with translation.override(language):
            subject = render_to_string("booking/email/notice_subject.txt", data).strip()
            body = render_to_string("booking/email/notice.txt", data)
            message = EmailMessage(subject, body, None, [recipient])
            for filename, build, mimetype in attachments:
                message.attach(filename, build(language), mimetype)
        return message

    send_after_commit(_build, what=f"booking/{kind}")


def wedding_rooms() -> models.QuerySet[Resource]:
    """Rooms of a department that has registrars (bookable staff time): the registry office's
    wedding rooms. ``wedding_book`` takes a registrar of the room's department with the room."""
    registrar_departments = Resource.objects.filter(kind=ResourceKind.STAFF, is_active=True).values(
        "department_id"
    )
    return (
        Resource.objects.filter(
            kind=ResourceKind.ROOM, is_active=True, department_id__in=registrar_departments
        )
        .exclude(audience=Audience.STAFF)
        .select_related("department")
        .order_by("name")
    )


def _lock_course(course: _Course) -> _Course:
    return _Course.objects.select_for_update().get(pk=course.pk)


def _places_taken(course: _Course) -> int:
    return course.enrollments.filter(status__in=_HOLDING_ENROLLMENT).count()


def course_first_start(course: _Course) -> dt.datetime | None:
    first = course.sessions.order_by("starts_at").first()
    return first.starts_at if first else None


def course_is_staff(user, course: _Course) -> bool:
    """Caseworker or head of the department that runs the course."""
    if user is None or not user.is_authenticated:
        return False
    return course.department_id in user.department_ids(*DEPARTMENT_ROLES)


def course_registration_open(course: _Course, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    if course.registration_opens_at and now < course.registration_opens_at:
        return False
    closes = course.registration_closes_at or course_first_start(course)
    return closes is None or now < closes


def _course_audit(action: str, *, enrollment: _Enrollment, actor, request=None, **details) -> None:
    audit_record(
        action=action,
        actor=actor,
        obj=enrollment.course,
        subject_user_id=enrollment.person_id,
        request=request,
        details={"enrollment": enrollment.pk, **details},
    )


def _mine_link() -> str:
    return reverse("booking:mine")


def _offer_next(course: _Course, *, now: dt.datetime, actor=None) -> list[_Enrollment]:
    """Offer free places to the waiting list in order. The course row must be locked."""
    free = course.capacity - _places_taken(course)
    offered = []
    waiting = course.enrollments.filter(status=_ES.WAITLISTED).order_by("position", "created_at", "id")
    for enrollment in list(waiting[: max(free, 0)]):
        enrollment.status = _ES.OFFERED
        enrollment.offered_until = now + dt.timedelta(hours=course.offer_hours)
        enrollment.save(update_fields=["status", "offered_until"])
        _course_audit(CourseAuditAction.OFFERED, enrollment=enrollment, actor=actor)
        booking_notice_send(
            person=enrollment.person,
            kind="offer",
            link=_mine_link(),
            context={"until": enrollment.offered_until},
        )
        offered.append(enrollment)
    return offered


@transaction.atomic
def course_register(
    *, course: _Course, acting_user, channel: str = "online", on_behalf_of=None, request=None
) -> _Enrollment:
    """Register a person for a course: a place while there is one, else the waiting list.

    Staff of the course's department may register someone else (``on_behalf_of``, e.g. at the
    counter); citizens register themselves.
    """
    person = on_behalf_of or acting_user
    if person is None or not getattr(person, "is_authenticated", False):
        raise PermissionDenied(_("Please log in to register."))
    if on_behalf_of is not None and on_behalf_of != acting_user and not course_is_staff(acting_user, course):
        raise PermissionDenied(_("You may only register yourself."))
    course = _lock_course(course)
    now = timezone.now()
    if not course_registration_open(course, now=now):
        raise ValidationError(_("Registration for this course is not open."), code="closed")
    if course.enrollments.filter(person=person, status__in=_ACTIVE_ENROLLMENT).exists():
        raise ValidationError(_("You are already registered for this course."), code="already")
    enrollment = _Enrollment(course=course, person=person, channel=channel, created_at=now)
    if _places_taken(course) < course.capacity:
        enrollment.status = _ES.REGISTERED
    else:
        last = course.enrollments.aggregate(models.Max("position"))["position__max"] or 0
        enrollment.status, enrollment.position = _ES.WAITLISTED, last + 1
    enrollment.full_clean()
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError as exc:
        raise ValidationError(_("You are already registered for this course."), code="already") from exc
    _course_audit(
        CourseAuditAction.REGISTERED,
        enrollment=enrollment,
        actor=acting_user,
        request=request,
        status=enrollment.status,
    )
    booking_notice_send(person=person, kind=f"course_{enrollment.status}", link=_mine_link())
    return enrollment


def enrollment_cancellable(enrollment: _Enrollment, *, now: dt.datetime | None = None) -> bool:
    """A citizen may cancel until the first session starts."""
    if enrollment.status not in _ACTIVE_ENROLLMENT:
        return False
    first = course_first_start(enrollment.course)
    return first is None or (now or timezone.now()) < first


@transaction.atomic
def enrollment_cancel(*, enrollment: _Enrollment, acting_user, request=None) -> _Enrollment:
    """Cancel a registration or waiting-list place; a freed place is offered to the next."""
    course = _lock_course(enrollment.course)
    locked = _Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    is_staff = course_is_staff(acting_user, course)
    if locked.person_id != getattr(acting_user, "pk", None) and not is_staff:
        raise PermissionDenied(_("You may not cancel this registration."))
    if locked.status not in _ACTIVE_ENROLLMENT:
        raise ValidationError(_("This registration is no longer active."), code="inactive")
    now = timezone.now()
    if not is_staff and not enrollment_cancellable(locked, now=now):
        raise ValidationError(
            _("The course has already started; please contact the office to cancel."), code="deadline"
        )
    freed = locked.status in _HOLDING_ENROLLMENT
    locked.status, locked.offered_until = _ES.CANCELLED, None
    locked.save(update_fields=["status", "offered_until"])
    _course_audit(CourseAuditAction.CANCELLED, enrollment=locked, actor=acting_user, request=request)
    if freed:
        _offer_next(course, now=now, actor=acting_user)
    enrollment.status, enrollment.offered_until = locked.status, None
    return locked


@transaction.atomic
def offer_confirm(*, enrollment: _Enrollment, acting_user, request=None) -> _Enrollment:
    """Take an offered place; after ``offered_until`` the offer is gone."""
    _lock_course(enrollment.course)
    locked = _Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if locked.person_id != getattr(acting_user, "pk", None):
        raise PermissionDenied(_("Only the person the place was offered to can confirm it."))
    if locked.status != _ES.OFFERED or locked.offered_until is None or locked.offered_until <= timezone.now():
        raise ValidationError(_("This offer is no longer valid."), code="offer_expired")
    locked.status, locked.offered_until = _ES.REGISTERED, None
    locked.save(update_fields=["status", "offered_until"])
    _course_audit(CourseAuditAction.OFFER_CONFIRMED, enrollment=locked, actor=acting_user, request=request)
    enrollment.status, enrollment.offered_until = locked.status, None
    return locked


def offers_expire(*, now: dt.datetime | None = None) -> int:
    """Let offers past their deadline lapse and offer the places to the next in line."""
    now = now or timezone.now()
    course_ids = set(
        _Enrollment.objects.filter(status=_ES.OFFERED, offered_until__lte=now).values_list(
            "course_id", flat=True
        )
    )
    expired = 0
    for course_id in sorted(course_ids):
        with transaction.atomic():
            course = _Course.objects.select_for_update().get(pk=course_id)
            lapsed = list(
                course.enrollments.select_for_update().filter(status=_ES.OFFERED, offered_until__lte=now)
            )
            for enrollment in lapsed:
                enrollment.status = _ES.OFFER_EXPIRED
                enrollment.save(update_fields=["status"])
                _course_audit(CourseAuditAction.OFFER_EXPIRED, enrollment=enrollment, actor=None)
            expired += len(lapsed)
            _offer_next(course, now=now)
    return expired


def course_reminders_send(*, now: dt.datetime | None = None, hours: int = COURSE_REMINDER_HOURS) -> int:
    """Remind the registered participants of courses whose first session is near; once per course.

    Returns the number of notices sent.
    """
    now = now or timezone.now()
    due = (
        _Course.objects.filter(reminder_sent_at__isnull=True)
        .annotate(first_start=models.Min("sessions__starts_at"))
        .filter(first_start__gt=now, first_start__lte=now + dt.timedelta(hours=hours))
        .values_list("pk", flat=True)
    )
    sent = 0
    for course_id in list(due):
        with transaction.atomic():
            course = _Course.objects.select_for_update().get(pk=course_id)
            if course.reminder_sent_at is not None:
                continue  # another worker was faster
            first = course_first_start(course)
            recipients = 0
            for enrollment in course.enrollments.filter(status=_ES.REGISTERED).select_related("person"):
                booking_notice_send(
                    person=enrollment.person, kind="reminder", link=_mine_link(), context={"starts_at": first}
                )
                recipients += 1
            course.reminder_sent_at = now
            course.save(update_fields=["reminder_sent_at"])
            audit_record(
                action=CourseAuditAction.REMINDER_SENT, obj=course, details={"recipients": recipients}
            )
            sent += recipients
    return sent


@transaction.atomic
def course_message_send(*, course: _Course, acting_user, body: str, request=None) -> int:
    """Write to every registered participant: the text goes to their online mailbox, an e-mail
    notice (without the text) points there. Returns the number of recipients."""
    from rathaus.mailbox.models import Message, Thread

    if not course_is_staff(acting_user, course):
        raise PermissionDenied(_("Only the course's department may write to its participants."))
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Please write a message."), code="empty")
    now = timezone.now()
    count = 0
    for enrollment in course.enrollments.filter(status=_ES.REGISTERED).select_related("person"):
        thread = Thread.objects.create(
            person=enrollment.person, subject=str(course.display_name)[:200], updated_at=now
        )
        Message.objects.create(
            thread=thread, sender=Message.Sender.CITY, author=acting_user, body=body, created_at=now
        )
        booking_notice_send(person=enrollment.person, kind="message", link=reverse("mailbox:index"))
        count += 1
    audit_record(
        action=CourseAuditAction.MESSAGE_SENT,
        actor=acting_user,
        obj=course,
        request=request,
        details={"recipients": count},
    )
    return count


def wedding_notify(*, booking, request=None) -> None:
    """Tell both sides about a wedding reservation, each with the iCalendar invitation: the
    couple by e-mail notice, the registry office by its department address."""
    from rathaus.booking.ical import booking_invitation

    def attachment():
        return (
            (
                "trauung.ics",
                lambda language: booking_invitation(booking, language=language),
                "text/calendar; method=REQUEST",
            ),
        )

    booking_notice_send(person=booking.booked_by, kind="wedding", link=_mine_link(), attachments=attachment())
    office = booking.resource.department.email
    if office:
        _mail_after_commit(
            recipient=office,
            language="de",
            kind="wedding_staff",
            link=reverse("accounts:staff_home"),
            attachments=attachment(),
        )
    audit_record(
        action=CourseAuditAction.WEDDING_NOTIFIED,
        actor=None,
        obj=booking,
        subject_user_id=booking.booked_by_id,
        request=request,
    )


@transaction.atomic
def wedding_reserve(*, room, starts_at: dt.datetime, acting_user, request=None):
    """Reserve a wedding date (provisional until the registry office confirms) and notify both
    sides; the reservation itself is ``wedding_book``."""
    booking = wedding_book(room=room, starts_at=starts_at, acting_user=acting_user, request=request)
    wedding_notify(booking=booking, request=request)
    return booking


# --- seasons ---
# Imports of this section (kept here so the section can be appended without touching the top).
from zoneinfo import ZoneInfo  # noqa: E402

from django.utils import formats  # noqa: E402
from django.utils.translation import gettext_lazy  # noqa: E402

from rathaus.accounts.models import Organisation  # noqa: E402

from .availability import is_public_holiday  # noqa: E402
from .constants import SeasonApplicationStatus  # noqa: E402
from .models import SchoolHolidayPeriod, Season, SeasonApplication  # noqa: E402

__all__ += [
    "season_application_decide",
    "season_apply",
    "season_conflicts",
    "season_date_cancel",
    "season_date_swap",
    "season_dates",
]

# Season allocation of sports facilities (Hallenvergabe): clubs apply for a weekly slot, the
# Sportamt grants, moves or refuses each application, and a granted slot becomes one confirmed
# booking per date of the season. Written by the seasons helper; append-only section.

_ACTIVE_APPLICATION_STATUSES = (
    SeasonApplicationStatus.SUBMITTED,
    SeasonApplicationStatus.GRANTED,
    SeasonApplicationStatus.MOVED,
)
_SEASON_TZ = ZoneInfo("Europe/Berlin")
_WEEKDAY_NAMES = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)


def _season_units(resource: Resource) -> set[int]:
    return set(resource.units.values_list("pk", flat=True))


def _season_times_overlap(a_starts: dt.time, a_ends: dt.time, b_starts: dt.time, b_ends: dt.time) -> bool:
    return a_starts < b_ends and b_starts < a_ends


def _season_slot_label(weekday: int, starts: dt.time, ends: dt.time) -> str:
    return f"{_WEEKDAY_NAMES[weekday]} {starts:%H:%M}–{ends:%H:%M}"


def _season_require_manager(*, resource: Resource, acting_user) -> None:
    if not acting_user.has_perm("booking.manage_resource", resource):
        raise PermissionDenied(_("Only staff of the facility's department may do this."))


def _season_audit(*, action: str, acting_user, obj, request=None, **details) -> None:
    audit_record(action=action, actor=acting_user, obj=obj, request=request, details=details)


@transaction.atomic
def season_apply(
    *,
    season: Season,
    organisation: Organisation,
    resource: Resource,
    weekday: int,
    starts: dt.time,
    ends: dt.time,
    acting_user,
    purpose: str = "",
    request=None,
) -> SeasonApplication:
    """A member of ``organisation`` applies for a weekly slot in ``season``.

    Refused (``BookingError``) when the person is not a member, applications have closed, the
    slot is malformed, or it overlaps another active application of the same organisation in the
    season on any unit of ``resource`` (the whole hall and one of its thirds overlap too): a club
    must not compete with itself.
    """
    if not organisation.memberships.filter(user_id=acting_user.pk).exists():
        raise BookingError("not_allowed", _("Only members of the organisation may apply for it."))
    if season.applications_close and timezone.localdate() > season.applications_close:
        raise BookingError("not_allowed", _("Applications for this season have closed."))
    if not 0 <= weekday <= 6 or not starts < ends:
        raise BookingError("invalid", _("Please give a weekday and a start before the end."))
    units = _season_units(resource)
    own = (
        SeasonApplication.objects.filter(
            season=season,
            organisation=organisation,
            weekday=weekday,
            status__in=_ACTIVE_APPLICATION_STATUSES,
            resource__units__in=units,
        )
        .distinct()
        .select_related("resource")
    )
    for other in own:
        if _season_times_overlap(starts, ends, other.starts, other.ends):
            raise BookingError(
                "invalid",
                _(
                    "This application overlaps itself: %(organisation)s already applied for "
                    "%(resource)s on %(slot)s in this season."
                )
                % {
                    "organisation": organisation.name,
                    "resource": other.resource.display_name,
                    "slot": _season_slot_label(other.weekday, other.starts, other.ends),
                },
            )
    application = SeasonApplication(
        season=season,
        organisation=organisation,
        resource=resource,
        weekday=weekday,
        starts=starts,
        ends=ends,
        purpose=purpose,
        applied_by=acting_user,
    )
    application.full_clean()
    application.save()
    _season_audit(
        action=AuditActions.SEASON_APPLIED, acting_user=acting_user, obj=application, request=request
    )
    return application


def season_conflicts(*, season: Season, resource: Resource | None = None) -> list:
    """Pairs ``(a, b)`` of active applications (submitted, granted, moved) that want one unit at
    overlapping times on the same weekday — the whole hall competes with each of its thirds.

    With ``resource``, only pairs that compete for a unit of that resource.
    """
    applications = list(
        SeasonApplication.objects.filter(season=season, status__in=_ACTIVE_APPLICATION_STATUSES)
        .select_related("organisation", "resource")
        .prefetch_related("resource__units")
        .order_by("weekday", "starts", "pk")
    )
    units = {a.pk: {u.pk for u in a.resource.units.all()} for a in applications}
    wanted = _season_units(resource) if resource is not None else None
    pairs = []
    for index, a in enumerate(applications):
        for b in applications[index + 1 :]:
            if a.weekday != b.weekday or not _season_times_overlap(a.starts, a.ends, b.starts, b.ends):
                continue
            contested = units[a.pk] & units[b.pk]
            if not contested or (wanted is not None and not wanted & contested):
                continue
            pairs.append((a, b))
    return pairs


def _season_school_holidays(season: Season) -> set[dt.date]:
    closed: set[dt.date] = set()
    periods = SchoolHolidayPeriod.objects.filter(
        first_day__lte=season.last_day, last_day__gte=season.first_day
    )
    for period in periods:
        day = period.first_day
        while day <= period.last_day:
            closed.add(day)
            day += dt.timedelta(days=1)
    return closed


def season_dates(*, season: Season, weekday: int) -> list[dt.date]:
    """Dates of ``season`` on ``weekday`` that are neither school holidays (``SchoolHolidayPeriod``)
    nor Bavarian public holidays: school sports halls are closed then."""
    closed = _season_school_holidays(season)
    day = season.first_day + dt.timedelta(days=(weekday - season.first_day.weekday()) % 7)
    dates = []
    while day <= season.last_day:
        if day not in closed and not is_public_holiday(day):
            dates.append(day)
        day += dt.timedelta(days=7)
    return dates


def _season_local(day: dt.date, time: dt.time) -> dt.datetime:
    """The local wall-clock time in Regensburg on ``day``, stored as UTC: 19:00 stays 19:00 in
    winter (UTC+1) and summer (UTC+2)."""
    return dt.datetime.combine(day, time, tzinfo=_SEASON_TZ).astimezone(dt.UTC)


def _season_generate(*, application: SeasonApplication, acting_user, request=None) -> list[Booking]:
    now = timezone.now()
    created = []
    for day in season_dates(season=application.season, weekday=application.weekday):
        starts_at = _season_local(day, application.starts)
        if starts_at <= now:
            continue
        try:
            booking = booking_create(
                resource=application.resource,
                starts_at=starts_at,
                ends_at=_season_local(day, application.ends),
                acting_user=acting_user,
                organisation=application.organisation,
                channel=Channel.ONLINE,
                public_label=application.organisation.name,
                status=BookingStatus.CONFIRMED,
                note=application.purpose,
                request=request,
            )
        except BookingError as exc:
            day_label = formats.date_format(day, "SHORT_DATE_FORMAT")
            raise BookingError(exc.code, f"{day_label}: {exc}") from exc
        created.append(booking)
    Booking.objects.filter(pk__in=[b.pk for b in created]).update(season_application=application)
    for booking in created:
        booking.season_application = application
    return created


@transaction.atomic
def season_application_decide(
    *,
    application: SeasonApplication,
    acting_user,
    decision: str,
    reason: str = "",
    moved_to: tuple[int, dt.time, dt.time] | None = None,
    request=None,
) -> SeasonApplication:
    """Grant, move (grant at another weekday/time) or refuse a submitted application.

    Granting or moving books every date of the season on that weekday — skipping school and
    public holidays and dates already past — as confirmed bookings labelled with the club's name,
    all in one transaction: if a single date is taken, nothing is written and the
    ``BookingError`` names the date. Refusing and moving need a reason, which the club sees.
    """
    application = SeasonApplication.objects.select_for_update().get(pk=application.pk)
    _season_require_manager(resource=application.resource, acting_user=acting_user)
    if application.status != SeasonApplicationStatus.SUBMITTED:
        raise BookingError("invalid", _("This application has already been decided."))
    reason = reason.strip()
    if decision not in ("grant", "move", "refuse"):
        raise BookingError("invalid", _("Unknown decision."))
    if decision in ("move", "refuse") and not reason:
        raise BookingError("invalid", _("Please give a reason for the club."))
    if decision == "move":
        if moved_to is None:
            raise BookingError("invalid", _("Please give the new weekday and times."))
        weekday, starts, ends = moved_to
        if not 0 <= weekday <= 6 or not starts < ends:
            raise BookingError("invalid", _("Please give a weekday and a start before the end."))
        application.weekday, application.starts, application.ends = weekday, starts, ends
    application.status = {
        "grant": SeasonApplicationStatus.GRANTED,
        "move": SeasonApplicationStatus.MOVED,
        "refuse": SeasonApplicationStatus.REFUSED,
    }[decision]
    application.decision_reason = reason
    application.full_clean()
    application.save()
    bookings = []
    if decision != "refuse":
        bookings = _season_generate(application=application, acting_user=acting_user, request=request)
    _season_audit(
        action=AuditActions(f"booking_season_{application.status}"),
        acting_user=acting_user,
        obj=application,
        request=request,
        bookings=len(bookings),
    )
    return application


def _season_booking(booking: Booking, acting_user) -> Booking:
    booking = Booking.objects.select_for_update().select_related("resource").get(pk=booking.pk)
    _season_require_manager(resource=booking.resource, acting_user=acting_user)
    if booking.season_application_id is None:
        raise BookingError("invalid", _("This booking is not a date of a season."))
    if booking.status not in HOLDING_STATUSES:
        raise BookingError("invalid", _("This date has already been cancelled."))
    return booking


@transaction.atomic
def season_date_cancel(*, booking: Booking, acting_user, reason: str, request=None) -> Booking:
    """Cancel one date of a granted season slot (a tournament, a closed hall); the others stay."""
    booking = _season_booking(booking, acting_user)
    if not reason.strip():
        raise BookingError("invalid", _("Please give a reason for the club."))
    return booking_cancel(booking=booking, acting_user=acting_user, reason=reason.strip(), request=request)


@transaction.atomic
def season_date_swap(
    *, booking: Booking, new_starts_at: dt.datetime, new_ends_at: dt.datetime, acting_user, request=None
) -> Booking:
    """Move one date of a season slot: the old date is cancelled and a new confirmed booking of
    the same club and application takes its place — both or neither."""
    booking = _season_booking(booking, acting_user)
    application = booking.season_application
    booking_cancel(
        booking=booking,
        acting_user=acting_user,
        reason=_("moved to %(when)s")
        % {"when": formats.date_format(timezone.localtime(new_starts_at), "SHORT_DATETIME_FORMAT")},
        request=request,
    )
    replacement = booking_create(
        resource=booking.resource,
        starts_at=new_starts_at,
        ends_at=new_ends_at,
        acting_user=acting_user,
        organisation=booking.organisation,
        channel=booking.channel,
        public_label=booking.public_label,
        status=BookingStatus.CONFIRMED,
        note=booking.note,
        request=request,
    )
    Booking.objects.filter(pk=replacement.pk).update(season_application=application)
    replacement.season_application = application
    return replacement


# --- changes ---
# Moving (rebooking) a booking to another free time of the same resource. Written by the
# changes helper; append-only section.

__all__ += ["booking_move"]

_MOVED = AuditActions.MOVED


def _move_status(old: Booking, new_fee: Decimal) -> str | None:
    """The status of the replacement: what was paid stays paid if the new time costs no more;
    otherwise (and for resources whose staff confirm each booking) the usual first status."""
    if old.resource.needs_confirmation:
        return None
    if old.status == BookingStatus.CONFIRMED and new_fee <= old.fee:
        return BookingStatus.CONFIRMED
    return None


@transaction.atomic
def booking_move(
    *,
    booking: Booking,
    new_starts_at: dt.datetime,
    new_ends_at: dt.datetime,
    acting_user,
    request=None,
) -> Booking:
    """Move ``booking`` to [new_starts_at, new_ends_at) of the same resource: one transaction
    that frees the old time and books the new one for the same person, organisation and channel
    with the fee recomputed. Refused before anything changes — if the new time is taken
    (``taken``), after the cancellation deadline (``cancel_deadline``, staff excepted), or for
    bookings that cannot be moved online (season dates, weddings with a registrar).

    The old time is freed first, so a booking may also be shifted into an overlapping time; if
    the new booking is refused, the transaction rolls back and the old booking stays as it was.
    """
    locked = _lock_booking(booking)
    if not acting_user.has_perm("booking.cancel_booking", locked):
        raise PermissionDenied(_("You may not change this booking."))
    if locked.status not in HOLDING_STATUSES:
        raise BookingError("invalid")
    resource = locked.resource
    own_units = set(resource_unit_ids(resource))
    held = set(locked.occupancies.filter(active=True).values_list("unit_id", flat=True))
    if locked.season_application_id is not None or held - own_units:
        raise BookingError(
            "invalid",
            _("This booking cannot be changed online. Please contact the office that manages it."),
        )
    now = timezone.now()
    if now > locked.starts_at - dt.timedelta(hours=resource.cancel_hours) and not is_resource_staff(
        acting_user, resource
    ):
        raise BookingError(
            "cancel_deadline",
            _(
                "The deadline for changing this booking online has passed. Please contact the "
                "office that manages the booking."
            ),
        )
    if new_starts_at == locked.starts_at and new_ends_at == locked.ends_at:
        raise BookingError("invalid", _("Please choose a time other than the current one."))
    new_fee = booking_fee(resource=resource, starts_at=new_starts_at, ends_at=new_ends_at)
    new_status = _move_status(locked, new_fee)
    _release(locked, BookingStatus.CANCELLED, now)
    # A refusal below rolls the whole transaction back, the release above included.
    replacement = booking_create(
        resource=resource,
        starts_at=new_starts_at,
        ends_at=new_ends_at,
        acting_user=acting_user,
        organisation=locked.organisation,
        channel=locked.channel,
        on_behalf_of=locked.booked_by,
        note=locked.note,
        public_label=locked.public_label,
        status=new_status,
        request=request,
    )
    _audit(
        AuditActions.CANCELLED,
        booking=locked,
        actor=acting_user,
        request=request,
        reason=f"moved to booking #{replacement.pk}",
    )
    _audit(_MOVED, booking=replacement, actor=acting_user, request=request, moved_from=locked.pk)
    _sync(booking, locked)
    return replacement
