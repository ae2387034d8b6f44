"""Password login: clear messages, throttling with django-axes, audit lines, session rules."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from rathaus.accounts.trust import SESSION_KEY
from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = "/konto/anmelden/"


def _login(client, email, password):
    return client.post(LOGIN, {"username": email, "password": password})


def test_wrong_password_shows_message_and_is_audited(client, citizen):
    response = _login(client, citizen.email, "falsch-falsch-falsch")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert citizen.email not in str(entry.details)


def test_correct_password_logs_in_with_basic_trust_level_and_audit(client, citizen):
    response = _login(client, citizen.email, PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("accounts:home")
    assert client.session["_auth_user_id"] == str(citizen.pk)
    assert client.session[SESSION_KEY] == "basic"
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert entry.actor_id == citizen.pk
    assert entry.details == {"trust_level": "basic"}


def test_login_accepts_the_address_in_other_case(client, citizen):
    response = _login(client, citizen.email.upper(), PASSWORD)
    assert response.status_code == 302


def test_five_failures_lock_the_account_out_with_the_locked_out_page(client, citizen):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, citizen.email, "falsch-falsch-falsch").status_code == 200
    locked = _login(client, citizen.email, "falsch-falsch-falsch")
    assert locked.status_code in (403, 429)
    assert "accounts/locked_out.html" in [t.name for t in locked.templates]
    # Even the right password is refused while the lock lasts.
    again = _login(client, citizen.email, PASSWORD)
    assert again.status_code in (403, 429)
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).count() >= settings.AXES_FAILURE_LIMIT
    assert AuditEntry.objects.filter(action=AuditAction.LOCKED_OUT).exists()


def test_lockout_of_one_account_does_not_block_another(client, citizen, other_citizen):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, citizen.email, "falsch-falsch-falsch")
    assert _login(Client(), other_citizen.email, PASSWORD).status_code == 302


def test_session_expires_after_idle_time_and_at_browser_close():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_session_cookie_has_no_max_age_after_login(client, citizen):
    response = _login(client, citizen.email, PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"]
    assert not cookie["expires"]
    assert client.session.get_expiry_age() == 30 * 60


def test_logout_requires_post_and_ends_the_session(citizen_client):
    assert citizen_client.get("/konto/abmelden/").status_code == 405
    response = citizen_client.post("/konto/abmelden/")
    assert response.status_code == 302
    assert "_auth_user_id" not in citizen_client.session
    assert AuditEntry.objects.filter(action=AuditAction.LOGOUT).exists()


def test_login_redirects_only_to_local_next(client, citizen):
    response = client.post(
        LOGIN, {"username": citizen.email, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:home")
