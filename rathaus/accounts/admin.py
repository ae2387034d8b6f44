from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from rathaus.core.audit import audit_record
from rathaus.core.constants import AuditAction

from .models import PROFILE_FIELDS, Department, Organisation, OrganisationMembership, StaffRole, User


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "last_name", "first_name", "is_active", "is_staff"]
    search_fields = ["email", "last_name", "first_name"]
    inlines = [StaffRoleInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Personal data"),
            {"fields": PROFILE_FIELDS},
        ),
        (
            _("Status"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "email_verified_at",
                    "identity_trust_level",
                    "last_login",
                    "date_joined",
                )
            },
        ),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # An operator opening a person's record is a staff read of personal data.
        person = self.get_object(request, object_id)
        if person is not None and request.method == "GET" and person.pk != request.user.pk:
            audit_record(
                action=AuditAction.PERSONAL_DATA_READ,
                actor=request.user,
                obj=person,
                subject_user_id=person.pk,
                request=request,
                details={"purpose": "administration"},
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for role in instances:
            role.save()
            audit_record(
                action=AuditAction.ROLE_GRANTED,
                actor=request.user,
                obj=role,
                subject_user_id=role.user_id,
                request=request,
                details={"role": role.kind},
            )
        for role in formset.deleted_objects:
            audit_record(
                action=AuditAction.ROLE_REVOKED,
                actor=request.user,
                obj=role,
                subject_user_id=role.user_id,
                request=request,
                details={"role": role.kind},
            )
            role.delete()
        formset.save_m2m()


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "email"]
    search_fields = ["code", "name"]


class MembershipInline(admin.TabularInline):
    model = OrganisationMembership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city"]
    inlines = [MembershipInline]
