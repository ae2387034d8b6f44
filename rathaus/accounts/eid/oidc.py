"""eID login over OpenID Connect (mozilla-django-oidc as the relying party)."""

from __future__ import annotations

import logging
import re
import time

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponseRedirect
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from ..constants import IdentityProvider
from .mapping import (
    AssertedIdentity,
    EidRejected,
    complete_eid_login,
    not_configured,
    parse_birth_date,
    reject_login,
    trust_level_from_acr,
)

logger = logging.getLogger(__name__)

# Errors of a broken, unreachable or lying provider: they refuse the login, never end in a 500.
PROVIDER_ERRORS = (
    SuspiciousOperation,
    EidRejected,
    jwt.PyJWTError,
    requests.RequestException,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
)
# Clock skew tolerated on exp/iat/nbf of the ID token.
CLOCK_SKEW_SECONDS = 60


def _reason(exc: Exception) -> str:
    if isinstance(exc, EidRejected):
        return exc.reason
    if isinstance(exc, requests.RequestException):
        return "provider unreachable or refused"
    if isinstance(exc, (jwt.PyJWTError, SuspiciousOperation)):
        return "token rejected"
    return "invalid provider answer"


class EidOIDCBackend(OIDCAuthenticationBackend):
    """Authenticates with the eID provider's ID token and userinfo; maps ``acr`` onto trust."""

    def authenticate(self, request, **kwargs):
        # Only the OIDC callback passes a nonce; password logins and SAML never reach the provider.
        if not settings.OIDC_ENABLED or request is None or "nonce" not in kwargs or "code" not in request.GET:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except PROVIDER_ERRORS as exc:
            logger.warning("OIDC login refused: %s", exc)
            request.eid_rejection_reason = _reason(exc)
            return None

    def get_user(self, user_id):
        # mozilla-django-oidc's get_user keeps an inactive account logged in; a deactivated
        # account's eID session ends on its next request, as a password login's does.
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    def _verify_jws(self, payload, key):
        """Verify signature, algorithm, issuer, audience and lifetime of the ID token."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("unexpected signing algorithm")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER or None,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iat", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ID token rejected: {exc}") from exc

    def get_or_create_user(self, access_token, id_token, payload):
        # The trust level comes from the signed ID token only, never from userinfo.
        trust = trust_level_from_acr(payload.get("acr"))
        if trust is None:
            raise EidRejected("unknown acr")
        subject = str(payload.get("sub") or "")
        if not subject:
            raise EidRejected("no subject")
        user_info = self.get_userinfo(access_token, id_token, payload)
        if not isinstance(user_info, dict):
            raise EidRejected("invalid userinfo")
        if str(user_info.get("sub", subject)) != subject:
            raise EidRejected("userinfo subject differs")
        claims = {**payload, **user_info}
        address = claims.get("address")
        if not isinstance(address, dict):
            address = {}
        identity = AssertedIdentity(
            provider=IdentityProvider.OIDC,
            issuer=str(payload.get("iss") or settings.OIDC_OP_ISSUER),
            subject=subject,
            trust_level=trust,
            email=str(claims.get("email") or "") if claims.get("email_verified", True) else "",
            first_name=str(claims.get("given_name") or ""),
            last_name=str(claims.get("family_name") or ""),
            birth_date=parse_birth_date(claims.get("birthdate")),
            street=str(address.get("street_address") or ""),
            postal_code=str(address.get("postal_code") or ""),
            city=str(address.get("locality") or ""),
        )
        return complete_eid_login(identity, request=self.request)


def _error_code(value: str) -> str:
    return re.sub(r"[^a-z_]", "", value.lower())[:40]


class EidOIDCAuthenticationRequestView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider; explains itself when OIDC is not configured."""

    def get(self, request):
        if not settings.OIDC_ENABLED:
            return not_configured(request)
        return super().get(request)


class EidOIDCCallbackView(OIDCAuthenticationCallbackView):
    """The provider's redirect back: every refusal is audited and shows the eID failure page."""

    def get(self, request):
        if not settings.OIDC_ENABLED:
            return not_configured(request)
        if request.GET.get("error"):
            request.eid_rejection_reason = f"provider error {_error_code(request.GET['error'])}"
        try:
            return super().get(request)
        except SuspiciousOperation:
            request.eid_rejection_reason = "state mismatch"
            return self.login_failure()

    def login_failure(self):
        reason = getattr(self.request, "eid_rejection_reason", None) or "callback rejected"
        return reject_login(self.request, "oidc", reason)

    def login_success(self):
        # Always log in anew, even as the same person: the trust level of the session changes and
        # a raised level deserves a fresh session key.
        auth.login(self.request, self.user)
        self.request.session["oidc_id_token_expiration"] = time.time() + self.get_settings(
            "OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS", 60 * 15
        )
        return HttpResponseRedirect(self.success_url)
