"""eID login over OpenID Connect against a real provider (pyop over HTTP in a thread)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
import requests
from django.conf import settings
from django.test import Client
from django.urls import reverse

from rathaus.accounts.constants import IdentityProvider, TrustLevel
from rathaus.accounts.models import ExternalIdentity, User
from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditEntry
from tests.idp import TestOpenIDProvider
from tests.idp.oidc import query_params

CALLBACK = "http://testserver/oidc/callback/"
FAILED_DE = "Anmeldung mit eID fehlgeschlagen"


@pytest.fixture(scope="module")
def op(tmp_path_factory):
    provider = TestOpenIDProvider(redirect_uris=[CALLBACK], directory=tmp_path_factory.mktemp("op")).start()
    provider.add_user(
        "erika",
        sub="erika-0001",
        given_name="Erika",
        family_name="Mustermann",
        birthdate="1964-08-12",
        email="erika@example.org",
        email_verified=True,
        address={"street_address": "Heidestraße 17", "postal_code": "51147", "locality": "Köln"},
    )
    yield provider
    provider.stop()


@pytest.fixture
def oidc(op, settings, db):
    op.reset()
    op.login_as = "erika"
    for name, value in op.rp_settings().items():
        setattr(settings, name, value)
    return op


def provider_redirect(client: Client, next_url: str = "/konto/") -> str:
    """Start the login at Rathaus and let the provider answer; returns the callback URL."""
    start = client.get(f"{reverse('accounts:eid_oidc_start')}?{urlencode({'next': next_url})}")
    assert start.status_code == 302
    init = client.get(start["Location"])
    assert init.status_code == 302
    assert init["Location"].startswith(f"{settings.OIDC_OP_ISSUER}/authorization?")
    answer = requests.get(init["Location"], allow_redirects=False, timeout=5, verify=settings.OIDC_VERIFY_SSL)
    assert answer.status_code == 302, answer.text
    assert answer.headers["Location"].startswith(CALLBACK)
    return answer.headers["Location"].removeprefix("http://testserver")


def eid_login(client: Client, next_url: str = "/konto/"):
    return client.get(provider_redirect(client, next_url))


def rejections(reason: str | None = None):
    entries = AuditEntry.objects.filter(action=AuditAction.EID_LOGIN_REJECTED, details__protocol="oidc")
    return entries.filter(details__reason=reason) if reason else entries


def assert_refused(response, reason: str) -> None:
    assert response.status_code == 400
    assert FAILED_DE in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session
    assert rejections(reason).count() == 1
    assert not ExternalIdentity.objects.exists()


def test_high_login_creates_account_maps_identity_and_links_again(oidc):
    client = Client()
    response = eid_login(client, next_url="/konto/profil/")

    assert response.status_code == 302
    assert response["Location"] == "/konto/profil/"
    user = User.objects.get(email="erika@example.org")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.session["trust_level"] == TrustLevel.HIGH
    assert (user.first_name, user.last_name) == ("Erika", "Mustermann")
    assert user.birth_date == dt.date(1964, 8, 12)
    assert (user.street, user.postal_code, user.city) == ("Heidestraße 17", "51147", "Köln")
    assert user.identity_trust_level == TrustLevel.HIGH
    assert user.email_verified_at is not None
    assert not user.has_usable_password()
    link = ExternalIdentity.objects.get()
    assert (link.provider, link.issuer, link.subject, link.user_id) == (
        IdentityProvider.OIDC,
        oidc.issuer,
        "erika-0001",
        user.pk,
    )
    assert link.trust_level == TrustLevel.HIGH

    # A second login, in another browser, links to the same account.
    oidc.acr = "urn:rathaus:trust:substantial"
    other = Client()
    again = eid_login(other)
    assert again.status_code == 302
    assert int(other.session["_auth_user_id"]) == user.pk
    assert other.session["trust_level"] == TrustLevel.SUBSTANTIAL
    assert User.objects.count() == 1
    assert ExternalIdentity.objects.get().trust_level == TrustLevel.SUBSTANTIAL
    assert not rejections().exists()


def test_password_session_is_raised_to_high_by_eid_login(oidc, citizen):
    client = Client()
    client.force_login(citizen, backend="rathaus.accounts.backends.EmailBackend")
    # The eID identity carries the citizen's address, so it links to that account.
    oidc.users["erika"]["email"] = citizen.email
    try:
        assert client.session["trust_level"] == TrustLevel.BASIC
        response = eid_login(client)
    finally:
        oidc.users["erika"]["email"] = "erika@example.org"
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == citizen.pk
    assert client.session["trust_level"] == TrustLevel.HIGH


def test_unknown_acr_is_refused_with_audit_entry(oidc):
    oidc.acr = "urn:example:made-up-level"
    response = eid_login(Client())
    assert_refused(response, "unknown acr")
    assert not User.objects.exists()


def test_missing_acr_is_refused(oidc):
    oidc.acr = None
    assert_refused(eid_login(Client()), "unknown acr")


def test_id_token_signed_by_another_key_is_refused(oidc):
    oidc.sign_with_foreign_key = True
    assert_refused(eid_login(Client()), "token rejected")
    assert not User.objects.exists()


def test_tampered_id_token_is_refused(oidc):
    oidc.tamper_id_token = True
    assert_refused(eid_login(Client()), "token rejected")


def test_wrong_state_is_refused(oidc):
    client = Client()
    callback = provider_redirect(client)
    params = query_params(callback)
    params["state"] = "forged-state"
    response = client.get(f"/oidc/callback/?{urlencode(params)}")
    assert_refused(response, "state mismatch")
    assert oidc.token_requests == 0


def test_callback_without_login_in_this_browser_is_refused(oidc):
    callback = provider_redirect(Client())
    response = Client().get(callback)
    assert_refused(response, "callback rejected")


def test_replayed_callback_is_refused(oidc):
    client = Client()
    callback = provider_redirect(client)
    assert client.get(callback).status_code == 302
    client.logout()
    response = client.get(callback)
    assert response.status_code == 400
    assert rejections().count() == 1


def test_cancelled_login_at_provider_is_refused(oidc):
    oidc.login_as = None
    assert_refused(eid_login(Client()), "provider error access_denied")


def test_unreachable_provider_is_refused(oidc, settings):
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"
    assert_refused(eid_login(Client()), "provider unreachable or refused")


def test_garbage_callback_parameters_are_refused(oidc):
    client = Client()
    provider_redirect(client)
    response = client.get("/oidc/callback/", {"code": "x" * 5000, "state": "\x00<script>"})
    assert response.status_code == 400
    assert FAILED_DE in response.content.decode()


def test_not_configured_explains_itself(settings, db):
    settings.OIDC_ENABLED = False
    client = Client()
    for url in ("/oidc/authenticate/", "/oidc/callback/?code=a&state=b", reverse("accounts:eid_oidc_start")):
        response = client.get(url, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain[-1][0].startswith(reverse("accounts:trust_level"))
        assert "ist für diese Installation" in response.content.decode()


def test_eid_email_of_an_existing_account_does_not_take_it_over(oidc):
    owner = User.objects.create_user(
        email="erika@example.org", password="Ein-sicheres-Passwort-1", is_active=True
    )
    client = Client()
    response = eid_login(client)
    assert_refused(response, "e-mail address belongs to an existing account")
    owner.refresh_from_db()
    assert owner.identity_trust_level == ""


def test_logged_in_owner_connects_the_eid_to_the_account(oidc):
    owner = User.objects.create_user(
        email="erika@example.org", password="Ein-sicheres-Passwort-1", is_active=True
    )
    client = Client()
    client.force_login(owner, backend="rathaus.accounts.backends.EmailBackend")
    eid_login(client)
    link = ExternalIdentity.objects.get()
    assert link.user == owner
    assert client.session["trust_level"] == TrustLevel.HIGH
