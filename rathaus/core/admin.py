from django.contrib import admin
from django.core.cache import cache

from .context_processors import BRANDING_CACHE_KEY
from .models import AuditEntry, LegalPage, OutboxMessage, SiteBranding


@admin.register(SiteBranding)
class SiteBrandingAdmin(admin.ModelAdmin):
    list_display = ["city_name", "portal_name", "primary_colour"]

    def has_add_permission(self, request):
        return not SiteBranding.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        cache.delete(BRANDING_CACHE_KEY)


@admin.register(LegalPage)
class LegalPageAdmin(admin.ModelAdmin):
    list_display = ["kind", "title", "updated_at"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only even for operators."""

    list_display = [
        "sequence",
        "created_at",
        "action",
        "actor_label",
        "object_type",
        "object_id",
        "ip_address",
    ]
    list_filter = ["action", "actor_is_staff"]
    search_fields = ["object_id", "actor_label"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "subject"]
