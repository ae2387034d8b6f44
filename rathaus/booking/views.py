"""Citizen pages of bookings ("Buchen") and courses, and the course pages of the staff.

Resources and courses are public to read; everything a person owns (a booking, an enrollment) or
manages (a course's participants) is fetched through ``access_object`` with a rules permission,
so a stranger's booking reads as missing (404) and the refusal is audited.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import OrderedDict
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Min, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.accounts.models import Organisation
from rathaus.accounts.selectors import organisations_of
from rathaus.core.audit import audit_record
from rathaus.core.constants import AuditAction
from rathaus.core.errors import error_text
from rathaus.core.permissions import access_object, audit_denial, login_required_for

from . import availability, ical, selectors, services
from .constants import Audience, BookingStatus, EnrollmentStatus, ResourceKind
from .forms import CourseMessageForm, SeasonApplicationForm, SlotForm, WeddingSlotForm, WeekForm
from .models import Booking, Course, Enrollment, Resource, Season, SeasonApplication

BERLIN = ZoneInfo("Europe/Berlin")
BOOK = "booking.book_resource"
VIEW_BOOKING = "booking.view_booking"
CANCEL_BOOKING = "booking.cancel_booking"
VIEW_ENROLLMENT = "booking.view_enrollment"
MANAGE_COURSE = "booking.manage_course"


def _bookable_resources():
    return Resource.objects.filter(is_active=True).exclude(audience=Audience.STAFF)


# --- resources and bookings -----------------------------------------------------------------


def resource_list(request):
    groups: OrderedDict[str, list[Resource]] = OrderedDict()
    for resource in _bookable_resources().exclude(kind=ResourceKind.COURSE).order_by("kind", "name"):
        groups.setdefault(resource.get_kind_display(), []).append(resource)
    courses = Course.objects.count()
    return render(
        request,
        "booking/resource_list.html",
        {
            "groups": groups,
            "has_courses": bool(courses),
            "season_kind": str(ResourceKind.FACILITY.label),
            "title": _("Book rooms and facilities"),
        },
    )


def _week_days(request) -> tuple[dt.date, WeekForm]:
    form = WeekForm(request.GET)
    today = timezone.localdate()
    return form.week_start(today), form


def _durations(resource: Resource) -> list[int]:
    if resource.slot_minutes:
        return []
    step = 30
    return list(range(max(resource.min_minutes, step), resource.max_minutes + 1, step))


def _bookable_times(windows: list[availability.Slot], duration: int | None) -> list[availability.Slot]:
    """Free-duration resources give free windows; each button books one time of the chosen
    duration, so a window is cut into consecutive times of that length."""
    if not duration:
        return windows
    step = dt.timedelta(minutes=duration)
    times = []
    for window in windows:
        start = window.starts_at
        while start + step <= window.ends_at:
            times.append(availability.Slot(starts_at=start, ends_at=start + step))
            start += step
    return times


def _week_context(
    resource: Resource, request, *, monday: dt.date, duration: int | None, wedding: bool = False
) -> dict:
    if wedding:  # the room and at least one registrar free
        windows = availability.free_wedding_slots(resource, start=monday, end=monday + dt.timedelta(days=6))
    else:
        windows = availability.free_slots(
            resource, start=monday, end=monday + dt.timedelta(days=6), duration_minutes=duration
        )
    slots = _bookable_times(windows, duration)
    days = OrderedDict((monday + dt.timedelta(days=i), []) for i in range(7))
    for slot in slots:
        day = slot.starts_at.astimezone(BERLIN).date()
        if day in days:
            days[day].append(slot)
    today = timezone.localdate()
    previous = monday - dt.timedelta(days=7)
    horizon = today + dt.timedelta(days=resource.horizon_days)
    # A time starting sooner than the free-cancellation period can be booked, but the person
    # should know before the click that it cannot be cancelled online free of charge.
    late_before = timezone.now() + dt.timedelta(hours=resource.cancel_hours)
    return {
        "resource": resource,
        "monday": monday,
        "sunday": monday + dt.timedelta(days=6),
        "days": list(days.items()),
        "slot_count": len(slots),
        "previous": previous if previous + dt.timedelta(days=6) >= today else None,
        "next": monday + dt.timedelta(days=7) if monday + dt.timedelta(days=7) <= horizon else None,
        "duration": duration,
        "durations": _durations(resource),
        "can_book": request.user.has_perm(BOOK, resource),
        "late_before": late_before,
        "late_count": sum(slot.starts_at < late_before for slot in slots),
        "cancel_hours": resource.cancel_hours,
    }


def resource_detail(request, slug: str):
    """The week of free slots; htmx swaps only the week when paging."""
    resource = get_object_or_404(_bookable_resources(), slug=slug)
    monday, form = _week_days(request)
    durations = _durations(resource)
    duration = None
    if durations:
        wanted = form.cleaned_data.get("dauer") if form.is_valid() else None
        duration = wanted if wanted in durations else durations[0]
    context = _week_context(resource, request, monday=monday, duration=duration)
    context["title"] = resource.display_name
    context["description"] = resource.translated("description")
    template = "booking/_week.html" if request.htmx else "booking/resource_detail.html"
    return render(request, template, context)


@require_POST
@login_required_for(BOOK)
def booking_create(request, slug: str):
    resource = access_object(request, _bookable_resources(), perm=BOOK, slug=slug)
    form = SlotForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose a free time."))
        return redirect("booking:resource", slug=slug)
    try:
        booking = services.booking_create(
            resource=resource,
            starts_at=form.cleaned_data["starts_at"],
            ends_at=form.cleaned_data["ends_at"],
            acting_user=request.user,
            request=request,
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        monday = form.cleaned_data["starts_at"].astimezone(BERLIN).date()
        return redirect(f"{reverse('booking:resource', args=[slug])}?ab={monday.isoformat()}")
    messages.success(request, _("Your booking has been saved."))
    _warn_if_past_free_cancellation(request, booking)
    return redirect("booking:detail", pk=booking.pk)


def _warn_if_past_free_cancellation(request, booking: Booking) -> None:
    if timezone.now() >= cancel_deadline(booking):
        messages.warning(
            request,
            _(
                "This time starts within the free-cancellation period: the booking can no longer "
                "be cancelled online free of charge."
            ),
        )


def _own_booking(request, pk: int, perm: str = VIEW_BOOKING) -> Booking:
    queryset = Booking.objects.select_related("resource", "resource__department")
    return access_object(request, queryset, perm=perm, pk=pk)


def cancel_deadline(booking: Booking) -> dt.datetime:
    return booking.starts_at - dt.timedelta(hours=booking.resource.cancel_hours)


def _cancellable(booking: Booking, now: dt.datetime) -> bool:
    return (
        booking.status
        in (
            BookingStatus.PROVISIONAL,
            BookingStatus.PAYMENT_PENDING,
            BookingStatus.CONFIRMED,
        )
        and now < booking.starts_at
    )


@login_required_for(VIEW_BOOKING)
def booking_detail(request, pk: int):
    """The confirmation page: what, when, the fee, until when to pay, and what comes next."""
    booking = _own_booking(request, pk)
    now = timezone.now()
    context = {
        "booking": booking,
        "title": booking.resource.display_name,
        "cancellable": _cancellable(booking, now),
        "cancel_deadline": cancel_deadline(booking),
        "deadline_passed": now >= cancel_deadline(booking),
        "payment_pending": booking.status == BookingStatus.PAYMENT_PENDING,
        "provisional": booking.status == BookingStatus.PROVISIONAL,
    }
    context["movable"] = _movable(request, booking, now)
    if context["movable"]:
        context.update(_move_week_context(request, booking))
        if request.htmx:
            return render(request, "booking/_week.html", context)
    return render(request, "booking/booking_detail.html", context)


@require_POST
@login_required_for(CANCEL_BOOKING)
def booking_cancel(request, pk: int):
    booking = _own_booking(request, pk, CANCEL_BOOKING)
    try:
        services.booking_cancel(booking=booking, acting_user=request.user, request=request)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Your booking has been cancelled."))
    return redirect("booking:mine")


def _movable(request, booking: Booking, now: dt.datetime) -> bool:
    """Whether the page offers other times: a holding booking of the person (or their club)
    before the cancellation deadline that holds only its resource's units (no season date, no
    wedding with a registrar); ``services.booking_move`` checks all of it again."""
    if not _cancellable(booking, now) or now >= cancel_deadline(booking):
        return False
    if booking.season_application_id is not None:
        return False
    if not request.user.has_perm(CANCEL_BOOKING, booking):
        return False
    own_units = set(booking.resource.units.values_list("pk", flat=True))
    held = set(booking.occupancies.filter(active=True).values_list("unit_id", flat=True))
    return not held - own_units


def _move_week_context(request, booking: Booking) -> dict:
    """The week partial of the resource, its buttons moving this booking (same duration)."""
    resource = booking.resource
    form = WeekForm(request.GET)
    today = timezone.localdate()
    if form.is_valid() and form.cleaned_data.get("ab"):
        monday = form.week_start(today)
    else:
        day = max(booking.starts_at.astimezone(BERLIN).date(), today)
        monday = day - dt.timedelta(days=day.weekday())
    duration = None if resource.slot_minutes else int(booking.duration.total_seconds() // 60)
    context = _week_context(resource, request, monday=monday, duration=duration)
    context["can_book"] = True
    context["move_booking"] = booking
    return context


@require_POST
@login_required_for(CANCEL_BOOKING)
def booking_move(request, pk: int):
    """Move the booking to the chosen free time; the old time is freed in the same step."""
    booking = _own_booking(request, pk, CANCEL_BOOKING)
    form = SlotForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose a free time."))
        return redirect("booking:detail", pk=booking.pk)
    try:
        moved = services.booking_move(
            booking=booking,
            new_starts_at=form.cleaned_data["starts_at"],
            new_ends_at=form.cleaned_data["ends_at"],
            acting_user=request.user,
            request=request,
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        monday = form.cleaned_data["starts_at"].astimezone(BERLIN).date()
        return redirect(f"{reverse('booking:detail', args=[booking.pk])}?ab={monday.isoformat()}")
    messages.success(request, _("Your booking has been moved. The previous time is free again."))
    _warn_if_past_free_cancellation(request, moved)
    return redirect("booking:detail", pk=moved.pk)


@login_required_for(VIEW_BOOKING)
def booking_ics(request, pk: int):
    booking = _own_booking(request, pk)
    language = request.user.preferred_language or request.LANGUAGE_CODE or "de"
    response = HttpResponse(
        ical.booking_invitation(booking, language=language), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="buchung-{booking.pk}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required_for(VIEW_BOOKING)
def mine(request):
    """Meine Buchungen: upcoming and past bookings, course registrations."""
    now = timezone.now()
    bookings = list(
        selectors.bookings_for_user(user=request.user)
        .select_related("resource__department")
        .order_by("-starts_at")[:200]
    )
    for booking in bookings:
        booking.cancellable = _cancellable(booking, now)
        booking.deadline_passed = now >= cancel_deadline(booking)
    enrollments = list(
        Enrollment.objects.filter(person=request.user)
        .select_related("course")
        .annotate(first_start=Min("course__sessions__starts_at"))
        .order_by("-created_at")
    )
    for enrollment in enrollments:
        enrollment.cancellable = services.enrollment_cancellable(enrollment, now=now)
        if enrollment.status == EnrollmentStatus.WAITLISTED:
            enrollment.place_in_line = (
                Enrollment.objects.filter(
                    course_id=enrollment.course_id,
                    status=EnrollmentStatus.WAITLISTED,
                    position__lt=enrollment.position,
                ).count()
                + 1
            )
    context = {
        "upcoming": [b for b in bookings if b.ends_at >= now][::-1],
        "past": [b for b in bookings if b.ends_at < now],
        "enrollments": enrollments,
        "title": _("My bookings"),
    }
    return render(request, "booking/mine.html", context)


# --- season applications of clubs ------------------------------------------------------------

APPLY_SEASON = "booking.apply_season"


def _open_seasons():
    """Seasons that take applications: no closing date, or one not yet passed (as
    ``services.season_apply`` counts it), and not over."""
    today = timezone.localdate()
    return Season.objects.filter(
        Q(applications_close__isnull=True) | Q(applications_close__gte=today), last_day__gte=today
    ).order_by("first_day")


def _season_resources():
    return Resource.objects.filter(
        is_active=True, kind=ResourceKind.FACILITY, audience=Audience.ORGANISATIONS
    ).order_by("name")


def _audit_forged_organisation(request, form: SeasonApplicationForm) -> None:
    """An organisation id outside the person's own is no slip of the hand: audit the refusal."""
    if "organisation" not in form.errors:
        return
    try:
        organisation = Organisation.objects.get(pk=form.data.get("organisation"))
    except (Organisation.DoesNotExist, ValueError, TypeError, ValidationError):
        return
    audit_denial(request=request, perm=APPLY_SEASON, obj=organisation)


def _club_applications(organisations, today: dt.date) -> list[SeasonApplication]:
    """The applications of the person's organisations for seasons not yet over."""
    weekdays = dict(SeasonApplicationForm.base_fields["weekday"].choices)
    applications = list(
        SeasonApplication.objects.filter(organisation__in=organisations, season__last_day__gte=today)
        .select_related("season", "organisation", "resource")
        .order_by("season__first_day", "organisation__name", "weekday", "starts", "pk")
    )
    for application in applications:
        application.weekday_label = weekdays.get(application.weekday, "")
    return applications


@login_required_for(APPLY_SEASON)
def season_applications(request):
    """Members of a club apply for a weekly slot in a season and see their club's applications."""
    organisations = organisations_of(request.user)
    context = {"title": _("Apply for a season slot"), "is_member": organisations.exists()}
    if not context["is_member"]:
        return render(request, "booking/season_applications.html", context)
    seasons, resources = _open_seasons(), _season_resources()
    form = SeasonApplicationForm(
        request.POST if request.method == "POST" else None,
        organisations=organisations,
        seasons=seasons,
        resources=resources,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.season_apply(
                    season=data["season"],
                    organisation=data["organisation"],
                    resource=data["resource"],
                    weekday=data["weekday"],
                    starts=data["starts"],
                    ends=data["ends"],
                    purpose=data["purpose"],
                    acting_user=request.user,
                    request=request,
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(
                    request, _("Your application has been submitted. The sports office will decide on it.")
                )
                return redirect("booking:season")
        else:
            _audit_forged_organisation(request, form)
        status = 422
    today = timezone.localdate()
    context.update(
        {
            "form": form,
            "has_seasons": seasons.exists(),
            "has_resources": resources.exists(),
            "applications": _club_applications(organisations, today),
        }
    )
    return render(request, "booking/season_applications.html", context, status=status)


# --- wedding calendar -----------------------------------------------------------------------


def _wedding_rooms():
    return services.wedding_rooms()


def wedding(request):
    """Pick a room of the registry office and a free date; the office confirms later."""
    rooms = list(_wedding_rooms())
    room = None
    if rooms:
        wanted = request.GET.get("raum")
        room = next((r for r in rooms if r.slug == wanted), rooms[0])
    context = {"rooms": rooms, "room": room, "title": _("Wedding calendar")}
    if room is not None:
        monday, _form = _week_days(request)
        context.update(_week_context(room, request, monday=monday, duration=None, wedding=True))
        context["wedding"] = True
    template = "booking/_week.html" if request.htmx and room else "booking/wedding.html"
    return render(request, template, context)


@require_POST
@login_required_for(BOOK)
def wedding_reserve(request, slug: str):
    room = access_object(request, _wedding_rooms(), perm=BOOK, slug=slug)
    form = WeddingSlotForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose a free time."))
        return redirect(f"{reverse('booking:wedding')}?raum={slug}")
    try:
        booking = services.wedding_reserve(
            room=room, starts_at=form.cleaned_data["starts_at"], acting_user=request.user, request=request
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect(f"{reverse('booking:wedding')}?raum={slug}")
    messages.success(request, _("Your date is reserved provisionally. The registry office will confirm it."))
    return redirect("booking:detail", pk=booking.pk)


# --- courses --------------------------------------------------------------------------------


def _courses():
    return Course.objects.select_related("department").annotate(
        first_start=Min("sessions__starts_at"),
        taken=Count(
            "enrollments",
            filter=Q(enrollments__status__in=[EnrollmentStatus.REGISTERED, EnrollmentStatus.OFFERED]),
            distinct=True,
        ),
    )


def course_list(request):
    now = timezone.now()
    courses = [
        c for c in _courses().order_by("first_start", "name") if not c.first_start or c.first_start > now
    ]
    for course in courses:
        course.free = max(course.capacity - course.taken, 0)
    return render(request, "booking/course_list.html", {"courses": courses, "title": _("Courses")})


def course_detail(request, slug: str):
    course = get_object_or_404(_courses(), slug=slug)
    own = None
    if request.user.is_authenticated:
        own = course.enrollments.filter(
            person=request.user,
            status__in=[EnrollmentStatus.REGISTERED, EnrollmentStatus.WAITLISTED, EnrollmentStatus.OFFERED],
        ).first()
    context = {
        "course": course,
        "sessions": course.sessions.all(),
        "free": max(course.capacity - course.taken, 0),
        "open": services.course_registration_open(course),
        "own": own,
        "manage": request.user.has_perm(MANAGE_COURSE, course),
        "description": course.translated("description"),
        "title": course.display_name,
    }
    return render(request, "booking/course_detail.html", context)


@require_POST
@login_required_for(VIEW_ENROLLMENT)
def course_register(request, slug: str):
    course = get_object_or_404(Course, slug=slug)
    try:
        enrollment = services.course_register(course=course, acting_user=request.user, request=request)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect("booking:course", slug=slug)
    if enrollment.status == EnrollmentStatus.REGISTERED:
        messages.success(request, _("You are registered for the course."))
    else:
        messages.info(
            request,
            _(
                "The course is full. You are on the waiting list; we will offer you a place as soon as one frees up."
            ),
        )
    return redirect("booking:mine")


def _own_enrollment(request, pk: int, perm: str = VIEW_ENROLLMENT) -> Enrollment:
    return access_object(request, Enrollment.objects.select_related("course"), perm=perm, pk=pk)


@require_POST
@login_required_for(VIEW_ENROLLMENT)
def offer_confirm(request, pk: int):
    enrollment = _own_enrollment(request, pk)
    try:
        services.offer_confirm(enrollment=enrollment, acting_user=request.user, request=request)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("You have taken the place. You are registered for the course."))
    return redirect("booking:mine")


@require_POST
@login_required_for("booking.cancel_enrollment")
def enrollment_cancel(request, pk: int):
    enrollment = _own_enrollment(request, pk, "booking.cancel_enrollment")
    try:
        services.enrollment_cancel(enrollment=enrollment, acting_user=request.user, request=request)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Your course registration has been cancelled."))
    return redirect("booking:mine")


# --- course participants (staff) -----------------------------------------------------------

EXPORT_COLUMNS = ("status", "position", "last_name", "first_name", "email", "phone", "registered")


def _participants(course: Course):
    return (
        course.enrollments.exclude(status__in=[EnrollmentStatus.CANCELLED, EnrollmentStatus.OFFER_EXPIRED])
        .select_related("person")
        .order_by("status", "position", "created_at", "id")
    )


def _participant_rows(course: Course) -> list[list[str]]:
    rows = []
    for enrollment in _participants(course):
        person = enrollment.person
        rows.append(
            [
                str(enrollment.get_status_display()),
                str(enrollment.position or ""),
                person.last_name,
                person.first_name,
                person.email,
                getattr(person, "phone", "") or "",
                timezone.localtime(enrollment.created_at).strftime("%d.%m.%Y %H:%M"),
            ]
        )
    return rows


def _export_headers() -> list[str]:
    return [
        _("Status"),
        _("Waiting list position"),
        _("Last name"),
        _("First name"),
        _("E-mail"),
        _("Phone"),
        _("Registered on"),
    ]


def _csv_export(course: Course) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(_export_headers())
    writer.writerows(_participant_rows(course))
    # BOM so that spreadsheet programs read the umlauts as UTF-8.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="teilnehmende-{course.slug}.csv"'
    return response


def _xlsx_export(course: Course) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Participants")[:31]
    sheet.append(_export_headers())
    for row in _participant_rows(course):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="teilnehmende-{course.slug}.xlsx"'
    return response


@login_required_for(MANAGE_COURSE)
def course_participants(request, slug: str):
    """The participant list; ``?format=csv`` or ``xlsx`` downloads it (an audited read)."""
    course = access_object(request, _courses(), perm=MANAGE_COURSE, slug=slug)
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        audit_record(
            action=AuditAction.PERSONAL_DATA_READ,
            actor=request.user,
            obj=course,
            request=request,
            details={"export": export},
        )
        response = _csv_export(course) if export == "csv" else _xlsx_export(course)
        response["Cache-Control"] = "private, no-store"
        return response
    context = {
        "course": course,
        "participants": _participants(course),
        "message_form": CourseMessageForm(),
        "title": _("Participants: %(course)s") % {"course": course.display_name},
    }
    return render(request, "booking/course_participants.html", context)


@require_POST
@login_required_for(MANAGE_COURSE)
def course_message(request, slug: str):
    course = access_object(request, Course.objects.all(), perm=MANAGE_COURSE, slug=slug)
    form = CourseMessageForm(request.POST)
    if form.is_valid():
        try:
            count = services.course_message_send(
                course=course, acting_user=request.user, body=form.cleaned_data["body"], request=request
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("The message was sent to %(count)s participants.") % {"count": count})
    else:
        messages.error(request, _("Please write a message."))
    return redirect("booking:participants", slug=slug)
