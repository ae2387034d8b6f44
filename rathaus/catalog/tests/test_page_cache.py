"""Catalogue pages are cached whole for anonymous visitors (``core.pagecache``), and only there."""

from __future__ import annotations

import contextlib

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.test.signals import template_rendered

from rathaus.catalog.models import Service
from rathaus.core.pagecache import _same_for_everybody

pytestmark = pytest.mark.django_db

SEARCH = "/leistungen/?q=parken"


@contextlib.contextmanager
def rendered_templates():
    names: list[str] = []

    def record(sender, template, context, **kwargs):
        names.append(template.name)

    template_rendered.connect(record)
    try:
        yield names
    finally:
        template_rendered.disconnect(record)


def test_second_anonymous_visit_is_served_without_rendering_and_reads_the_same(demo_catalog):
    first = Client().get(SEARCH)
    with rendered_templates() as names:
        second = Client().get(SEARCH)
    assert names == []
    assert second.status_code == 200 and second.content == first.content
    assert "Bewohnerparkausweis" in second.content.decode()
    # Headers come from the middleware, fresh for every response.
    assert second["X-Frame-Options"] == "DENY" and "default-src" in second["Content-Security-Policy"]
    assert second["Content-Language"] == "de"


def test_other_query_language_and_htmx_are_other_pages(demo_catalog):
    Client().get(SEARCH)
    assert "Hundesteuer" in Client().get("/leistungen/?q=hund").content.decode()
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = english.get(SEARCH).content.decode()
    assert '<html lang="en">' in html and "parking permit" in html
    fragment = Client().get(SEARCH, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'id="suchergebnisse"' in fragment


def test_a_logged_in_person_is_never_served_a_cached_page(demo_catalog, citizen_client):
    Client().get(SEARCH)
    with rendered_templates() as names:
        html = citizen_client.get(SEARCH).content.decode()
    assert names  # rendered for the person
    assert "Meine Anträge" in html and "Abmelden" in html
    assert "Meine Anträge" not in Client().get(SEARCH).content.decode()


def test_a_visitor_with_a_session_or_messages_gets_the_page_rendered(demo_catalog):
    Client().get(SEARCH)
    for cookie in (settings.SESSION_COOKIE_NAME, "messages"):
        client = Client()
        client.cookies[cookie] = "something"
        with rendered_templates() as names:
            assert client.get(SEARCH).status_code == 200
        assert names, cookie


def test_a_catalogue_change_shows_at_once(demo_catalog):
    assert "Bewohnerparkausweis" in Client().get(SEARCH).content.decode()
    service = Service.objects.get(slug="bewohnerparkausweis")
    service.is_published = False
    service.save()
    assert "Bewohnerparkausweis" not in Client().get(SEARCH).content.decode()
    detail = f"/leistungen/{service.slug}/"
    assert Client().get(detail).status_code == 404
    service.is_published = True
    service.name = "Parkausweis für Bewohner"
    service.save()
    assert "Parkausweis für Bewohner" in Client().get(detail).content.decode()


def test_pages_with_a_token_a_cookie_or_an_error_are_not_stored():
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    factory = RequestFactory()
    plain = factory.get("/")
    assert _same_for_everybody(plain, HttpResponse("ok"))
    with_token = factory.get("/")
    get_token(with_token)
    assert not _same_for_everybody(with_token, HttpResponse("ok"))
    cookie = HttpResponse("ok")
    cookie.set_cookie("x", "1")
    assert not _same_for_everybody(factory.get("/"), cookie)
    assert not _same_for_everybody(factory.get("/"), HttpResponse("no", status=404))
