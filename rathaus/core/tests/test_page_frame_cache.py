"""The page frame's cached fragments (base.html): shared only where the page really is the same.

Anonymous visitors share the navigation, the footer, the brand and the static links; nothing
cached may carry another request's CSP nonce or CSRF token, a logged-in person's menu, the other
language, or an old branding.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from rathaus.core.models import SiteBranding

pytestmark = pytest.mark.django_db


def _current_links(html: str) -> list[str]:
    return re.findall(r'<a class="kern-link" href="([^"]+)" aria-current="page"', html)


def test_anonymous_navigation_marks_the_current_page_on_every_kind_of_page():
    client = Client()
    assert _current_links(client.get("/").content.decode()) == ["/"]
    assert _current_links(client.get("/leistungen/").content.decode()) == ["/leistungen/"]
    assert _current_links(client.get("/leistungen/?q=parken").content.decode()) == ["/leistungen/"]
    assert _current_links(client.get("/").content.decode()) == ["/"]


def test_a_logged_in_person_never_gets_the_anonymous_frame(citizen_client):
    Client().get("/")  # fills the anonymous fragments
    html = citizen_client.get("/").content.decode()
    assert "Meine Anträge" in html and "Abmelden" in html
    assert "Konto erstellen" not in html
    assert "Meine Anträge" not in Client().get("/").content.decode()


def test_each_language_has_its_own_fragments():
    german = Client().get("/").content.decode()
    english_client = Client()
    english_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = english_client.get("/").content.decode()
    assert "Leistungen" in german and "Impressum" in german
    assert ">Services<" in english and "Legal notice" in english
    assert "Impressum" not in english


def test_anonymous_frame_holds_no_token_nor_nonce_and_sets_no_cookie():
    response = Client().get("/leistungen/")
    html = response.content.decode()
    assert "csrfmiddlewaretoken" not in html and "X-CSRFToken" not in html
    assert "nonce" not in html and "'nonce-" not in response["Content-Security-Policy"]
    assert not response.cookies


def test_logged_in_frame_carries_a_fresh_csrf_token_for_htmx(citizen_client):
    tokens = [
        re.search(r'"X-CSRFToken": "([^"]+)"', citizen_client.get("/").content.decode()).group(1)
        for _ in range(2)
    ]
    assert tokens[0] != tokens[1]  # masked afresh for every response, never cached


def test_language_buttons_switch_by_get_and_keep_the_page():
    client = Client()
    html = client.get("/seite/impressum/").content.decode()
    assert '<form action="/sprache/" method="get">' in html
    response = client.get("/sprache/", {"language": "en", "next": "/seite/impressum/"})
    assert response.status_code == 302 and response["Location"] == "/seite/impressum/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in client.get("/").content.decode()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", ""])
def test_language_switch_never_leaves_the_portal(target):
    response = Client().get("/sprache/", {"language": "en", "next": target})
    assert response.status_code == 302 and response["Location"] == "/"


def test_language_switch_ignores_unknown_languages():
    response = Client().get("/sprache/", {"language": "xx", "next": "/"})
    assert response.status_code == 302 and settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_a_branding_change_shows_at_once(settings):
    from django.core.cache import cache

    from rathaus.core.context_processors import BRANDING_CACHE_KEY

    assert "Stadt Regensburg" in Client().get("/").content.decode()
    branding = SiteBranding.current()
    branding.city_name = "Stadt Musterhausen"
    branding.contact_phone = "+49 1234 5678"
    branding.save()
    cache.delete(BRANDING_CACHE_KEY)  # as the admin does on saving
    html = Client().get("/").content.decode()
    assert '<span class="rathaus-brand__city">Stadt Musterhausen</span>' in html
    assert "+49 1234 5678" in html and "Stadt Regensburg" not in html
