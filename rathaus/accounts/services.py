"""Write use cases of accounts. Each is one transaction and writes its audit line inside it;
e-mails leave only after commit."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from rathaus.core.audit import audit_record
from rathaus.core.constants import AuditAction
from rathaus.core.mail import send_after_commit

from .backends import axes_reset_for
from .constants import AccountAuditAction, StaffRoleKind
from .models import PROFILE_FIELDS, Department, Organisation, OrganisationMembership, StaffRole, User
from .tokens import TokenCheck, make_email_token, read_email_token, token_matches
from .validators import validate_profile

__all__ = [
    "account_delete",
    "api_token_issue",
    "api_token_refusal",
    "api_token_revoke",
    "citizen_register",
    "confirmation_resend",
    "email_verify",
    "organisation_create",
    "password_reset_completed",
    "person_record_read",
    "preferred_language_set",
    "profile_update",
    "send_account_mail",
    "staff_role_grant",
    "staff_role_revoke",
]


def send_account_mail(*, user: User, template: str, context: dict, base_url: str) -> None:
    """Send one account e-mail in the person's language, after the transaction commits.
    E-mails carry links, never personal data beyond the salutation-free text."""
    language = user.preferred_language or "de"
    recipient = user.email

    def _build() -> EmailMessage:
        with translation.override(language):
            subject = render_to_string(f"accounts/email/{template}_subject.txt", context).strip()
            body = render_to_string(f"accounts/email/{template}.txt", {**context, "base_url": base_url})
        return EmailMessage(subject, body, None, [recipient])

    send_after_commit(_build, what=f"account/{template}")


@transaction.atomic
def citizen_register(
    *, email: str, password: str, first_name: str, last_name: str, language: str, base_url: str, request=None
) -> User | None:
    """Create an unconfirmed citizen account and send the confirmation link.

    If the address is taken, nothing is created and the owner gets an e-mail instead: a fresh
    confirmation link if the account was never confirmed (name and password stay as first
    registered: whoever registers again need not own the address), else how to log in or reset
    the password. The page says the same in every case, so nobody learns from it whether an
    address has an account.
    """
    email = User.objects.normalize_email(email).strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        if existing.awaiting_confirmation:
            _confirmation_send_again(existing, base_url=base_url, request=request, via="registration")
        else:
            send_account_mail(user=existing, template="already_registered", context={}, base_url=base_url)
        return None
    user = User(
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        preferred_language=language,
        is_active=False,
    )
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # A parallel registration of the same address won the race: treat as taken.
        return None
    audit_record(
        action=AuditAction.ACCOUNT_CREATED, actor=user, obj=user, subject_user_id=user.pk, request=request
    )
    link = reverse("accounts:verify_email", kwargs={"token": make_email_token(user)})
    send_account_mail(user=user, template="verify_email", context={"link": link}, base_url=base_url)
    return user


def _confirmation_send_again(user: User, *, base_url: str, request, via: str) -> None:
    audit_record(
        action=AccountAuditAction.CONFIRMATION_RESENT,
        obj=user,
        subject_user_id=user.pk,
        request=request,
        details={"via": via},
    )
    link = reverse("accounts:verify_email", kwargs={"token": make_email_token(user)})
    send_account_mail(user=user, template="verify_email_again", context={"link": link}, base_url=base_url)


@transaction.atomic
def confirmation_resend(*, email: str, base_url: str, via: str = "request", request=None) -> None:
    """Send a fresh confirmation link if ``email`` belongs to an account that was never
    confirmed; do nothing otherwise. Callers show the same page either way."""
    email = User.objects.normalize_email(email or "").strip()
    user = User.objects.filter(email__iexact=email).first() if email else None
    if user is not None and user.awaiting_confirmation:
        _confirmation_send_again(user, base_url=base_url, request=request, via=via)


@transaction.atomic
def email_verify(*, token: str, request=None) -> tuple[TokenCheck, User | None]:
    """Confirm the address a link was sent to. A used link reads as invalid."""
    state, user_id, digest = read_email_token(token)
    if state is not TokenCheck.VALID:
        return state, None
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None or not token_matches(user, digest):
        return TokenCheck.INVALID, None
    user.email_verified_at = timezone.now()
    user.is_active = True
    user.save(update_fields=["email_verified_at", "is_active"])
    audit_record(
        action=AuditAction.ACCOUNT_VERIFIED, actor=user, obj=user, subject_user_id=user.pk, request=request
    )
    return TokenCheck.VALID, user


@transaction.atomic
def password_reset_completed(*, user: User, request=None) -> None:
    """A password was set through an e-mailed reset link: record it and lift the login lockout
    of the address, which the lockout page sends people to reset their password for."""
    audit_record(
        action=AuditAction.PASSWORD_CHANGED,
        actor=user,
        subject_user_id=user.pk,
        request=request,
        details={"via": "reset"},
    )
    axes_reset_for(user.email)


@transaction.atomic
def profile_update(*, acting_user: User, person: User, data: dict, request=None) -> list[str]:
    """Change a person's own profile. Returns the names of the fields that changed."""
    if acting_user.pk != person.pk:
        raise PermissionDenied
    # Compare with the stored row: a ModelForm has already copied the new values onto ``person``.
    stored = User.objects.select_for_update().get(pk=person.pk)
    changed = [name for name in PROFILE_FIELDS if name in data and getattr(stored, name) != data[name]]
    for name in changed:
        setattr(stored, name, data[name])
    if not changed:
        return []
    validate_profile({name: getattr(stored, name) for name in changed})
    stored.full_clean()
    stored.save(update_fields=changed)
    for name in changed:
        setattr(person, name, data[name])
    audit_record(
        action=AuditAction.PERSONAL_DATA_CHANGED,
        actor=acting_user,
        obj=person,
        subject_user_id=person.pk,
        request=request,
        details={"fields": changed},
    )
    return changed


@transaction.atomic
def preferred_language_set(*, user: User, language: str, request=None) -> bool:
    """Make ``language`` the person's preferred language (the header's language buttons).
    Returns whether it changed; the change is audited like a profile change."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unknown language."))
    changed = bool(
        User.objects.filter(pk=user.pk)
        .exclude(preferred_language=language)
        .update(preferred_language=language)
    )
    user.preferred_language = language
    if changed:
        audit_record(
            action=AuditAction.PERSONAL_DATA_CHANGED,
            actor=user,
            obj=user,
            subject_user_id=user.pk,
            request=request,
            details={"fields": ["preferred_language"]},
        )
    return changed


@transaction.atomic
def account_delete(*, acting_user: User, person: User, request=None) -> None:
    """Delete one's own account (GDPR Art. 17). The audit log keeps the bare id only."""
    if acting_user.pk != person.pk:
        raise PermissionDenied
    person_id = person.pk
    audit_record(action=AuditAction.ACCOUNT_DELETED, actor=person, subject_user_id=person_id, request=request)
    person.delete()


@transaction.atomic
def person_record_read(*, acting_user: User, person: User, purpose: str, request=None) -> None:
    """Record that a member of staff looked at a person's data, for that person to see."""
    if acting_user.pk == person.pk:
        return
    audit_record(
        action=AuditAction.PERSONAL_DATA_READ,
        actor=acting_user,
        obj=person,
        subject_user_id=person.pk,
        request=request,
        details={"purpose": purpose[:100]},
    )


def _require_administrator(acting_user: User) -> None:
    if not (acting_user.is_superuser or StaffRoleKind.ADMINISTRATOR in acting_user.role_kinds()):
        raise PermissionDenied


@transaction.atomic
def staff_role_grant(
    *, acting_user: User, user: User, kind: str, department: Department | None, request=None
) -> StaffRole:
    _require_administrator(acting_user)
    role = StaffRole(user=user, kind=kind, department=department)
    role.full_clean()
    role.save()
    audit_record(
        action=AuditAction.ROLE_GRANTED,
        actor=acting_user,
        obj=role,
        subject_user_id=user.pk,
        request=request,
        details={"role": kind, "department": department.code if department else None},
    )
    return role


@transaction.atomic
def staff_role_revoke(*, acting_user: User, role: StaffRole, request=None) -> None:
    _require_administrator(acting_user)
    details = {"role": role.kind, "department": role.department.code if role.department_id else None}
    audit_record(
        action=AuditAction.ROLE_REVOKED,
        actor=acting_user,
        obj=role,
        subject_user_id=role.user_id,
        request=request,
        details=details,
    )
    role.delete()


@transaction.atomic
def organisation_create(*, acting_user: User, data: dict, request=None) -> Organisation:
    """Register an organisation; its creator becomes its first administrator."""
    organisation = Organisation(**data)
    organisation.full_clean()
    organisation.save()
    OrganisationMembership.objects.create(organisation=organisation, user=acting_user, is_admin=True)
    audit_record(
        action=AuditAction.PERSONAL_DATA_CHANGED,
        actor=acting_user,
        obj=organisation,
        subject_user_id=acting_user.pk,
        request=request,
        details={"created": "organisation"},
    )
    return organisation


def api_token_refusal(account: User) -> str | None:
    """Why ``account`` may not hold an API token, or None if it may.

    A token logs in without password and without second factor and acts as its account in
    everything, its own applications included. Tokens are for connected systems
    (specialised procedures, portals): accounts an administrator marked as integration accounts.
    An account a person confirmed by e-mail or eID is that person's, whatever its marks, so an
    administrator can never act as a citizen or as a colleague through a token."""
    if not account.is_integration:
        return _("Only integration accounts can be given an API token.")
    if not account.is_active:
        return _("The account is not active.")
    if account.is_superuser:
        return _("An administrator account cannot be given an API token.")
    if account.email_verified_at is not None or account.external_identities.exists():
        return _(
            "This account belongs to a person (confirmed by e-mail or eID); it cannot be given an API token."
        )
    return None


@transaction.atomic
def api_token_issue(*, acting_user: User, account: User, request=None) -> Token:
    """Issue the API token of an integration account (administrators only), audited with the
    account as subject. The key is the caller's to show once; it never goes into the log."""
    _require_administrator(acting_user)
    account = User.objects.select_for_update().get(pk=account.pk)
    reason = api_token_refusal(account)
    if reason:
        raise ValidationError(reason)
    if Token.objects.filter(user=account).exists():
        raise ValidationError(_("This account already has an API token. Delete it first to issue a new one."))
    token = Token.objects.create(user=account)
    audit_record(
        action=AccountAuditAction.API_TOKEN_CREATED,
        actor=acting_user,
        obj=account,
        subject_user_id=account.pk,
        request=request,
    )
    return token


@transaction.atomic
def api_token_revoke(*, acting_user: User, token: Token, request=None) -> None:
    """Delete an API token (administrators only), audited with its account as subject."""
    _require_administrator(acting_user)
    account = token.user
    audit_record(
        action=AccountAuditAction.API_TOKEN_DELETED,
        actor=acting_user,
        obj=account,
        subject_user_id=account.pk,
        request=request,
    )
    Token.objects.filter(key=token.key).delete()
