from django.contrib import admin

from .models import LifeSituation, Service


@admin.register(LifeSituation)
class LifeSituationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "leika_key", "department", "ozg_maturity", "is_published"]
    list_filter = ["department", "ozg_maturity", "is_published", "life_situations"]
    search_fields = ["name", "name_en", "leika_key", "keywords"]
    filter_horizontal = ["life_situations"]
    readonly_fields = ["ozg_maturity"]
    prepopulated_fields = {"slug": ["name"]}
