"""Catalogue pages are cached whole for anonymous visitors (``core.pagecache``), and only there."""

from __future__ import annotations

import contextlib
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.test.signals import template_rendered
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

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


# --- Search pages put together from a page rendered once per result list ------------------------


def _plainly_rendered(path: str, **headers) -> bytes:
    """The page as rendered for a visitor who may not be served a cached page."""
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = "not-a-session"
    with rendered_templates() as names:
        content = client.get(path, **headers).content
    assert names
    return content


def test_a_new_search_finding_the_same_services_is_put_together_without_rendering(demo_catalog):
    Client().get("/leistungen/?q=parken")
    with rendered_templates() as names:
        html = Client().get("/leistungen/", {"q": "Parken in der Altstadt"}).content.decode()
    assert names == []
    assert 'value="Parken in der Altstadt"' in html
    assert "Bewohnerparkausweis" in html and "für „Parken in der Altstadt“" in html
    assert 'name="next" type="hidden" value="/leistungen/?q=Parken+in+der+Altstadt"' in html


def test_a_search_finding_other_services_is_another_page(demo_catalog):
    Client().get("/leistungen/?q=parken")
    html = Client().get("/leistungen/?q=hund").content.decode()
    assert "Hundesteuer" in html and "Bewohnerparkausweis" not in html


@pytest.mark.parametrize(
    "query",
    [
        'parken <script>alert("x")</script>',
        "parken & 'hund'",
        "Parkausweis für Bewohner?",
        "parken %3Cb%3E {{ query }} {% now %}",
        "parken slot000query000",
    ],
)
def test_a_page_put_together_reads_exactly_as_the_page_rendered_for_it(demo_catalog, query):
    Client().get("/leistungen/?q=parken")  # the page for this result list, rendered once
    path = "/leistungen/?" + urlencode({"q": query})
    assembled = Client().get(path)
    assert assembled.status_code == 200
    assert assembled.content == _plainly_rendered(path)
    fragment = Client().get(path, HTTP_HX_REQUEST="true").content
    assert fragment == _plainly_rendered(path, HTTP_HX_REQUEST="true")
    assert "<script>" not in assembled.content.decode()


@given(query=st.text(min_size=1, max_size=40))
@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_search_reads_the_same_put_together_or_rendered(demo_catalog, query):
    path = "/leistungen/?" + urlencode({"q": query})
    first, second = Client().get(path), Client().get(path + "&x=1")
    assert first.status_code == second.status_code == 200
    assert first.content == _plainly_rendered(path)
    assert second.content == _plainly_rendered(path + "&x=1")
