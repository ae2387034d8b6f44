from django.contrib import admin
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from .audit_actions import audit_action_choices
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


class AuditActionFilter(admin.SimpleListFilter):
    """The actions of every app by their label (``core.audit_actions``)."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return audit_action_choices()

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only even for operators."""

    list_display = [
        "sequence",
        "created_at",
        "action_label",
        "actor_label",
        "object_type",
        "object_id",
        "ip_address",
    ]
    list_filter = [AuditActionFilter, "actor_is_staff"]
    search_fields = ["object_id", "actor_label"]

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, obj):
        return obj.action_label

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "subject"]
