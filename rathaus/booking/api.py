"""Bookings API: resources, free slots and occupancy plans to read for everyone; booking and
cancelling for people with an account.

Reads are anonymous and name nobody: an occupancy plan shows a club's name or "booked", as on
the public page. Writes run through the same services as the pages (``booking_create``,
``booking_cancel``). A refused booking answers with the ``BookingError`` code and message:
409 when the time was taken in the meantime (``taken``), otherwise 400; a booking that is not
yours reads as missing (404).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from rathaus.accounts.models import Organisation
from rathaus.core.permissions import audit_denial

from . import services
from .availability import free_slots
from .constants import ResourceKind
from .errors import BookingError
from .models import Booking, Resource
from .occupancy_views import parse_week, public_resources, week_plan

__all__ = [
    "BookingCancelView",
    "BookingCreateView",
    "FreeSlotListView",
    "OccupancyPlanView",
    "ResourceDetailView",
    "ResourceListView",
]

MAX_SLOT_DAYS = 62


def listed_resources():
    """Resources anyone may look at through the API (registrars' time is not listed)."""
    return (
        Resource.objects.filter(is_active=True)
        .exclude(kind=ResourceKind.STAFF)
        .select_related("department", "service")
        .prefetch_related("units")
    )


# --- serializers ------------------------------------------------------------------------------


class BookingErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


class BookingResourceSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code")
    service = serializers.CharField(source="service.slug", allow_null=True, default=None)
    units = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Resource
        fields = [
            "slug",
            "kind",
            "name",
            "name_en",
            "location",
            "department",
            "service",
            "audience",
            "units",
            "slot_minutes",
            "min_minutes",
            "max_minutes",
            "horizon_days",
            "fee_flat",
            "fee_per_hour",
            "needs_confirmation",
        ]
        read_only_fields = fields


class FreeSlotSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    minutes = serializers.IntegerField()


class OccupancyEntrySerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    label = serializers.CharField(help_text=gettext_lazy("the club's name, or 'booked'"))
    part = serializers.CharField(help_text=gettext_lazy("the booked part, when not the whole resource"))
    kind = serializers.ChoiceField(choices=["booking", "blocked"])


class OccupancyPlanSerializer(serializers.Serializer):
    resource = serializers.CharField(source="resource.slug")
    week = serializers.CharField(source="code")
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    entries = serializers.SerializerMethodField()

    @extend_schema_field(OccupancyEntrySerializer(many=True))
    def get_entries(self, plan) -> list[dict]:
        seen, entries = set(), []
        for day in plan.days:
            for entry in day.entries:
                if id(entry) not in seen:
                    seen.add(id(entry))
                    entries.append(entry)
        return OccupancyEntrySerializer(entries, many=True).data


class BookingSerializer(serializers.ModelSerializer):
    resource = serializers.CharField(source="resource.slug")
    organisation = serializers.IntegerField(source="organisation_id", allow_null=True)

    class Meta:
        model = Booking
        fields = ["id", "resource", "starts_at", "ends_at", "status", "fee", "expires_at", "organisation"]
        read_only_fields = fields


class BookingRequestSerializer(serializers.Serializer):
    resource = serializers.SlugField(help_text=gettext_lazy("slug of the resource"))
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    organisation = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("book for this organisation (id)"),
    )


class BookingCancelRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


def _error(exc: BookingError) -> Response:
    code = exc.code or "invalid"
    http = status.HTTP_409_CONFLICT if code == "taken" else status.HTTP_400_BAD_REQUEST
    return Response({"detail": str(exc), "code": code}, status=http)


def _bad_request(message: str) -> Response:
    return Response({"detail": message, "code": "invalid"}, status=status.HTTP_400_BAD_REQUEST)


# --- public reads -----------------------------------------------------------------------------


class _Public:
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []


@extend_schema(tags=["booking"])
class ResourceListView(_Public, generics.ListAPIView):
    """Bookable resources: facilities, rooms, leisure facilities."""

    serializer_class = BookingResourceSerializer

    def get_queryset(self):
        return listed_resources().order_by("name")


@extend_schema(tags=["booking"])
class ResourceDetailView(_Public, generics.RetrieveAPIView):
    serializer_class = BookingResourceSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return listed_resources()


@extend_schema(
    tags=["booking"],
    parameters=[
        OpenApiParameter("from", str, description="first local date (YYYY-MM-DD), default today"),
        OpenApiParameter("to", str, description="last local date (YYYY-MM-DD), at most 62 days after 'from'"),
        OpenApiParameter("duration", int, description="minutes, for resources with a free duration"),
    ],
    responses={200: FreeSlotSerializer(many=True), 400: BookingErrorSerializer, 404: BookingErrorSerializer},
)
class FreeSlotListView(_Public, APIView):
    """Free slots of a resource between two dates, as the public may book them."""

    def get(self, request, slug: str):
        resource = listed_resources().filter(slug=slug).first()
        if resource is None:
            raise Http404
        today = timezone.localdate()
        start = parse_date(request.query_params.get("from", "") or "") or today
        end = parse_date(request.query_params.get("to", "") or "") or start
        duration = request.query_params.get("duration") or None
        if duration is not None and not str(duration).isdigit():
            return _bad_request(_("The duration must be a number of minutes."))
        if end < start or (end - start).days > MAX_SLOT_DAYS:
            return _bad_request(_("Please ask for at most %(days)s days.") % {"days": MAX_SLOT_DAYS})
        slots = free_slots(
            resource, start=start, end=end, duration_minutes=int(duration) if duration else None
        )
        return Response(FreeSlotSerializer(slots, many=True).data)


@extend_schema(
    tags=["booking"],
    parameters=[
        OpenApiParameter("week", str, description="ISO week, e.g. 2026-W40; default the current week")
    ],
    responses={200: OccupancyPlanSerializer, 404: BookingErrorSerializer},
)
class OccupancyPlanView(_Public, APIView):
    """The public occupancy plan of a facility for one week: club names or "booked"."""

    def get(self, request, slug: str):
        resource = public_resources().filter(slug=slug).first()
        if resource is None:
            raise Http404
        try:
            year, week = parse_week(request.query_params.get("week"))
        except ValueError as exc:
            raise Http404 from exc
        return Response(OccupancyPlanSerializer(week_plan(resource, year=year, week=week)).data)


# --- booking and cancelling -------------------------------------------------------------------


@extend_schema(
    tags=["booking"],
    request=BookingRequestSerializer,
    responses={
        201: BookingSerializer,
        400: BookingErrorSerializer,
        403: BookingErrorSerializer,
        409: BookingErrorSerializer,
    },
)
class BookingCreateView(APIView):
    """Book a resource; 409 ``taken`` when someone was faster."""

    permission_classes = [permissions.IsAuthenticated]

    def post(self, request):
        given = BookingRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        resource = listed_resources().filter(slug=data["resource"]).first()
        if resource is None:
            return _bad_request(_("There is no such resource."))
        organisation = None
        if data["organisation"] is not None:
            organisation = Organisation.objects.filter(
                pk=data["organisation"], memberships__user=request.user
            ).first()
            if organisation is None:
                return _bad_request(_("You are not a member of this organisation."))
        try:
            booking = services.booking_create(
                resource=resource,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                acting_user=request.user,
                organisation=organisation,
                public_label=organisation.name if organisation else "",
                request=request,
            )
        except BookingError as exc:
            return _error(exc)
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["booking"],
    request=BookingCancelRequestSerializer,
    responses={200: BookingSerializer, 400: BookingErrorSerializer, 404: BookingErrorSerializer},
)
class BookingCancelView(APIView):
    """Cancel one of your bookings (or your organisation's) until the cancellation deadline."""

    permission_classes = [permissions.IsAuthenticated]

    def post(self, request, pk: int):
        booking = Booking.objects.select_related("resource").filter(pk=pk).first()
        if booking is None:
            raise Http404
        if not request.user.has_perm("booking.cancel_booking", booking):
            audit_denial(request=request, perm="booking.cancel_booking", obj=booking)
            raise Http404
        given = BookingCancelRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            services.booking_cancel(
                booking=booking,
                acting_user=request.user,
                reason=given.validated_data["reason"],
                request=request,
            )
        except BookingError as exc:
            return _error(exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        return Response(BookingSerializer(booking).data)
