"""A deactivated account's sessions end at their next request; its login says so neutrally."""

import pytest
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD, login
from rathaus.accounts.forms import LoginForm

pytestmark = pytest.mark.django_db

LOGIN = "/konto/anmelden/"


def _deactivate(user):
    user.is_active = False
    user.save(update_fields=["is_active"])


@pytest.mark.parametrize("path", ["/konto/", "/konto/antraege/", "/konto/profil/"])
def test_deactivating_an_account_ends_its_session(citizen, citizen_client, path):
    assert citizen_client.get(path).status_code == 200
    _deactivate(citizen)
    response = citizen_client.get(path)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    assert citizen_client.get("/api/v1/accounts/me/").status_code in (401, 403)


def test_deactivating_ends_an_eid_session_too(citizen):
    client = Client()
    client.force_login(citizen, backend="rathaus.accounts.eid.oidc.EidOIDCBackend")
    assert client.get("/konto/").status_code == 200
    _deactivate(citizen)
    assert client.get("/konto/").status_code == 302


def test_deactivating_a_staff_member_ends_the_back_office_session(caseworker, caseworker_client):
    assert caseworker_client.get("/konto/verwaltung/").status_code == 200
    _deactivate(caseworker)
    assert caseworker_client.get("/konto/verwaltung/").status_code == 302


def test_a_deactivated_account_is_told_neutrally_not_to_confirm_its_address(client, citizen):
    citizen.email_verified_at = timezone.now()
    citizen.last_login = timezone.now()
    citizen.save()
    _deactivate(citizen)
    response = client.post(LOGIN, {"username": citizen.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    errors = response.context["form"].non_field_errors()
    assert errors == [str(LoginForm.error_messages["deactivated"])]
    assert not response.context["form"].awaiting_confirmation
    assert "bestätigen" not in errors[0]


def test_a_never_confirmed_account_is_still_asked_to_confirm(client, citizen):
    _deactivate(citizen)  # as registered: inactive, no confirmed address, never logged in
    response = client.post(LOGIN, {"username": citizen.email, "password": PASSWORD})
    assert response.context["form"].non_field_errors() == [str(LoginForm.error_messages["inactive"])]
    assert response.context["form"].awaiting_confirmation


def test_a_wrong_password_does_not_reveal_that_an_account_is_deactivated(client, citizen):
    _deactivate(citizen)
    response = client.post(LOGIN, {"username": citizen.email, "password": "falsch-falsch-falsch"})
    assert response.context["form"].non_field_errors() == [str(LoginForm.error_messages["invalid_login"])]


def test_an_active_session_is_unaffected(citizen, citizen_client):
    login(citizen_client, citizen)
    assert citizen_client.get("/konto/").status_code == 200
