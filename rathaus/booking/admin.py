"""Admin of bookings: operators maintain units, resources with their hours, school holidays.

Bookings are shown read-only here: they change only through the services (which lock, check
overlaps and audit), never by editing rows.
"""

from django.contrib import admin

from .models import Blackout, Booking, OpeningException, OpeningHours, Resource, SchoolHolidayPeriod, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class OpeningExceptionInline(admin.TabularInline):
    model = OpeningException
    extra = 0


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "department", "audience", "slot_minutes", "is_active"]
    list_filter = ["kind", "audience", "department", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["units"]
    inlines = [OpeningHoursInline, OpeningExceptionInline]


@admin.register(Blackout)
class BlackoutAdmin(admin.ModelAdmin):
    """Read-only: new blackouts go through ``blackout_create``, which checks for bookings."""

    list_display = ["unit", "starts_at", "ends_at", "reason"]
    list_filter = ["unit"]
    readonly_fields = ["unit", "starts_at", "ends_at", "reason", "created_by"]

    def has_add_permission(self, request):
        return False


@admin.register(SchoolHolidayPeriod)
class SchoolHolidayPeriodAdmin(admin.ModelAdmin):
    list_display = ["name", "first_day", "last_day"]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["resource", "starts_at", "ends_at", "status", "channel", "fee"]
    list_filter = ["status", "channel", "resource__kind"]
    date_hierarchy = "starts_at"
    readonly_fields = [field.name for field in Booking._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
