"""eID login over OpenID Connect (mozilla-django-oidc as the relying party)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from rathaus.core.audit import audit_record
from rathaus.core.constants import AuditAction

from ..constants import IdentityProvider
from .mapping import AssertedIdentity, complete_eid_login, parse_birth_date, trust_level_from_acr

logger = logging.getLogger(__name__)


class EidOIDCBackend(OIDCAuthenticationBackend):
    """Authenticates with the eID provider's ID token and userinfo; maps ``acr`` onto trust."""

    def authenticate(self, request, **kwargs):
        if not settings.OIDC_ENABLED or request is None or "code" not in request.GET:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except SuspiciousOperation:
            audit_record(action=AuditAction.EID_LOGIN_REJECTED, request=request, details={"protocol": "oidc"})
            return None

    def get_or_create_user(self, access_token, id_token, payload):
        user_info = self.get_userinfo(access_token, id_token, payload)
        claims = {**user_info, **{k: v for k, v in payload.items() if k in ("acr", "sub", "iss")}}
        trust = trust_level_from_acr(claims.get("acr"))
        if trust is None or not claims.get("sub"):
            audit_record(
                action=AuditAction.EID_LOGIN_REJECTED,
                request=self.request,
                details={"protocol": "oidc", "reason": "unknown acr" if trust is None else "no subject"},
            )
            return None
        address = claims.get("address") or {}
        identity = AssertedIdentity(
            provider=IdentityProvider.OIDC,
            issuer=str(claims.get("iss") or settings.OIDC_OP_ISSUER),
            subject=str(claims["sub"]),
            trust_level=trust,
            email=str(claims.get("email") or ""),
            first_name=str(claims.get("given_name") or ""),
            last_name=str(claims.get("family_name") or ""),
            birth_date=parse_birth_date(claims.get("birthdate")),
            street=str(address.get("street_address") or ""),
            postal_code=str(address.get("postal_code") or "")[:5],
            city=str(address.get("locality") or ""),
        )
        return complete_eid_login(identity, request=self.request)
