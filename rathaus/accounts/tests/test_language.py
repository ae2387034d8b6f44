"""The language a person chooses sticks: the header's buttons save it for a logged-in person,
and saving the profile with another language switches the page at once."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, login
from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditEntry

from .test_profile import _profile_data

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def _html_lang(client, path="/konto/") -> str:
    html = client.get(path).content.decode()
    return html.split('<html lang="')[1][:2]


def test_a_logged_in_persons_buttons_post_with_a_token(citizen_client):
    html = citizen_client.get("/konto/").content.decode()
    assert '<form action="/sprache/" method="post">' in html


def test_the_header_switch_saves_the_preferred_language_and_the_next_login_keeps_it(citizen):
    client = login(Client(enforce_csrf_checks=True), citizen)
    page = client.get("/konto/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post("/sprache/", {"language": "en", "next": "/konto/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == "/konto/"
    assert response.cookies[COOKIE].value == "en"
    citizen.refresh_from_db()
    assert citizen.preferred_language == "en"
    entry = AuditEntry.objects.filter(
        action=AuditAction.PERSONAL_DATA_CHANGED, subject_user_id=citizen.pk
    ).get()
    assert entry.details == {"fields": ["preferred_language"]}
    # Log out and in again: the page stays English.
    client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token})
    fresh = Client()
    fresh.post(reverse("accounts:login"), {"username": citizen.email, "password": PASSWORD})
    assert _html_lang(fresh) == "en"


def test_a_get_changes_only_the_cookie_even_when_logged_in(citizen_client, citizen):
    """A GET needs no token, so another site could trigger it: it must not change the account."""
    response = citizen_client.get("/sprache/", {"language": "en", "next": "/konto/"})
    assert response.cookies[COOKIE].value == "en"
    citizen.refresh_from_db()
    assert citizen.preferred_language == "de"


def test_a_post_without_token_is_refused(citizen, citizen_client):
    client = Client(enforce_csrf_checks=True)
    client.cookies = citizen_client.cookies
    response = client.post("/sprache/", {"language": "en", "next": "/konto/"})
    assert response.status_code == 403
    citizen.refresh_from_db()
    assert citizen.preferred_language == "de"


def test_an_unknown_language_changes_nothing(citizen_client, citizen):
    response = citizen_client.post("/sprache/", {"language": "xx", "next": "/konto/"})
    assert response.status_code == 302 and COOKIE not in response.cookies
    citizen.refresh_from_db()
    assert citizen.preferred_language == "de"


def test_saving_the_profile_with_another_language_switches_the_page_at_once(citizen_client, citizen):
    response = citizen_client.post(
        reverse("accounts:profile"), _profile_data(citizen, preferred_language="en")
    )
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "en"
    page = citizen_client.get(response.url)
    html = page.content.decode()
    assert '<html lang="en">' in html
    assert "Your profile has been saved." in html


def test_saving_the_profile_back_in_german_switches_back(citizen_client, citizen):
    citizen.preferred_language = "en"
    citizen.save()
    citizen_client.cookies[COOKIE] = "en"
    response = citizen_client.post(
        reverse("accounts:profile"), _profile_data(citizen, preferred_language="de")
    )
    assert response.cookies[COOKIE].value == "de"
    assert "Ihr Profil wurde gespeichert." in citizen_client.get(response.url).content.decode()


def test_saving_the_profile_without_a_language_change_leaves_the_cookie_alone(citizen_client, citizen):
    response = citizen_client.post(reverse("accounts:profile"), _profile_data(citizen, city="Passau"))
    assert COOKIE not in response.cookies
