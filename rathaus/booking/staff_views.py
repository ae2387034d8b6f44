"""Bookings back office ("Buchungen verwalten"): each resource's calendar by day, week and month,
booking at the counter or on the phone, blocking times, confirming provisional wedding dates,
and the season allocation of sports facilities with its exceptions.

Only staff of the resource's department (``booking.manage_resource``) see a resource; anything
else reads as missing (404) and the refusal is audited. The calendars show who booked as a club
or "private person"; a private person's name appears only on the booking's page, and each
opening of it is recorded for that person to see.
"""

from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.cases.rules import department_role_ids
from rathaus.core.audit import audit_record
from rathaus.core.constants import AuditAction
from rathaus.core.permissions import audit_denial, login_required_for

from . import services
from .availability import registrar_unit_ids
from .constants import HOLDING_STATUSES, BookingStatus, ResourceKind, SeasonApplicationStatus
from .models import Blackout, Booking, Resource, Season, SeasonApplication, Unit
from .staff_forms import BlackoutForm, CancelForm, DecisionForm, StaffBookingForm, SwapForm

MANAGE = "booking.manage_resource"
BERLIN = ZoneInfo("Europe/Berlin")
VIEWS = {"tag": "day", "woche": "week", "monat": "month"}


# --- access -----------------------------------------------------------------------------------


def _managed_resources(user):
    return Resource.objects.filter(department_id__in=department_role_ids(user)).select_related("department")


def _resource(request, slug: str) -> Resource:
    resource = Resource.objects.select_related("department").filter(slug=slug).first()
    return _checked(request, resource, resource)


def _checked(request, obj, resource: Resource | None):
    """``obj`` if the user manages ``resource``; else 404, audited."""
    if obj is None or resource is None:
        raise Http404
    if not request.user.has_perm(MANAGE, resource):
        audit_denial(request=request, perm=MANAGE, obj=obj)
        raise Http404
    return obj


def _booking(request, pk: int) -> Booking:
    booking = (
        Booking.objects.select_related(
            "resource__department", "organisation", "booked_by", "season_application"
        )
        .filter(pk=pk)
        .first()
    )
    return _checked(request, booking, booking.resource if booking else None)


def _staff_only(view):
    """Login, then a caseworker or head role in some department (403 otherwise, audited)."""

    @login_required_for(MANAGE)
    def wrapped(request, *args, **kwargs):
        if not department_role_ids(request.user):
            audit_denial(request=request, perm=MANAGE)
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _run(request, action, success: str) -> bool:
    try:
        action()
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])) or _("This is not possible."))
        return False
    messages.success(request, success)
    return True


# --- overview and calendars -------------------------------------------------------------------


@_staff_only
def index(request):
    """The resources of the caller's departments, and provisional bookings awaiting a decision."""
    resources = _managed_resources(request.user).order_by("kind", "name")
    pending = (
        Booking.objects.filter(
            resource__in=resources, status=BookingStatus.PROVISIONAL, starts_at__gte=timezone.now()
        )
        .select_related("resource")
        .order_by("starts_at")[:100]
    )
    seasons = Season.objects.filter(applications__resource__in=resources).distinct()
    return render(
        request,
        "booking/staff/index.html",
        {"resources": resources, "pending": pending, "seasons": seasons, "title": _("Manage bookings")},
    )


def _range(view: str, day: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """First and last day shown, and the days the previous and next links go to."""
    if view == "day":
        return day, day, day - dt.timedelta(days=1), day + dt.timedelta(days=1)
    if view == "week":
        first = day - dt.timedelta(days=day.weekday())
        return first, first + dt.timedelta(days=6), first - dt.timedelta(days=7), first + dt.timedelta(days=7)
    first = day.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, last, (first - dt.timedelta(days=1)).replace(day=1), last + dt.timedelta(days=1)


def _calendar_days(resource: Resource, first: dt.date, last: dt.date) -> list[tuple[dt.date, list[Booking]]]:
    start = dt.datetime.combine(first, dt.time(), tzinfo=BERLIN)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=BERLIN)
    unit_ids = list(resource.units.values_list("pk", flat=True))
    bookings = (
        Booking.objects.filter(
            status__in=HOLDING_STATUSES,
            starts_at__lt=end,
            ends_at__gt=start,
            occupancies__unit_id__in=unit_ids,
        )
        .select_related("resource", "organisation")
        .distinct()
        .order_by("starts_at")
    )
    by_day: dict[dt.date, list[Booking]] = {}
    for booking in bookings:
        by_day.setdefault(booking.starts_at.astimezone(BERLIN).date(), []).append(booking)
    days, day = [], first
    while day <= last:
        days.append((day, by_day.get(day, [])))
        day += dt.timedelta(days=1)
    return days


@_staff_only
def resource_calendar(request, slug: str):
    resource = _resource(request, slug)
    view = VIEWS.get(request.GET.get("ansicht", ""), "week")
    day = parse_date(request.GET.get("datum", "") or "") or timezone.localdate()
    first, last, previous, following = _range(view, day)
    blackouts = Blackout.objects.filter(
        unit__in=resource.units.all(),
        starts_at__lt=dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=BERLIN),
        ends_at__gt=dt.datetime.combine(first, dt.time(), tzinfo=BERLIN),
    )
    context = {
        "resource": resource,
        "view": view,
        "view_param": {v: k for k, v in VIEWS.items()}[view],
        "day": day,
        "first": first,
        "last": last,
        "previous": previous,
        "following": following,
        "days": _calendar_days(resource, first, last),
        "blackouts": blackouts.select_related("unit").order_by("starts_at"),
        "title": _("Calendar %(resource)s") % {"resource": resource.display_name},
    }
    return render(request, "booking/staff/calendar.html", context)


# --- booking for someone, blocking -------------------------------------------------------------


@_staff_only
def book_for(request, slug: str):
    """Book at the counter, on the phone or from a letter; the channel is recorded."""
    resource = _resource(request, slug)
    wedding = _is_wedding_room(resource)
    form = StaffBookingForm(request.POST or None, initial={"channel": "counter"}, wedding=wedding)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = data.get("organisation")
        booked = []

        def action():
            if wedding:  # the room and a free registrar, both or neither
                booked.append(
                    services.wedding_book(
                        room=resource,
                        starts_at=data["starts_at"],
                        acting_user=request.user,
                        on_behalf_of=data["email"],
                        channel=data["channel"],
                        note=data["note"],
                        request=request,
                    )
                )
                return
            booked.append(
                services.booking_create(
                    resource=resource,
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    acting_user=request.user,
                    organisation=organisation,
                    channel=data["channel"],
                    on_behalf_of=data["email"],
                    note=data["note"],
                    public_label=organisation.name if organisation else "",
                    status=BookingStatus.CONFIRMED if data["paid"] else None,
                    request=request,
                )
            )

        if _run(request, action, _("The booking has been entered.")):
            return redirect("booking_staff:booking", pk=booked[0].pk)
    title = _("Book %(resource)s for someone") % {"resource": resource.display_name}
    return render(request, "booking/staff/book.html", {"resource": resource, "form": form, "title": title})


def _is_wedding_room(resource: Resource) -> bool:
    """A room of a department with registrars: booked as a wedding (room and registrar)."""
    return resource.kind == ResourceKind.ROOM and bool(registrar_unit_ids(resource))


@_staff_only
def block(request, slug: str):
    """Block a time (maintenance, a city event) on one part or all parts of the resource."""
    resource = _resource(request, slug)
    units = list(resource.units.all())
    form = BlackoutForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = units if data["unit"] == "all" else [u for u in units if str(u.pk) == data["unit"]]
        conflicts: list[Booking] = []

        def action():
            with transaction.atomic():
                for unit in chosen:
                    blackout = services.blackout_create(
                        unit=unit,
                        starts_at=data["starts_at"],
                        ends_at=data["ends_at"],
                        reason=data["reason"],
                        acting_user=request.user,
                        force=data["force"],
                    )
                    conflicts.extend(getattr(blackout, "conflicts", []))

        if _run(request, action, _("The time has been blocked.")):
            if conflicts:
                numbers = ", ".join(sorted({f"#{b.pk}" for b in conflicts}))
                messages.warning(
                    request, _("Please contact the holders of these bookings: %(list)s") % {"list": numbers}
                )
            return redirect("booking_staff:calendar", slug=resource.slug)
    title = _("Block %(resource)s") % {"resource": resource.display_name}
    return render(request, "booking/staff/block.html", {"resource": resource, "form": form, "title": title})


# --- one booking ------------------------------------------------------------------------------


@_staff_only
def booking_detail(request, pk: int):
    booking = _booking(request, pk)
    if booking.booked_by_id and booking.booked_by_id != request.user.pk:
        audit_record(
            action=AuditAction.PERSONAL_DATA_READ,
            actor=request.user,
            obj=booking,
            subject_user_id=booking.booked_by_id,
            request=request,
            details={"item": "Buchung"},
        )
    context = {
        "booking": booking,
        "holding": booking.status in HOLDING_STATUSES,
        "cancel_form": CancelForm(),
        "swap_form": SwapForm() if booking.season_application_id else None,
        "title": _("Booking #%(number)s") % {"number": booking.pk},
    }
    return render(request, "booking/staff/booking_detail.html", context)


@require_POST
@_staff_only
def booking_confirm(request, pk: int):
    """Confirm a provisional booking (a reserved wedding date)."""
    booking = _booking(request, pk)
    _run(
        request,
        lambda: services.booking_confirm(booking=booking, acting_user=request.user, request=request),
        _("The booking has been confirmed."),
    )
    return redirect("booking_staff:booking", pk=booking.pk)


@require_POST
@_staff_only
def booking_cancel(request, pk: int):
    """Cancel a booking; a date of a season slot is cancelled as an exception, the others stay."""
    booking = _booking(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a reason."))
        return redirect("booking_staff:booking", pk=booking.pk)
    reason = form.cleaned_data["reason"]
    if booking.season_application_id:
        action = lambda: services.season_date_cancel(  # noqa: E731
            booking=booking, acting_user=request.user, reason=reason, request=request
        )
    else:
        action = lambda: services.booking_cancel(  # noqa: E731
            booking=booking, acting_user=request.user, reason=reason, request=request
        )
    _run(request, action, _("The booking has been cancelled."))
    return redirect("booking_staff:booking", pk=booking.pk)


@require_POST
@_staff_only
def booking_swap(request, pk: int):
    """Move one date of a season slot to another time."""
    booking = _booking(request, pk)
    form = SwapForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("booking_staff:booking", pk=booking.pk)
    moved = []
    done = _run(
        request,
        lambda: moved.append(
            services.season_date_swap(
                booking=booking,
                new_starts_at=form.cleaned_data["starts_at"],
                new_ends_at=form.cleaned_data["ends_at"],
                acting_user=request.user,
                request=request,
            )
        ),
        _("The date has been moved."),
    )
    return redirect("booking_staff:booking", pk=moved[0].pk if done else booking.pk)


# --- seasons ----------------------------------------------------------------------------------


@_staff_only
def seasons(request):
    return render(
        request,
        "booking/staff/seasons.html",
        {"seasons": Season.objects.all(), "title": _("Season allocation")},
    )


@_staff_only
def season_detail(request, pk: int):
    """Applications of a season per facility, conflicts highlighted, each with a decision form."""
    season = Season.objects.filter(pk=pk).first()
    if season is None:
        raise Http404
    managed = _managed_resources(request.user).filter(season_applications__season=season).distinct()
    chosen = managed.filter(slug=request.GET.get("anlage", "")).first()
    applications = (
        SeasonApplication.objects.filter(season=season, resource__in=managed)
        .select_related("organisation", "resource")
        .prefetch_related(Prefetch("resource__units", queryset=Unit.objects.all()))
    )
    conflicts = services.season_conflicts(season=season, resource=chosen)
    if chosen is not None:
        unit_ids = set(chosen.units.values_list("pk", flat=True))
        applications = applications.filter(resource__units__in=unit_ids).distinct()
    rivals: dict[int, list[SeasonApplication]] = {}
    for a, b in conflicts:
        rivals.setdefault(a.pk, []).append(b)
        rivals.setdefault(b.pk, []).append(a)
    rows = [
        {
            "application": application,
            "rivals": rivals.get(application.pk, []),
            "form": DecisionForm(prefix=f"a{application.pk}")
            if application.status == SeasonApplicationStatus.SUBMITTED
            else None,
        }
        for application in applications.order_by("weekday", "starts", "resource__name")
    ]
    context = {
        "season": season,
        "facilities": managed.order_by("name"),
        "chosen": chosen,
        "rows": rows,
        "conflict_count": len(conflicts),
        "title": season.name,
    }
    return render(request, "booking/staff/season_detail.html", context)


@require_POST
@_staff_only
def application_decide(request, pk: int):
    application = (
        SeasonApplication.objects.select_related("resource__department", "season").filter(pk=pk).first()
    )
    application = _checked(request, application, application.resource if application else None)
    form = DecisionForm(request.POST, prefix=f"a{application.pk}")
    back = redirect(f"{_season_url(application)}#antrag-{application.pk}")
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return back
    data = form.cleaned_data
    _run(
        request,
        lambda: services.season_application_decide(
            application=application,
            acting_user=request.user,
            decision=data["decision"],
            reason=data["reason"],
            moved_to=data["moved_to"],
            request=request,
        ),
        _("The application has been decided."),
    )
    return back


def _season_url(application: SeasonApplication) -> str:
    return (
        reverse("booking_staff:season", kwargs={"pk": application.season_id})
        + f"?anlage={application.resource.slug}"
    )
