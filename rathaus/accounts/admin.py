from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin as DrfTokenAdmin
from rest_framework.authtoken.models import TokenProxy

from rathaus.core.audit import audit_record
from rathaus.core.constants import AuditAction

from . import selectors, services
from .models import (
    PROFILE_FIELDS,
    ApiToken,
    Department,
    Organisation,
    OrganisationMembership,
    StaffRole,
    User,
)


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
                    "is_integration",
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


# DRF registers its token admin unchanged: it offers every account (citizens too), lists the keys
# and records nothing. Tokens are issued through ``ApiTokenAdmin`` below instead.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user"]

    def clean_user(self):
        account = self.cleaned_data["user"]
        reason = services.api_token_refusal(account)
        if reason:
            raise ValidationError(reason)
        return account


@admin.register(ApiToken)
class ApiTokenAdmin(DrfTokenAdmin):
    """API tokens for integration accounts only; issuing and deleting one is audited with the
    account as subject, and the key is shown once, right after it was issued."""

    form = ApiTokenForm
    list_display = ("key_start", "user", "created")
    list_select_related = ("user",)

    @admin.display(description=_("key"))
    def key_start(self, obj):
        return str(obj)

    def get_fields(self, request, obj=None):
        return ("user", "created") if obj else ("user",)

    def get_readonly_fields(self, request, obj=None):
        # A token stays with the account it was issued to.
        return ("user", "created") if obj else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = selectors.api_token_candidates()
            kwargs["help_text"] = _(
                "Only integration accounts without a token are offered (mark an account as"
                " integration account on its page first)."
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return
        token = services.api_token_issue(acting_user=request.user, account=obj.user, request=request)
        obj.key, obj.created = token.key, token.created
        obj._state.adding = False
        obj._state.db = token._state.db

    def response_add(self, request, obj, post_url_continue=None):
        response = TemplateResponse(
            request,
            "admin/accounts/apitoken/issued.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("API token issued"),
                "token_key": obj.key,
                "account": obj.user,
            },
        )
        add_never_cache_headers(response)
        return response

    def delete_model(self, request, obj):
        services.api_token_revoke(acting_user=request.user, token=obj, request=request)

    def delete_queryset(self, request, queryset):
        for token in queryset.select_related("user"):
            services.api_token_revoke(acting_user=request.user, token=token, request=request)
