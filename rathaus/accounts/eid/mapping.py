"""Map an identity asserted by an eID provider onto a Rathaus account."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from rathaus.core.audit import audit_record
from rathaus.core.constants import AuditAction

from ..constants import TrustLevel
from ..models import ExternalIdentity, User


@dataclass(frozen=True)
class AssertedIdentity:
    provider: str
    issuer: str
    subject: str
    trust_level: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    birth_date: dt.date | None = None
    street: str = ""
    postal_code: str = ""
    city: str = ""
    extra: dict = field(default_factory=dict)


class EidRejected(Exception):
    """The identity provider's answer cannot be accepted; ``reason`` goes into the audit log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


_REASON = re.compile(r"[^A-Za-z0-9 _.:-]")


def reject_login(request, protocol: str, reason: str):
    """Record a refused eID login and show the (translated) failure page, status 400."""
    from ..views import eid_failed

    if reason == ACCOUNT_EXISTS:
        messages.info(
            request,
            _(
                "An account with this e-mail address exists already. Log in with your password first,"
                " then log in with eID: the eID is then connected to your account."
            ),
        )
    audit_record(
        action=AuditAction.EID_LOGIN_REJECTED,
        request=request,
        details={"protocol": protocol, "reason": _REASON.sub("", str(reason))[:80]},
    )
    return eid_failed(request)


def not_configured(request):
    messages.info(request, _("The eID login is not configured for this installation yet."))
    return redirect("accounts:trust_level")


def trust_level_from_acr(acr: str | None) -> str | None:
    """The configured mapping of an ``acr``/AuthnContextClassRef value; None if unknown."""
    if not acr:
        return None
    return settings.EID_ACR_TRUST_LEVELS.get(acr)


def parse_birth_date(value) -> dt.date | None:
    if not value:
        return None
    try:
        date = dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None
    return date if dt.date(1870, 1, 1) <= date <= dt.date.today() else None


def _clean_text(value: str, max_length: int) -> str:
    return " ".join(str(value or "").split())[:max_length]


def _sanitized(identity: AssertedIdentity) -> dict:
    """The profile fields of an identity, trimmed to what the account model accepts."""
    email = _clean_text(identity.email, 254)
    try:
        validate_email(email)
    except ValidationError:
        email = ""
    postal_code = _clean_text(identity.postal_code, 10)
    return {
        "email": email.lower(),
        "first_name": _clean_text(identity.first_name, User._meta.get_field("first_name").max_length),
        "last_name": _clean_text(identity.last_name, User._meta.get_field("last_name").max_length),
        "birth_date": identity.birth_date,
        "street": _clean_text(identity.street, User._meta.get_field("street").max_length),
        "postal_code": postal_code if re.fullmatch(r"\d{5}", postal_code) else "",
        "city": _clean_text(identity.city, User._meta.get_field("city").max_length),
    }


ACCOUNT_EXISTS = "e-mail address belongs to an existing account"


def _account_for_new_identity(data: dict, *, request) -> User:
    """The account a first eID login attaches to.

    A person already logged in connects the eID to that account (they proved both). Otherwise an
    e-mail address that belongs to an existing account is NOT taken as proof of ownership: the
    provider may not have verified it, and linking on it would hand the account to whoever
    controls the identity. The person is asked to log in with the password first.
    """
    current = getattr(request, "user", None) if request is not None else None
    if current is not None and current.is_authenticated:
        return current
    if data["email"] and User.objects.filter(email__iexact=data["email"]).exists():
        raise EidRejected(ACCOUNT_EXISTS)
    user = User(email=data["email"] or f"eid-{uuid.uuid4().hex}@eid.invalid")
    user.set_unusable_password()
    return user


@transaction.atomic
def complete_eid_login(identity: AssertedIdentity, *, request=None) -> User:
    """Find or create the account for an asserted identity and refresh its verified data.

    Name, birth date and address asserted at trust level "substantial" or above overwrite the
    profile, because they are verified by the identity provider; the trust level of this login
    travels on the returned user object to the login signal, which stores it on the session.
    """
    if identity.trust_level not in TrustLevel.values:
        raise ValueError("unknown trust level")
    if not identity.subject or len(identity.subject) > 300 or len(identity.issuer) > 300:
        raise ValueError("subject or issuer missing or too long")
    data = _sanitized(identity)
    link = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(provider=identity.provider, issuer=identity.issuer, subject=identity.subject)
        .first()
    )
    if link is not None:
        user = link.user
    else:
        user = _account_for_new_identity(data, request=request)
        link = ExternalIdentity(provider=identity.provider, issuer=identity.issuer, subject=identity.subject)
    verified = TrustLevel.rank(identity.trust_level) >= TrustLevel.rank(TrustLevel.SUBSTANTIAL)
    updates = {name: value for name, value in data.items() if name != "email"}
    for name, value in updates.items():
        if value and (verified or not getattr(user, name)):
            setattr(user, name, value)
    if TrustLevel.rank(identity.trust_level) > TrustLevel.rank(user.identity_trust_level):
        user.identity_trust_level = identity.trust_level
    if user.email_verified_at is None and data["email"] and user.email.lower() == data["email"]:
        from django.utils import timezone

        user.email_verified_at = timezone.now()
    user.is_active = True
    user.save()
    link.user = user
    link.trust_level = identity.trust_level
    link.save()
    audit_record(
        action=AuditAction.PERSONAL_DATA_CHANGED,
        actor=user,
        obj=user,
        subject_user_id=user.pk,
        request=request,
        details={"via": f"eid-{identity.provider}", "trust_level": identity.trust_level},
    )
    user.eid_trust_level = identity.trust_level
    return user
