"""Legal pages in German and English, the designed error pages, CSRF and broken sessions."""

import pytest
from django.conf import settings
from django.test import Client

from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditEntry, LegalPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def imprint(db):
    return LegalPage.objects.create(
        kind="impressum",
        title="Impressum",
        title_en="Legal notice",
        body="Stadt Regensburg\n\nVertreten durch die Oberbürgermeisterin",
        body_en="City of Regensburg\n\nRepresented by the Lord Mayor",
    )


def test_legal_page_renders_in_german_by_default(client, imprint):
    response = client.get("/seite/impressum/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "Vertreten durch die Oberbürgermeisterin" in html
    assert "Represented by" not in html


def test_legal_page_renders_in_english_with_language_cookie(client, imprint):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/seite/impressum/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Represented by the Lord Mayor" in html
    assert '<h1 class="kern-heading-large">Legal notice</h1>' in html


def test_legal_page_falls_back_to_german_without_english_text(client):
    LegalPage.objects.create(kind="datenschutz", title="Datenschutzerklärung", body="Nur auf Deutsch.")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/seite/datenschutz/")
    assert response.status_code == 200
    assert "Nur auf Deutsch." in response.content.decode()
    assert "Datenschutzerklärung" in response.content.decode()


def test_browser_language_alone_does_not_switch_to_english(client, imprint):
    response = client.get("/seite/impressum/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert '<html lang="de">' in response.content.decode()


def test_unknown_language_cookie_falls_back_to_german(client, imprint):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert '<html lang="de">' in client.get("/seite/impressum/").content.decode()


@pytest.mark.parametrize("path", ["/seite/gibt-es-nicht/", "/seite/impressum/"])
def test_unknown_legal_page_uses_the_designed_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert "base.html" in [t.name for t in response.templates]


def test_unknown_url_uses_the_designed_404(client):
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]


def test_csrf_failure_shows_designed_page_and_is_audited(citizen):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/konto/anmelden/", {"username": citizen.email, "password": "x"})
    assert response.status_code == 403
    assert "csrf_failure.html" in [t.name for t in response.templates]
    entry = AuditEntry.objects.get(action=AuditAction.CSRF_FAILURE)
    assert entry.details == {"path": "/konto/anmelden/"}


def test_csrf_failure_of_logged_in_person_names_the_actor(citizen):
    from conftest import login

    client = login(Client(enforce_csrf_checks=True), citizen)
    response = client.post("/konto/profil/", {"first_name": "X"})
    assert response.status_code == 403
    assert AuditEntry.objects.get(action=AuditAction.CSRF_FAILURE).actor_id == citizen.pk


@pytest.mark.parametrize(
    "cookie", ["garbage", "x" * 500, "../../etc/passwd", "0" * 32, "abc:def:ghi", "ä-ö-ü"]
)
def test_tampered_session_cookie_never_causes_500(citizen, cookie):
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    for path in ("/", "/konto/", "/konto/anmelden/", "/seite/impressum/"):
        response = client.get(path)
        assert response.status_code in (200, 302, 404), path


def test_tampered_session_cookie_is_not_logged_in(citizen_client):
    session_key = citizen_client.cookies[settings.SESSION_COOKIE_NAME].value
    citizen_client.cookies[settings.SESSION_COOKIE_NAME] = session_key[:-1] + (
        "a" if session_key[-1] != "a" else "b"
    )
    response = citizen_client.get("/konto/")
    assert response.status_code == 302


def test_home_page_renders(client):
    response = client.get("/")
    assert response.status_code == 200


def test_security_headers_are_set(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    # No inline styles: the policy names no 'unsafe-inline' for styles or scripts.
    directives = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip()
    )
    assert "'unsafe-inline'" not in directives["style-src"]
    assert "'unsafe-inline'" not in directives["script-src"]


def test_branding_colour_is_a_linked_stylesheet_that_follows_the_branding(client):
    from django.core.cache import cache

    from rathaus.core.context_processors import BRANDING_CACHE_KEY
    from rathaus.core.models import SiteBranding

    cache.delete(BRANDING_CACHE_KEY)  # another test's branding may be kept in this process
    branding = SiteBranding.current()
    page = client.get("/").content.decode()
    assert f"/gestaltung.css?v={branding.fragment_key}" in page
    assert "<style" not in page
    sheet = client.get("/gestaltung.css")
    assert sheet["Content-Type"].startswith("text/css")
    assert f"--rathaus-primary: {branding.primary_colour};" in sheet.content.decode()
    assert "max-age" in sheet["Cache-Control"]

    SiteBranding.objects.filter(pk=branding.pk).update(primary_colour="#00507a")
    cache.delete(BRANDING_CACHE_KEY)
    assert "--rathaus-primary: #00507a;" in client.get("/gestaltung.css").content.decode()
    changed = SiteBranding.current()
    assert f"/gestaltung.css?v={changed.fragment_key}" in client.get("/").content.decode()
    # A colour that is not #rrggbb (written past the validator) never reaches the stylesheet.
    SiteBranding.objects.filter(pk=branding.pk).update(primary_colour="red;}")
    cache.delete(BRANDING_CACHE_KEY)
    assert "red" not in client.get("/gestaltung.css").content.decode()
