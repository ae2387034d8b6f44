"""Password reset by e-mail link and password change."""

import re

import pytest
from django.urls import reverse

from conftest import PASSWORD
from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbox")]

NEW_PASSWORD = "Neue-Passphrase-2027"


def _request_reset(client, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("accounts:password_reset"), {"email": email})


def _reset_path(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/konto/passwort-neu/[^\s]+/)", body)
    assert match, body
    return match.group(1)


def test_reset_request_mails_only_a_link(client, citizen, outbox, django_capture_on_commit_callbacks):
    response = _request_reset(client, citizen.email, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    message = outbox.get()
    assert message.to == citizen.email
    assert "/konto/passwort-neu/" in message.body
    for personal in (citizen.first_name, citizen.last_name, citizen.street, citizen.email):
        assert personal not in message.body
        assert personal not in message.subject
    assert AuditEntry.objects.filter(action=AuditAction.PASSWORD_RESET_REQUESTED).exists()


def test_reset_request_for_unknown_address_looks_the_same_and_sends_nothing(
    client, outbox, django_capture_on_commit_callbacks
):
    response = _request_reset(client, "niemand@example.org", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert not outbox.exists()


def test_reset_link_sets_new_password_and_cannot_be_used_twice(
    client, citizen, outbox, django_capture_on_commit_callbacks
):
    _request_reset(client, citizen.email, django_capture_on_commit_callbacks)
    path = _reset_path(outbox.get().body)
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    assert AuditEntry.objects.filter(action=AuditAction.PASSWORD_CHANGED, subject_user_id=citizen.pk).exists()
    reused = client.get(path, follow=True)
    assert reused.status_code == 200
    assert reused.context["validlink"] is False


def test_reset_refuses_a_weak_new_password(client, citizen, outbox, django_capture_on_commit_callbacks):
    _request_reset(client, citizen.email, django_capture_on_commit_callbacks)
    form_page = client.get(_reset_path(outbox.get().body), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)


def test_forged_reset_link_is_invalid_not_500(client, citizen):
    response = client.get("/konto/passwort-neu/MQ/abc-def/", follow=True)
    assert response.status_code == 200
    assert response.context["validlink"] is False


def test_password_change_needs_old_password(citizen_client, citizen):
    response = citizen_client.post(
        reverse("accounts:password_change"),
        {"old_password": "falsch-falsch", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)


def test_password_change_keeps_session_and_is_audited(citizen_client, citizen):
    response = citizen_client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    assert citizen_client.get(reverse("accounts:home")).status_code == 200
    assert AuditEntry.objects.filter(action=AuditAction.PASSWORD_CHANGED, actor_id=citizen.pk).exists()


def test_password_change_requires_login(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def _lock_out(client, email):
    from django.conf import settings

    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": email, "password": "falsch-falsch-falsch"})
    locked = client.post(reverse("accounts:login"), {"username": email, "password": PASSWORD})
    assert "accounts/locked_out.html" in [t.name for t in locked.templates]


def test_a_completed_password_reset_lifts_the_lockout(
    client, citizen, outbox, django_capture_on_commit_callbacks
):
    """The lockout page sends people to reset their password; having done so, they can log in."""
    _lock_out(client, citizen.email.upper())  # the address in any case counts as the same
    _request_reset(client, citizen.email, django_capture_on_commit_callbacks)
    form_page = client.get(_reset_path(outbox.get().body), follow=True)
    client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    response = client.post(reverse("accounts:login"), {"username": citizen.email, "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(citizen.pk)


def test_a_reset_requested_but_not_completed_keeps_the_lockout(
    client, citizen, outbox, django_capture_on_commit_callbacks
):
    _lock_out(client, citizen.email)
    _request_reset(client, citizen.email, django_capture_on_commit_callbacks)
    response = client.post(reverse("accounts:login"), {"username": citizen.email, "password": PASSWORD})
    assert "accounts/locked_out.html" in [t.name for t in response.templates]


def test_a_reset_lifts_only_that_accounts_lockout(
    client, citizen, other_citizen, outbox, django_capture_on_commit_callbacks
):
    _lock_out(client, other_citizen.email)
    _lock_out(client, citizen.email)
    _request_reset(client, citizen.email, django_capture_on_commit_callbacks)
    form_page = client.get(_reset_path(outbox.get().body), follow=True)
    client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    response = client.post(reverse("accounts:login"), {"username": other_citizen.email, "password": PASSWORD})
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
