"""Bookings: one engine for the wedding calendar, sports facilities, leisure facilities and
courses.

A bookable ``Resource`` is what a person chooses ("Dreifachhalle – ganze Halle", "Trauzimmer im
Alten Rathaus", "Grillplatz Westbad"). Underneath are ``Unit``s, the atomic things that can only
be used once at a time (each third of a hall, a room, one registrar). A resource occupies one or
more units: the whole hall occupies all three thirds, so the whole blocks every third and any
third blocks the whole. A ``Booking`` holds ``Occupancy`` rows, one per unit and time range; on
PostgreSQL an exclusion constraint forbids two active occupancies of one unit that overlap, so a
double booking is impossible even with many app processes. On SQLite every write transaction is
serialised (IMMEDIATE), and the service checks overlaps inside it.

Times are stored in UTC and shown in Europe/Berlin; buffers are part of the occupied range.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.accounts.models import Department, Organisation
from rathaus.catalog.constants import Channel
from rathaus.catalog.models import Service
from rathaus.core.models import TranslatedFieldsMixin

from .constants import (
    Audience,
    BookingStatus,
    EnrollmentStatus,
    ResourceKind,
    SeasonApplicationStatus,
)


class Unit(models.Model):
    """An atomic thing that can be used by one booking at a time."""

    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(_("code"), max_length=60, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name


class Resource(TranslatedFieldsMixin, models.Model):
    slug = models.SlugField(_("address name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=ResourceKind.choices)
    name = models.CharField(_("name (German)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = models.TextField(_("description (German)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    location = models.CharField(_("address"), max_length=200, blank=True)
    service = models.ForeignKey(
        Service,
        verbose_name=_("offered through the service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resources",
    )
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT)
    units = models.ManyToManyField(Unit, verbose_name=_("occupies"), related_name="resources")
    audience = models.CharField(
        _("who may book"), max_length=16, choices=Audience.choices, default=Audience.PUBLIC
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length in minutes"),
        null=True,
        blank=True,
        help_text=_("Empty for a free duration between the minimum and maximum."),
    )
    min_minutes = models.PositiveSmallIntegerField(_("minimum duration in minutes"), default=30)
    max_minutes = models.PositiveSmallIntegerField(_("maximum duration in minutes"), default=240)
    buffer_minutes = models.PositiveSmallIntegerField(_("buffer after each booking in minutes"), default=0)
    min_lead_hours = models.PositiveSmallIntegerField(_("book at least this many hours ahead"), default=0)
    horizon_days = models.PositiveSmallIntegerField(_("bookable this many days ahead"), default=90)
    closed_on_public_holidays = models.BooleanField(_("closed on public holidays"), default=True)
    fee_per_hour = models.DecimalField(
        _("fee per hour in euros"),
        max_digits=8,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    fee_flat = models.DecimalField(
        _("flat fee in euros"), max_digits=8, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    payment_minutes = models.PositiveSmallIntegerField(
        _("minutes to pay before a booking expires"), default=30
    )
    cancel_hours = models.PositiveSmallIntegerField(
        _("free cancellation until this many hours before"), default=24
    )
    needs_confirmation = models.BooleanField(_("staff confirm each booking"), default=False)
    is_active = models.BooleanField(_("bookable"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.translated("name")

    def audit_label(self) -> str:
        return self.slug


class OpeningHours(models.Model):
    """Regular opening hours per weekday (0 = Monday), local time."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=[(i, str(i)) for i in range(7)])
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["resource", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens__lt=models.F("closes")), name="booking_hours_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.weekday} {self.opens}-{self.closes}"


class OpeningException(models.Model):
    """A day with other hours than usual, or closed (no hours given)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="opening_exceptions")
    date = models.DateField(_("date"))
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource", "date"], name="booking_exception_unique"),
            models.CheckConstraint(
                condition=(models.Q(opens__isnull=True) & models.Q(closes__isnull=True))
                | models.Q(opens__lt=models.F("closes")),
                name="booking_exception_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.date}"


class Blackout(models.Model):
    """A time a unit cannot be booked (maintenance, events of the city)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="blackouts")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")), name="booking_blackout_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.starts_at:%Y-%m-%d}"


class SchoolHolidayPeriod(models.Model):
    """Bavarian school holidays, maintained by staff; seasons skip them."""

    name = models.CharField(_("name"), max_length=100)
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))

    class Meta:
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_day__lte=models.F("last_day")), name="booking_holiday_order"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Booking(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="bookings")
    starts_at = models.DateTimeField(_("from"), db_index=True)
    ends_at = models.DateTimeField(_("until"))
    status = models.CharField(_("status"), max_length=16, choices=BookingStatus.choices)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings"
    )
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.ONLINE)
    fee = models.DecimalField(_("fee"), max_digits=10, decimal_places=2, default=0)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    season_application = models.ForeignKey(
        "SeasonApplication", null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings"
    )
    public_label = models.CharField(
        _("shown in the public occupancy plan"),
        max_length=200,
        blank=True,
        help_text=_("The club's name, or empty for 'booked'. Never a private person's name."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")), name="booking_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.starts_at:%Y-%m-%d %H:%M}"

    def audit_label(self) -> str:
        return f"booking #{self.pk}"

    @property
    def duration(self) -> dt.timedelta:
        return self.ends_at - self.starts_at


class Occupancy(models.Model):
    """One unit held by one booking over [starts_at, ends_at) — buffer included.

    A booking usually holds the units of its resource; a wedding also holds one registrar's
    unit, so room and registrar are taken together or not at all.

    ``active`` is true while the booking holds its units; the PostgreSQL exclusion constraint
    (migration 0002) applies to active rows only.
    """

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="occupancies")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="occupancies")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    active = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["unit", "starts_at"], name="booking_occ_unit_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")), name="booking_occ_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.starts_at:%Y-%m-%d %H:%M}"


class Course(TranslatedFieldsMixin, models.Model):
    """A course: a series of dated sessions with a capacity and a waiting list."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(_("name (German)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = models.TextField(_("description (German)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="courses"
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT)
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.SET_NULL, related_name="courses"
    )
    capacity = models.PositiveSmallIntegerField(_("places"), validators=[MinValueValidator(1)])
    offer_hours = models.PositiveSmallIntegerField(_("hours to confirm an offered place"), default=48)
    fee = models.DecimalField(_("fee in euros"), max_digits=8, decimal_places=2, default=0)
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.translated("name")

    def audit_label(self) -> str:
        return self.slug


class CourseSession(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    booking = models.OneToOneField(
        Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")), name="booking_session_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course_id} {self.starts_at:%Y-%m-%d}"


class Enrollment(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrollments")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    status = models.CharField(_("status"), max_length=16, choices=EnrollmentStatus.choices)
    position = models.PositiveIntegerField(_("waiting list position"), default=0)
    offered_until = models.DateTimeField(_("offer valid until"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.ONLINE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["course", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "person"],
                condition=models.Q(status__in=["registered", "waitlisted", "offered"]),
                name="booking_one_active_enrollment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.course_id}: {self.person_id} {self.status}"


class Season(models.Model):
    """A sports season (e.g. September to June) for recurring weekly club slots."""

    name = models.CharField(_("name"), max_length=100)
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    applications_close = models.DateField(_("applications close"), null=True, blank=True)

    class Meta:
        ordering = ["-first_day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_day__lt=models.F("last_day")), name="booking_season_order"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SeasonApplication(models.Model):
    """A club's application for a recurring weekly slot in a season."""

    season = models.ForeignKey(Season, on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="season_applications"
    )
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="season_applications")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=[(i, str(i)) for i in range(7)])
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=SeasonApplicationStatus.choices,
        default=SeasonApplicationStatus.SUBMITTED,
    )
    decision_reason = models.CharField(_("reason"), max_length=300, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["season", "resource", "weekday", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts__lt=models.F("ends")), name="booking_application_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.weekday} {self.starts}"
