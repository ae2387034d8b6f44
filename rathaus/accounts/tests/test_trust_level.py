"""``require_trust_level``: a service that needs a higher trust level explains how to get it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path, reverse

from conftest import make_user
from rathaus.accounts.constants import TrustLevel
from rathaus.accounts.trust import require_trust_level
from rathaus.urls import urlpatterns as project_urlpatterns


@require_trust_level(TrustLevel.HIGH)
def high_only(request):
    return HttpResponse("secret service")


urlpatterns = [path("test-hoch/", high_only, name="test_high_only"), *project_urlpatterns]

pytestmark = pytest.mark.urls(__name__)


def eid_client(user, level: str) -> Client:
    """A session logged in as an eID backend does: the level travels on the user object."""
    client = Client()
    user.eid_trust_level = level
    client.force_login(user, backend="rathaus.accounts.eid.oidc.EidOIDCBackend")
    return client


def test_password_login_is_sent_to_the_trust_level_page(citizen_client):
    assert citizen_client.session["trust_level"] == TrustLevel.BASIC
    response = citizen_client.get("/test-hoch/?antrag=7")

    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == reverse("accounts:trust_level")
    assert parse_qs(target.query) == {"required": ["high"], "next": ["/test-hoch/?antrag=7"]}
    page = citizen_client.get(response["Location"])
    assert page.status_code == 200


def test_eid_high_session_is_let_through(citizen):
    client = eid_client(citizen, TrustLevel.HIGH)
    assert client.session["trust_level"] == TrustLevel.HIGH
    response = client.get("/test-hoch/")
    assert response.status_code == 200
    assert response.content == b"secret service"


def test_eid_substantial_is_not_enough(db):
    client = eid_client(make_user("subst@example.org"), TrustLevel.SUBSTANTIAL)
    response = client.get("/test-hoch/")
    assert response.status_code == 302
    assert "required=high" in response["Location"]


def test_anonymous_visitor_is_sent_to_the_trust_level_page(db):
    response = Client().get("/test-hoch/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:trust_level"))


def test_unknown_level_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown trust level"):
        require_trust_level("extreme")


OIDC_BUTTON = "Mit eID anmelden (OpenID Connect)"
SAML_BUTTON = "Mit BundID anmelden (SAML)"


@pytest.mark.parametrize(
    ("oidc", "saml"),
    [(False, False), (True, False), (False, True), (True, True)],
    ids=["none", "oidc", "saml", "both"],
)
def test_eid_buttons_only_for_configured_providers(settings, db, oidc, saml):
    settings.OIDC_ENABLED, settings.SAML_ENABLED = oidc, saml
    page = Client().get(reverse("accounts:trust_level") + "?required=high").content.decode()
    assert (OIDC_BUTTON in page) is oidc
    assert (SAML_BUTTON in page) is saml
    assert ('data-testid="eid-not-configured"' in page) is not (oidc or saml)
    # What each level needs is explained either way.
    assert "Online-Ausweisfunktion" in page
    login_page = Client().get(reverse("accounts:login")).content.decode()
    assert (reverse("accounts:trust_level") in login_page) is (oidc or saml)


def test_without_eid_the_trust_level_page_says_so_in_english(settings, db):
    settings.OIDC_ENABLED = settings.SAML_ENABLED = False
    client = Client()
    client.cookies["rathaus_language"] = "en"
    page = client.get(reverse("accounts:trust_level") + "?required=high").content.decode()
    assert "no eID provider is connected" in page
    assert "Log in with eID" not in page
