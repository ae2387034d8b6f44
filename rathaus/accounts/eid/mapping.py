"""Map an identity asserted by an eID provider onto a Rathaus account."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

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


def trust_level_from_acr(acr: str | None) -> str | None:
    """The configured mapping of an ``acr``/AuthnContextClassRef value; None if unknown."""
    if not acr:
        return None
    return settings.EID_ACR_TRUST_LEVELS.get(acr)


def parse_birth_date(value) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


@transaction.atomic
def complete_eid_login(identity: AssertedIdentity, *, request=None) -> User:
    """Find or create the account for an asserted identity and refresh its verified data.

    Name, birth date and address asserted at trust level "substantial" or above overwrite the
    profile, because they are verified by the identity provider; the trust level of this login
    travels on the returned user object to the login signal, which stores it on the session.
    """
    if identity.trust_level not in TrustLevel.values:
        raise ValueError("unknown trust level")
    link = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(provider=identity.provider, issuer=identity.issuer, subject=identity.subject)
        .first()
    )
    if link is not None:
        user = link.user
    else:
        user = User.objects.filter(email__iexact=identity.email).first() if identity.email else None
        if user is None:
            user = User(
                email=(identity.email or f"{identity.provider}-{identity.subject[:40]}@eid.invalid").lower()
            )
            user.set_unusable_password()
        link = ExternalIdentity(provider=identity.provider, issuer=identity.issuer, subject=identity.subject)
    verified = TrustLevel.rank(identity.trust_level) >= TrustLevel.rank(TrustLevel.SUBSTANTIAL)
    updates = {
        "first_name": identity.first_name,
        "last_name": identity.last_name,
        "birth_date": identity.birth_date,
        "street": identity.street,
        "postal_code": identity.postal_code,
        "city": identity.city,
    }
    for name, value in updates.items():
        if value and (verified or not getattr(user, name)):
            setattr(user, name, value)
    if TrustLevel.rank(identity.trust_level) > TrustLevel.rank(user.identity_trust_level):
        user.identity_trust_level = identity.trust_level
    if user.email_verified_at is None and identity.email:
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
