"""Registration: confirmation e-mail, one-time link, no account enumeration, clear refusals."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from rathaus.accounts.forms import LoginForm
from rathaus.accounts.models import User
from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditEntry, OutboxMessage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbox")]

PASSWORD = "Sichere-Passphrase-2026"


def _register(client, django_capture_on_commit_callbacks, **overrides):
    data = {
        "first_name": "Lena",
        "last_name": "Neu",
        "email": "lena@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "accept_privacy": "on",
        **overrides,
    }
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("accounts:register"), data)


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def _link_from(message: OutboxMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/konto/bestaetigen/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_registration_sends_confirmation_mail_to_outbox(client, django_capture_on_commit_callbacks):
    response = _register(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.url == reverse("accounts:register_done")
    user = User.objects.get(email="lena@example.org")
    assert not user.is_active
    assert user.email_verified_at is None
    message = OutboxMessage.objects.get()
    assert message.to == "lena@example.org"
    assert "/konto/bestaetigen/" in message.body
    assert AuditEntry.objects.filter(action=AuditAction.ACCOUNT_CREATED, subject_user_id=user.pk).exists()


def test_confirmation_link_activates_the_account(client, django_capture_on_commit_callbacks):
    _register(client, django_capture_on_commit_callbacks)
    response = client.get(_link_from(OutboxMessage.objects.get()))
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    user = User.objects.get(email="lena@example.org")
    assert user.is_active
    assert user.email_verified_at is not None
    assert AuditEntry.objects.filter(action=AuditAction.ACCOUNT_VERIFIED, subject_user_id=user.pk).exists()


def test_reused_confirmation_link_shows_clear_page_with_400(client, django_capture_on_commit_callbacks):
    _register(client, django_capture_on_commit_callbacks)
    link = _link_from(OutboxMessage.objects.get())
    client.get(link)
    response = client.get(link)
    assert response.status_code == 400
    assert "accounts/verify_failed.html" in [t.name for t in response.templates]
    assert response.context["expired"] is False
    assert "Bestätigungslink ist nicht gültig" in response.content.decode()


def test_expired_confirmation_link_shows_expired_page_with_400(
    client, django_capture_on_commit_callbacks, settings
):
    _register(client, django_capture_on_commit_callbacks)
    link = _link_from(OutboxMessage.objects.get())
    settings.EMAIL_VERIFICATION_TIMEOUT = -1
    response = client.get(link)
    assert response.status_code == 400
    assert response.context["expired"] is True
    assert not User.objects.get(email="lena@example.org").is_active


def test_expired_confirmation_link_page_is_translated_to_english(
    client, django_capture_on_commit_callbacks, settings
):
    _register(client, django_capture_on_commit_callbacks)
    link = _link_from(OutboxMessage.objects.get())
    settings.EMAIL_VERIFICATION_TIMEOUT = -1
    client.cookies["rathaus_language"] = "en"
    response = client.get(link)
    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()


@pytest.mark.parametrize("token", ["garbage", "a" * 300, "eyJ1IjoxfQ:abc:def"])
def test_forged_confirmation_link_is_400_not_500(client, token):
    response = client.get(reverse("accounts:verify_email", kwargs={"token": token}))
    assert response.status_code == 400


def test_registration_with_taken_email_creates_nothing_and_mails_the_owner(
    client, citizen, django_capture_on_commit_callbacks
):
    users_before = User.objects.count()
    response = _register(client, django_capture_on_commit_callbacks, email="MARIA@example.org")
    assert response.status_code == 302
    assert response.url == reverse("accounts:register_done")
    assert User.objects.count() == users_before
    message = OutboxMessage.objects.get()
    assert message.to == citizen.email
    assert "/konto/passwort-vergessen/" in message.body
    assert not AuditEntry.objects.filter(action=AuditAction.ACCOUNT_CREATED).exists()


def test_register_done_page_is_the_same_for_new_and_taken_addresses(
    client, citizen, django_capture_on_commit_callbacks
):
    taken = client.get(_register(client, django_capture_on_commit_callbacks, email=citizen.email).url)
    new = client.get(_register(Client(), django_capture_on_commit_callbacks).url)
    assert taken.status_code == new.status_code == 200
    assert _main(taken) == _main(new)


@pytest.mark.parametrize("weak", ["kurz1", "1234567890123", "password123"])
def test_weak_password_is_refused_with_a_message(client, django_capture_on_commit_callbacks, weak):
    response = _register(client, django_capture_on_commit_callbacks, password1=weak, password2=weak)
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not User.objects.filter(email="lena@example.org").exists()
    assert not OutboxMessage.objects.exists()


def test_differing_passwords_are_refused(client, django_capture_on_commit_callbacks):
    response = _register(client, django_capture_on_commit_callbacks, password2=PASSWORD + "x")
    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    assert not User.objects.exists()


def test_unconfirmed_account_cannot_log_in_and_is_told_why(client, django_capture_on_commit_callbacks):
    _register(client, django_capture_on_commit_callbacks)
    response = client.post(reverse("accounts:login"), {"username": "lena@example.org", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].non_field_errors() == [str(LoginForm.error_messages["inactive"])]


def test_a_mail_server_that_is_down_does_not_fail_the_registration(
    client, django_capture_on_commit_callbacks, mail_server_down, caplog
):
    """The account is stored before the e-mail leaves; a refused connection neither turns the
    page into an error nor puts the address into the log."""
    response = _register(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response.url == reverse("accounts:register_done")
    assert User.objects.filter(email="lena@example.org", is_active=False).exists()
    failures = [record for record in caplog.records if "could not be sent" in record.getMessage()]
    assert len(failures) == 1 and "ConnectionRefusedError" in failures[0].getMessage()
    assert "lena@example.org" not in caplog.text and not failures[0].exc_info
