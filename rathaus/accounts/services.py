"""Write use cases of accounts. Each is one transaction and writes its audit line inside it;
e-mails leave only after commit."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from rathaus.core.audit import audit_record, verify_chain
from rathaus.core.constants import AuditAction
from rathaus.core.mail import send_after_commit
from rathaus.core.models import AuditChainHead, AuditEntry

from .backends import axes_reset_for
from .constants import AccountsAuditAction, StaffRoleKind
from .models import (
    PROFILE_FIELDS,
    Department,
    Organisation,
    OrganisationInvitation,
    OrganisationMembership,
    StaffRole,
    User,
)
from .tokens import TokenCheck, make_email_token, read_email_token, token_matches
from .validators import validate_profile

__all__ = [
    "account_delete",
    "api_token_issue",
    "api_token_refusal",
    "api_token_revoke",
    "audit_chain_check",
    "audit_chain_last_check",
    "audit_log_read",
    "citizen_register",
    "confirmation_resend",
    "email_verify",
    "organisation_create",
    "organisation_invitation_accept",
    "organisation_invitation_find",
    "organisation_invitation_withdraw",
    "organisation_invite",
    "organisation_manager_set",
    "organisation_member_remove",
    "organisations_without_other_manager",
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
        action=AccountsAuditAction.CONFIRMATION_RESENT,
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
    """Delete one's own account (GDPR Art. 17). The audit log keeps the bare id only.

    Refused while the person is the only manager of an organisation others act for: they hand
    the right over first (no automatic handover: nobody becomes a manager without a manager
    choosing them)."""
    if acting_user.pk != person.pk:
        raise PermissionDenied
    managed = OrganisationMembership.objects.filter(user=person, is_admin=True).values("organisation_id")
    list(Organisation.objects.select_for_update().filter(pk__in=managed))  # no handover meanwhile
    blocking = organisations_without_other_manager(person)
    if blocking:
        raise ValidationError(
            _(
                "You are the only manager of %(names)s. Make another member a manager first, or "
                "remove the other members: an organisation must not be left without a manager."
            )
            % {"names": ", ".join(organisation.name for organisation in blocking)},
            code="last_manager",
        )
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


AUDIT_CHAIN_CHECK_CACHE_KEY = "accounts:audit-chain-check"


def _require_audit_log_reader(acting_user: User) -> None:
    if not acting_user.has_perm("accounts.view_audit_log"):
        raise PermissionDenied


@transaction.atomic
def audit_log_read(*, acting_user: User, filters: dict, page: dict, request=None) -> None:
    """Record that someone read the audit log, with the filters they used. A read filtered to
    one person carries that person as subject, so it appears in their "who looked at my data"."""
    _require_audit_log_reader(acting_user)
    shown = {
        key: (value.isoformat() if hasattr(value, "isoformat") else value)
        for key, value in filters.items()
        if value not in (None, "")
    }
    audit_record(
        action=AccountsAuditAction.AUDIT_LOG_READ,
        actor=acting_user,
        subject_user_id=filters.get("subject") or None,
        request=request,
        details={"filters": shown, **{k: v for k, v in page.items() if v is not None}},
    )


def audit_chain_check(*, acting_user: User, request=None) -> dict:
    """Check the whole hash chain (``verify_chain``), remember the result for the audit log
    page and record the check. The walk runs outside any transaction: on SQLite a transaction
    would hold the write lock, and every audited change in the city would wait for the walk."""
    _require_audit_log_reader(acting_user)
    head_before = AuditChainHead.objects.filter(pk=1).values_list("sequence", flat=True).first() or 0
    broken = verify_chain()
    if broken is None:
        result = {"intact": True, "broken_at": None}
    else:
        result = {"intact": False, "broken_at": broken if isinstance(broken, int) else broken.sequence}
    result.update(
        checked_at=timezone.now().isoformat(),
        checked_up_to=head_before,
        unsealed=AuditEntry.objects.unsealed().exists(),
    )
    with transaction.atomic():
        audit_record(
            action=AccountsAuditAction.AUDIT_CHAIN_CHECKED,
            actor=acting_user,
            request=request,
            details={"intact": result["intact"], "broken_at": result["broken_at"], "up_to": head_before},
        )
    cache.set(AUDIT_CHAIN_CHECK_CACHE_KEY, result, timeout=None)
    return result


def audit_chain_last_check() -> dict | None:
    return cache.get(AUDIT_CHAIN_CHECK_CACHE_KEY)


# --- Organisations: members, managers, invitations ------------------------------------------

INVITATION_VALID_DAYS = 14


def _locked_organisation(organisation: Organisation) -> Organisation:
    """Lock the organisation's row: changes to its members are serialised, so two managers
    removing each other at once cannot leave it without a manager."""
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _require_manager(acting_user: User, organisation: Organisation) -> None:
    if not OrganisationMembership.objects.filter(
        organisation=organisation, user_id=acting_user.pk, is_admin=True
    ).exists():
        raise PermissionDenied


def _keep_a_manager(organisation: Organisation, *, without: OrganisationMembership) -> None:
    others = OrganisationMembership.objects.filter(organisation=organisation, is_admin=True).exclude(
        pk=without.pk
    )
    if without.is_admin and not others.exists():
        raise ValidationError(
            _("%(name)s needs at least one manager. Make another member a manager first.")
            % {"name": organisation.name},
            code="last_manager",
        )


def _invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def organisation_invite(
    *, acting_user: User, organisation: Organisation, email: str, base_url: str, request=None
) -> OrganisationInvitation:
    """A manager invites a person by e-mail. The e-mail holds a link and nothing else about
    the organisation or the person who invited: the invitee sees whom it is from after logging
    in. Inviting the same address again replaces the open invitation (a new link)."""
    organisation = _locked_organisation(organisation)
    _require_manager(acting_user, organisation)
    email = User.objects.normalize_email(email).strip().lower()
    if OrganisationMembership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": _("A person with this e-mail address already acts for it.")})
    OrganisationInvitation.objects.filter(
        organisation=organisation, email__iexact=email, accepted_at__isnull=True
    ).delete()
    token = secrets.token_urlsafe(32)
    invitation = OrganisationInvitation.objects.create(
        organisation=organisation,
        email=email,
        token_hash=_invitation_token_hash(token),
        invited_by=acting_user,
        expires_at=timezone.now() + timedelta(days=INVITATION_VALID_DAYS),
    )
    audit_record(
        action=AccountsAuditAction.MEMBER_INVITED,
        actor=acting_user,
        obj=organisation,
        request=request,
        details={"invitation": invitation.pk},
    )
    invitee = User.objects.filter(email__iexact=email).only("preferred_language").first()
    language = invitee.preferred_language if invitee else (translation.get_language() or "de")[:2]
    link = reverse("accounts:organisation_invitation", kwargs={"token": token})
    context = {"link": link, "base_url": base_url, "days": INVITATION_VALID_DAYS}

    def _build() -> EmailMessage:
        with translation.override(language):
            subject = render_to_string("accounts/email/organisation_invitation_subject.txt", context).strip()
            body = render_to_string("accounts/email/organisation_invitation.txt", context)
        return EmailMessage(subject, body, None, [email])

    send_after_commit(_build, what="account/organisation_invitation")
    return invitation


def organisation_invitation_find(token: str) -> OrganisationInvitation | None:
    """The open, unexpired invitation of a link, or None."""
    return (
        OrganisationInvitation.objects.select_related("organisation")
        .filter(
            token_hash=_invitation_token_hash(token), accepted_at__isnull=True, expires_at__gt=timezone.now()
        )
        .first()
    )


@transaction.atomic
def organisation_invitation_accept(*, acting_user: User, token: str, request=None) -> Organisation:
    """The invitee accepts, logged in with the account of the invited address."""
    invitation = organisation_invitation_find(token)
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid (any more)."), code="invalid")
    invitation = OrganisationInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation link is not valid (any more)."), code="invalid")
    if acting_user.email.lower() != invitation.email.lower():
        raise ValidationError(
            _("This invitation was sent to another e-mail address. Log in with the account of that address."),
            code="other_address",
        )
    organisation = _locked_organisation(invitation.organisation)
    OrganisationMembership.objects.get_or_create(organisation=organisation, user=acting_user)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = acting_user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        action=AccountsAuditAction.MEMBER_JOINED,
        actor=acting_user,
        obj=organisation,
        subject_user_id=acting_user.pk,
        request=request,
        details={"invitation": invitation.pk},
    )
    return organisation


@transaction.atomic
def organisation_invitation_withdraw(
    *, acting_user: User, invitation: OrganisationInvitation, request=None
) -> None:
    organisation = _locked_organisation(invitation.organisation)
    _require_manager(acting_user, organisation)
    audit_record(
        action=AccountsAuditAction.MEMBER_INVITATION_WITHDRAWN,
        actor=acting_user,
        obj=organisation,
        request=request,
        details={"invitation": invitation.pk},
    )
    OrganisationInvitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).delete()


@transaction.atomic
def organisation_member_remove(
    *, acting_user: User, membership: OrganisationMembership, request=None
) -> None:
    """A manager removes a member, or a member leaves. The last manager can do neither."""
    organisation = _locked_organisation(membership.organisation)
    membership = OrganisationMembership.objects.get(pk=membership.pk)
    leaving = membership.user_id == acting_user.pk
    if not leaving:
        _require_manager(acting_user, organisation)
    _keep_a_manager(organisation, without=membership)
    audit_record(
        action=AccountsAuditAction.MEMBER_LEFT if leaving else AccountsAuditAction.MEMBER_REMOVED,
        actor=acting_user,
        obj=organisation,
        subject_user_id=membership.user_id,
        request=request,
    )
    membership.delete()


@transaction.atomic
def organisation_manager_set(
    *, acting_user: User, membership: OrganisationMembership, is_admin: bool, request=None
) -> None:
    """A manager makes a member a manager, or takes the right away (also their own, as long as
    another manager remains)."""
    organisation = _locked_organisation(membership.organisation)
    _require_manager(acting_user, organisation)
    membership = OrganisationMembership.objects.get(pk=membership.pk)
    if membership.is_admin == is_admin:
        return
    if not is_admin:
        _keep_a_manager(organisation, without=membership)
    membership.is_admin = is_admin
    membership.save(update_fields=["is_admin"])
    audit_record(
        action=AccountsAuditAction.MANAGER_GRANTED if is_admin else AccountsAuditAction.MANAGER_REVOKED,
        actor=acting_user,
        obj=organisation,
        subject_user_id=membership.user_id,
        request=request,
    )


def organisations_without_other_manager(person: User) -> list[Organisation]:
    """Organisations ``person`` is the only manager of while others act for them: deleting the
    account would leave those members without anybody to manage the organisation."""
    managed = OrganisationMembership.objects.filter(user=person, is_admin=True).values("organisation_id")
    return list(
        Organisation.objects.filter(pk__in=managed)
        .annotate(
            managers=Count("memberships", filter=Q(memberships__is_admin=True)),
            people=Count("memberships"),
        )
        .filter(managers=1, people__gt=1)
        .order_by("name")
    )


def api_token_refusal(account: User) -> str | None:
    """Why ``account`` may not hold an API token, or None if it may.

    A token logs in without password and without second factor and acts as its account in
    everything, its own applications included. Tokens are for connected systems
    (specialised procedures, portals): accounts an administrator marked as integration accounts.
    An account a person confirmed by e-mail or eID is that person's, whatever its marks, so an
    administrator can never act as a citizen or as a colleague through a token."""
    return token_holder_refusal(account, has_external_identity=account.external_identities.exists())


def token_holder_refusal(account: User, *, has_external_identity: bool) -> str | None:
    """``api_token_refusal`` for an account whose eID links the caller has looked up: the token
    login asks it for every request (``core.authentication``), so that a token that came to an
    account by other means than ``api_token_issue`` (a shell, an old backup) never logs in."""
    if not account.is_integration:
        return _("Only integration accounts can be given an API token.")
    if not account.is_active:
        return _("The account is not active.")
    if account.is_superuser:
        return _("An administrator account cannot be given an API token.")
    if account.email_verified_at is not None or has_external_identity:
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
        action=AccountsAuditAction.API_TOKEN_CREATED,
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
        action=AccountsAuditAction.API_TOKEN_DELETED,
        actor=acting_user,
        obj=account,
        subject_user_id=account.pk,
        request=request,
    )
    Token.objects.filter(key=token.key).delete()
