"""eID login over SAML 2.0 (djangosaml2 and pysaml2 as the service provider)."""

from __future__ import annotations

import copy
import logging

from django.conf import settings
from django.contrib import auth
from django.contrib.sessions.backends.base import SessionBase
from django.shortcuts import redirect
from djangosaml2 import views as saml_views
from djangosaml2.backends import Saml2Backend
from saml2.config import SPConfig

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
from .saml_config import build_saml_config

logger = logging.getLogger(__name__)

__all__ = [
    "EidSaml2Backend",
    "build_saml_config",
    "config_loader",
    "identity_from_session_info",
    "saml_config_from_settings",
]

# SAML attribute names (friendly names after pysaml2's conversion, and the raw URIs) per field.
ATTRIBUTE_NAMES = {
    "first_name": ("givenName", "urn:oid:2.5.4.42", "given_name", "FirstName"),
    "last_name": ("sn", "surname", "urn:oid:2.5.4.4", "family_name", "FamilyName"),
    "email": ("mail", "email", "urn:oid:0.9.2342.19200300.100.1.3"),
    "birth_date": ("dateOfBirth", "urn:oid:1.3.6.1.5.5.7.9.1", "birthdate", "DateOfBirth"),
    "street": ("street", "urn:oid:2.5.4.9", "streetAddress"),
    "postal_code": ("postalCode", "urn:oid:2.5.4.17"),
    "city": ("l", "localityName", "urn:oid:2.5.4.7"),
}


def saml_config_from_settings() -> dict:
    return build_saml_config(
        idp_metadata=settings.SAML_IDP_METADATA,
        sp_entity_id=settings.SAML_SP_ENTITY_ID,
        sp_key_file=settings.SAML_SP_KEY_FILE,
        sp_cert_file=settings.SAML_SP_CERT_FILE,
        xmlsec_binary=settings.SAML_XMLSEC_BINARY,
        public_url=settings.SAML_PUBLIC_URL,
    )


def config_loader(request=None) -> SPConfig:
    """djangosaml2's SAML_CONFIG_LOADER: the configuration from the current settings."""
    conf = SPConfig()
    conf.load(copy.deepcopy(saml_config_from_settings()))
    return conf


def _first(ava: dict, names: tuple[str, ...]) -> str:
    for name in names:
        values = ava.get(name)
        if isinstance(values, (list, tuple)):
            values = values[0] if values else None
        if values:
            return str(values).strip()
    return ""


def identity_from_session_info(session_info: dict) -> AssertedIdentity:
    """The asserted identity of a verified SAML response; EidRejected when it is not usable."""
    class_refs = [entry[0] for entry in session_info.get("authn_info") or [] if entry and entry[0]]
    trust = next((t for t in map(trust_level_from_acr, class_refs) if t), None)
    if trust is None:
        raise EidRejected("unknown authn context")
    name_id = session_info.get("name_id")
    subject = str(getattr(name_id, "text", "") or "").strip()
    issuer = str(session_info.get("issuer") or "").strip()
    if not subject or not issuer:
        raise EidRejected("no subject")
    ava = session_info.get("ava") or {}
    fields = {name: _first(ava, names) for name, names in ATTRIBUTE_NAMES.items()}
    return AssertedIdentity(
        provider=IdentityProvider.SAML,
        issuer=issuer,
        subject=subject,
        trust_level=trust,
        email=fields["email"],
        first_name=fields["first_name"],
        last_name=fields["last_name"],
        birth_date=parse_birth_date(fields["birth_date"]),
        street=fields["street"],
        postal_code=fields["postal_code"],
        city=fields["city"],
    )


class EidSaml2Backend(Saml2Backend):
    """Authenticates with a verified SAML assertion; maps AuthnContextClassRef onto trust."""

    def authenticate(
        self,
        request,
        session_info=None,
        attribute_mapping=None,
        create_unknown_user=True,
        assertion_info=None,
        **kwargs,
    ):
        if not settings.SAML_ENABLED or request is None or not session_info:
            return None
        try:
            identity = identity_from_session_info(session_info)
            return complete_eid_login(identity, request=request)
        except EidRejected as exc:
            request.eid_rejection_reason = exc.reason
            return None


def _saml_session(request) -> None:
    # The SAML state lives in its own cookie (SameSite=None, set by SamlSessionMiddleware), so the
    # IdP's cross-site POST carries it. Without the middleware fall back to the normal session.
    if not isinstance(getattr(request, "saml_session", None), SessionBase):
        logger.warning("SamlSessionMiddleware is not installed; using the normal session for SAML.")
        request.saml_session = request.session


def _local_logout(request):
    """When single logout at the IdP fails, at least end the session here."""
    auth.logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


class LoginView(saml_views.LoginView):
    def should_prevent_auth(self, request) -> bool:
        # A person logged in with a password may log in again with eID to raise the trust level.
        return False

    def get(self, request, *args, **kwargs):
        if not settings.SAML_ENABLED:
            return not_configured(request)
        _saml_session(request)
        try:
            return super().get(request, *args, **kwargs)
        except Exception:
            logger.exception("Could not start the SAML login.")
            return reject_login(request, "saml", "login request failed")


class AssertionConsumerServiceView(saml_views.AssertionConsumerServiceView):
    def post(self, request, *args, **kwargs):
        if not settings.SAML_ENABLED:
            return not_configured(request)
        if not request.POST.get("SAMLResponse"):
            return reject_login(request, "saml", "no response")
        _saml_session(request)
        try:
            return super().post(request, *args, **kwargs)
        except Exception:
            logger.exception("Could not process the SAML response.")
            return reject_login(request, "saml", "response not processed")

    def get(self, request, *args, **kwargs):
        return reject_login(request, "saml", "no response")

    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):
        reason = getattr(request, "eid_rejection_reason", None) or type(exception).__name__
        return reject_login(request, "saml", reason)


class MetadataView(saml_views.MetadataView):
    def get(self, request, *args, **kwargs):
        if not settings.SAML_ENABLED:
            return not_configured(request)
        return super().get(request, *args, **kwargs)


class LogoutInitView(saml_views.LogoutInitView):
    def get(self, request, *args, **kwargs):
        if not settings.SAML_ENABLED:
            return not_configured(request)
        _saml_session(request)
        try:
            return super().get(request, *args, **kwargs)
        except Exception:
            logger.exception("Could not start the SAML logout.")
            return _local_logout(request)


class LogoutView(saml_views.LogoutView):
    def dispatch(self, request, *args, **kwargs):
        if not settings.SAML_ENABLED:
            return not_configured(request)
        _saml_session(request)
        try:
            return super().dispatch(request, *args, **kwargs)
        except Exception:
            logger.exception("Could not process the SAML logout.")
            return _local_logout(request)
