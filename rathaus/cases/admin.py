"""Admin of cases: operators maintain per-service workflows and notice templates here; cases
themselves are processed in the back office, never in the admin."""

from django.contrib import admin

from .models import ServiceWorkflow, WebhookDelivery


@admin.register(ServiceWorkflow)
class ServiceWorkflowAdmin(admin.ModelAdmin):
    list_display = ["service", "webhook_url"]
    search_fields = ["service__name", "service__slug"]
    autocomplete_fields = ["service"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "url", "status", "attempts", "created_at"]
    list_filter = ["status", "event"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False
