"""Account pages: login, registration, profile, organisations, second factor, trust level."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.core.audit import audit_record
from rathaus.core.constants import AuditAction
from rathaus.core.forms import link_errors
from rathaus.core.permissions import access_object, login_required_for, permission_required

from . import organisation_views, selectors, services
from .constants import TrustLevel
from .forms import (
    ConfirmationResendForm,
    DeleteAccountForm,
    LoginForm,
    OrganisationForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    RegistrationForm,
    SetPasswordForm,
    TokenForm,
)
from .models import Organisation, User
from .tokens import TokenCheck
from .trust import current_trust_level


def _base_url(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _eid_providers() -> dict[str, bool]:
    """Which eID logins this installation offers: a button only for a configured provider."""
    return {"oidc_enabled": settings.OIDC_ENABLED, "saml_enabled": settings.SAML_ENABLED}


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        providers = _eid_providers()
        return {**super().get_context_data(**kwargs), "eid_available": any(providers.values())}


@require_POST
def logout_view(request):
    auth_logout(request)
    messages.success(request, _("You have been logged out."))
    return redirect("core:home")


@sensitive_post_parameters("password1", "password2")
def register(request):
    if request.user.is_authenticated:
        return redirect("accounts:home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.citizen_register(
            email=data["email"],
            password=data["password1"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            language=(get_language() or "de")[:2],
            base_url=_base_url(request),
            request=request,
        )
        return redirect("accounts:register_done")
    return render(request, "accounts/register.html", {"form": form, "title": _("Create an account")})


def register_done(request):
    return render(request, "accounts/register_done.html", {"title": _("Please check your e-mail")})


def verify_email(request, token: str):
    state, _user = services.email_verify(token=token, request=request)
    if state is TokenCheck.VALID:
        messages.success(request, _("Thank you, your e-mail address is confirmed. You can log in now."))
        return redirect("accounts:login")
    return render(
        request,
        "accounts/verify_failed.html",
        {
            "expired": state is TokenCheck.EXPIRED,
            "title": _("Confirmation link not valid"),
            "form": ConfirmationResendForm(),
        },
        status=400,
    )


def confirmation_resend(request):
    """Send the confirmation link again (from the login page, an expired link, or by hand)."""
    if request.user.is_authenticated:
        return redirect("accounts:home")
    form = ConfirmationResendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.confirmation_resend(
            email=form.cleaned_data["email"], base_url=_base_url(request), request=request
        )
        return redirect("accounts:confirmation_resend_done")
    return render(
        request,
        "accounts/confirmation_resend.html",
        {"form": form, "title": _("Send the confirmation link again")},
    )


def confirmation_resend_done(request):
    return render(request, "accounts/confirmation_resend_done.html", {"title": _("Please check your e-mail")})


@login_required
def account_home(request):
    user = request.user
    context = {
        "title": _("My account"),
        "trust_level": current_trust_level(request),
        "trust_level_label": TrustLevel(current_trust_level(request)).label,
        "organisations": selectors.organisations_of(user),
    }
    return render(request, "accounts/home.html", context)


@login_required_for("accounts.change_person")
def profile_edit(request):
    person = access_object(request, User.objects.all(), perm="accounts.change_person", pk=request.user.pk)
    form = ProfileForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        changed = services.profile_update(
            acting_user=request.user, person=person, data=form.cleaned_data, request=request
        )
        if "preferred_language" in changed:
            # The page speaks the new language at once (PreferredLanguageMiddleware sets the
            # cookie on this response), the confirmation already in it.
            request.rathaus_language = person.preferred_language
            translation.activate(person.preferred_language)
        messages.success(request, _("Your profile has been saved.") if changed else _("Nothing was changed."))
        return redirect("accounts:home")
    return render(request, "accounts/profile_form.html", {"form": form, "title": _("Edit profile")})


@login_required
def data_accesses(request):
    entries = selectors.staff_accesses_to(request.user)[:200]
    return render(
        request, "accounts/data_accesses.html", {"entries": entries, "title": _("Who looked at my data")}
    )


@login_required
@sensitive_post_parameters("password")
def account_delete(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    # The only manager of an organisation others act for hands the right over first.
    blocking = services.organisations_without_other_manager(request.user)
    if request.method == "POST" and not blocking and form.is_valid():
        person = request.user
        auth_logout(request)
        try:
            services.account_delete(acting_user=person, person=person, request=request)
        except ValidationError as exc:  # a member left meanwhile: the check above is repeated under lock
            messages.error(request, " ".join(exc.messages))
            return redirect("core:home")
        messages.success(request, _("Your account has been deleted."))
        return redirect("core:home")
    return render(
        request,
        "accounts/delete.html",
        {"form": form, "blocking": blocking, "title": _("Delete my account")},
    )


@login_required
def organisation_list(request):
    return render(
        request,
        "accounts/organisation_list.html",
        {"organisations": selectors.organisations_of(request.user), "title": _("My organisations")},
    )


@login_required
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = services.organisation_create(
            acting_user=request.user, data=form.cleaned_data, request=request
        )
        messages.success(request, _("The organisation has been registered."))
        return redirect("accounts:organisation_detail", pk=organisation.pk)
    return render(
        request, "accounts/organisation_form.html", {"form": form, "title": _("Register an organisation")}
    )


@login_required_for("accounts.view_organisation")
def organisation_detail(request, pk: int):
    organisation = access_object(
        request, Organisation.objects.all(), perm="accounts.view_organisation", pk=pk
    )
    return organisation_views.organisation_page(request, organisation)


def trust_level(request):
    required = request.GET.get("required")
    if required not in TrustLevel.values:
        required = None
    next_url = _safe_next(request, reverse("accounts:home"))
    context = {
        "title": _("Trust levels and eID login"),
        "required": TrustLevel(required).label if required else None,
        "current": TrustLevel(current_trust_level(request)).label if request.user.is_authenticated else None,
        "levels": TrustLevel.choices,
        "next": next_url,
        **_eid_providers(),
        "oidc_login_url": f"{reverse('accounts:eid_oidc_start')}?{urlencode({'next': next_url})}",
        "saml_login_url": f"{reverse('accounts:eid_saml_start')}?{urlencode({'next': next_url})}",
    }
    return render(request, "accounts/trust_level.html", context)


def eid_failed(request):
    return render(request, "accounts/eid_failed.html", {"title": _("eID login failed")}, status=400)


@login_required
def second_factor(request):
    """Set up (first time) or confirm the staff member's TOTP second factor."""
    user = request.user
    if not user.is_staff_member:
        return redirect("accounts:home")
    confirmed = [d for d in devices_for_user(user, confirmed=True) if isinstance(d, TOTPDevice)]
    device = confirmed[0] if confirmed else TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit_record(
                    action=AuditAction.SECOND_FACTOR_ADDED,
                    actor=user,
                    subject_user_id=user.pk,
                    request=request,
                )
            otp_login(request, device)
            return redirect(_safe_next(request, reverse("accounts:staff_home")))
        audit_record(
            action=AuditAction.SECOND_FACTOR_FAILED, actor=user, subject_user_id=user.pk, request=request
        )
        form.add_error(
            "token", _("This code is not valid. Check the time on your phone and enter the current code.")
        )
        link_errors(form)
    context = {
        "form": form,
        "setup": not device.confirmed,
        "title": _("Second factor"),
        "next": _safe_next(request, ""),
    }
    if not device.confirmed:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_data_uri(scale=5)
        context["secret"] = _base32_secret(device)
    if settings.DEMO_MODE:
        context["demo_code"], context["demo_code_next"] = _demo_code(device)
        context["demo_hint"] = True
    return render(request, "accounts/second_factor.html", context)


def _demo_code(device: TOTPDevice) -> tuple[str | None, bool]:
    """Demo mode only: a code the device accepts now, and whether it is the next time step's.

    django-otp accepts each time step once: after a login within the last 30 seconds the
    current code is spent. The device also accepts the following step (its tolerance), so that
    one is shown then; None if those are spent too (the page asks to wait a moment)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time  # one moment (django-otp's clock) for every step computed below
    current = totp.t()
    for offset in range(device.tolerance + 1):
        if current + offset > device.last_t:
            totp.drift = device.drift + offset
            return f"{totp.token():0{device.digits}d}", offset > 0
    return None, False


def _base32_secret(device) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")


@permission_required("accounts.use_back_office")
def staff_home(request):
    roles = request.user.staff_roles.select_related("department").order_by("kind")
    return render(request, "accounts/staff_home.html", {"roles": roles, "title": _("Back office")})


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = PasswordResetForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        audit_record(action=AuditAction.PASSWORD_RESET_REQUESTED, request=self.request)
        # Django sends reset links to active accounts only; one never confirmed gets its
        # confirmation link again instead, after which it can log in or reset its password.
        services.confirmation_resend(
            email=form.cleaned_data["email"],
            base_url=_base_url(self.request),
            via="password_reset",
            request=self.request,
        )
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            services.password_reset_completed(user=form.user, request=self.request)
        messages.success(self.request, _("Your password has been changed. You can log in now."))
        return response


@login_required
@sensitive_post_parameters()
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        audit_record(
            action=AuditAction.PASSWORD_CHANGED, actor=user, subject_user_id=user.pk, request=request
        )
        messages.success(request, _("Your password has been changed."))
        return redirect("accounts:home")
    return render(request, "accounts/password_change.html", {"form": form, "title": _("Change password")})
