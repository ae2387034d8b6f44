"""eID login over SAML 2.0 against a real identity provider (pysaml2 over HTTP in a thread)."""

from __future__ import annotations

import base64
import datetime as dt
from urllib.parse import urlencode

import pytest
import requests
from django.test import Client
from django.urls import reverse
from saml2.config import SPConfig

from rathaus.accounts.constants import IdentityProvider, TrustLevel
from rathaus.accounts.eid.saml import build_saml_config
from rathaus.accounts.models import ExternalIdentity, User
from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditEntry
from tests.idp import TestSAMLIdentityProvider
from tests.idp.saml import XMLSEC_BINARY, _write_key_pair, parse_post_form, sp_metadata

PUBLIC_URL = "http://testserver"
SP_ENTITY_ID = f"{PUBLIC_URL}/saml2/metadata/"
ACS = f"{PUBLIC_URL}/saml2/acs/"
FAILED_DE = "Anmeldung mit eID fehlgeschlagen"


@pytest.fixture(scope="module")
def sp_keys(tmp_path_factory):
    return _write_key_pair(tmp_path_factory.mktemp("sp"), "sp")


@pytest.fixture(scope="module")
def idp(tmp_path_factory, sp_keys):
    key_file, cert_file = sp_keys
    config = build_saml_config(
        idp_metadata="unused",
        sp_entity_id=SP_ENTITY_ID,
        sp_key_file=key_file,
        sp_cert_file=cert_file,
        xmlsec_binary=XMLSEC_BINARY,
        public_url=PUBLIC_URL,
    )
    config.pop("metadata")
    provider = TestSAMLIdentityProvider(tmp_path_factory.mktemp("idp"))
    provider.start(sp_metadata(SPConfig().load(config)))
    yield provider
    provider.stop()


@pytest.fixture
def saml(idp, sp_keys, settings, db):
    idp.reset()
    settings.SAML_ENABLED = True
    settings.SAML_IDP_METADATA = idp.metadata_file
    settings.SAML_SP_ENTITY_ID = SP_ENTITY_ID
    settings.SAML_SP_KEY_FILE, settings.SAML_SP_CERT_FILE = sp_keys
    settings.SAML_XMLSEC_BINARY = XMLSEC_BINARY
    settings.SAML_PUBLIC_URL = PUBLIC_URL
    # What settings.py wires when SAML_IDP_METADATA is set.
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "rathaus.accounts.eid.saml.EidSaml2Backend",
    ]
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
        "djangosaml2.middleware.SamlSessionMiddleware",
    )
    settings.MIDDLEWARE = middleware
    return idp


def idp_answer(client: Client, idp, next_url: str = "/konto/") -> dict[str, str]:
    """Start the login at Rathaus, let the IdP answer; returns the fields the browser would POST."""
    start = client.get(f"{reverse('accounts:eid_saml_start')}?{urlencode({'next': next_url})}")
    assert start.status_code == 302
    login = client.get(start["Location"])
    assert login.status_code == 302, login.content
    assert login["Location"].startswith(f"{idp.base_url}/sso/redirect?")
    page = requests.get(login["Location"], timeout=5)
    assert page.status_code == 200, page.text
    action, fields = parse_post_form(page.text)
    assert action == ACS
    return fields


def saml_login(client: Client, idp, next_url: str = "/konto/"):
    return client.post("/saml2/acs/", idp_answer(client, idp, next_url))


def rejections(reason: str | None = None):
    entries = AuditEntry.objects.filter(action=AuditAction.EID_LOGIN_REJECTED, details__protocol="saml")
    return entries.filter(details__reason=reason) if reason else entries


def assert_refused(response, reason: str | None = None) -> None:
    assert response.status_code == 400
    assert FAILED_DE in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session
    assert rejections(reason).count() == 1
    assert not ExternalIdentity.objects.exists()


def test_signed_assertion_logs_in_with_mapped_trust_level(saml):
    client = Client()
    response = saml_login(client, saml, next_url="/konto/profil/")

    assert response.status_code == 302
    assert response["Location"] == "/konto/profil/"
    link = ExternalIdentity.objects.get()
    user = link.user
    assert (link.provider, link.issuer, link.subject) == (IdentityProvider.SAML, saml.entity_id, "erika-0001")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.session["trust_level"] == TrustLevel.HIGH
    assert (user.first_name, user.last_name, user.birth_date) == ("Erika", "Mustermann", dt.date(1964, 8, 12))
    assert (user.street, user.postal_code, user.city) == ("Heidestraße 17", "51147", "Köln")
    assert user.email.endswith("@eid.invalid")

    # Again at "substantial" (STORK level 3), in another browser: the same account.
    saml.authn_context = "STORK-QAA-Level-3"
    other = Client()
    assert saml_login(other, saml).status_code == 302
    assert int(other.session["_auth_user_id"]) == user.pk
    assert other.session["trust_level"] == TrustLevel.SUBSTANTIAL
    assert User.objects.count() == 1
    assert not rejections().exists()


def test_assertion_signed_by_another_key_is_refused(saml):
    saml.sign_with_impostor_key = True
    response = saml_login(Client(), saml)
    assert_refused(response, "SignatureError")
    assert not User.objects.exists()


def test_unknown_authn_context_is_refused(saml):
    saml.authn_context = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
    assert_refused(saml_login(Client(), saml), "unknown authn context")
    assert not User.objects.exists()


def test_replayed_response_is_refused(saml):
    client = Client()
    fields = idp_answer(client, saml)
    assert client.post("/saml2/acs/", fields).status_code == 302
    client.logout()
    response = client.post("/saml2/acs/", fields)
    assert response.status_code == 400
    assert FAILED_DE in response.content.decode()
    assert rejections().count() == 1


def test_response_without_request_in_this_browser_is_refused(saml):
    fields = idp_answer(Client(), saml)
    assert_refused(Client().post("/saml2/acs/", fields), "UnsolicitedResponse")


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"SAMLResponse": ""},
        {"SAMLResponse": "not base64 at all <>"},
        {"SAMLResponse": base64.b64encode(b"<not-saml/>").decode()},
        {"SAMLResponse": base64.b64encode(b"\xff\xfe garbage").decode()},
    ],
)
def test_malformed_responses_are_refused(saml, data):
    client = Client()
    idp_answer(client, saml)
    response = client.post("/saml2/acs/", data)
    assert response.status_code == 400
    assert FAILED_DE in response.content.decode()
    assert rejections().count() == 1


def test_sp_metadata_is_published(saml):
    response = Client().get("/saml2/metadata/")
    assert response.status_code == 200
    assert SP_ENTITY_ID in response.content.decode()
    assert ACS in response.content.decode()


def test_not_configured_explains_itself(settings, db):
    settings.SAML_ENABLED = False
    client = Client()
    for url in ("/saml2/login/", "/saml2/metadata/", reverse("accounts:eid_saml_start")):
        response = client.get(url, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain[-1][0].startswith(reverse("accounts:trust_level"))
    response = client.post("/saml2/acs/", {"SAMLResponse": "x"}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:trust_level"))
