"""An account that was never confirmed can always get a new confirmation link: by registering
again, from the login page, from an expired link's page, or through 'forgot your password'.
Every path shows the same page whether or not the address has such an account."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rathaus.accounts.constants import AccountsAuditAction
from rathaus.accounts.models import User
from rathaus.core.models import AuditEntry, OutboxMessage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbox")]

PASSWORD = "Sichere-Passphrase-2026"
EMAIL = "stuck@example.org"


def _register(client, callbacks, **overrides):
    data = {
        "first_name": "Stefan",
        "last_name": "Stecken",
        "email": EMAIL,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "accept_privacy": "on",
        **overrides,
    }
    with callbacks(execute=True):
        return client.post(reverse("accounts:register"), data)


def _link(message: OutboxMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/konto/bestaetigen/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_registering_again_sends_a_fresh_link_that_activates_the_account(
    client, django_capture_on_commit_callbacks
):
    _register(client, django_capture_on_commit_callbacks)
    first = OutboxMessage.objects.get()
    response = _register(
        client, django_capture_on_commit_callbacks, password1=PASSWORD + "!", password2=PASSWORD + "!"
    )
    assert response.status_code == 302 and response.url == reverse("accounts:register_done")
    second = OutboxMessage.objects.exclude(pk=first.pk).get()
    assert second.to == EMAIL
    assert "/konto/bestaetigen/" in second.body
    assert (
        "setzen Sie es nach der Bestätigung" in second.body
    )  # what to do if the first password is forgotten
    # Whoever registers again need not own the address: the first password stays.
    user = User.objects.get(email=EMAIL)
    assert user.check_password(PASSWORD)
    assert client.get(_link(second)).status_code == 302
    user.refresh_from_db()
    assert user.is_active and user.email_verified_at
    entry = AuditEntry.objects.get(action=AccountsAuditAction.CONFIRMATION_RESENT)
    assert entry.subject_user_id == user.pk and entry.details == {"via": "registration"}


def test_registering_again_with_a_confirmed_account_still_sends_the_login_hint(
    client, citizen, django_capture_on_commit_callbacks
):
    citizen.email_verified_at = timezone.now()
    citizen.save()
    _register(client, django_capture_on_commit_callbacks, email=citizen.email)
    message = OutboxMessage.objects.get()
    assert "/konto/bestaetigen/" not in message.body
    assert "/konto/passwort-vergessen/" in message.body


def test_the_login_page_offers_to_send_the_link_again(client, django_capture_on_commit_callbacks):
    _register(client, django_capture_on_commit_callbacks)
    OutboxMessage.objects.all().delete()
    page = client.post(reverse("accounts:login"), {"username": EMAIL, "password": PASSWORD})
    main = _main(page)
    assert "Bestätigungslink erneut senden" in main
    assert reverse("accounts:confirmation_resend") in main
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:confirmation_resend"), {"email": EMAIL})
    assert response.status_code == 302 and response.url == reverse("accounts:confirmation_resend_done")
    assert "/konto/bestaetigen/" in OutboxMessage.objects.get(to=EMAIL).body


def test_the_login_page_does_not_offer_it_for_a_wrong_password(client, django_capture_on_commit_callbacks):
    _register(client, django_capture_on_commit_callbacks)
    page = client.post(reverse("accounts:login"), {"username": EMAIL, "password": "falsch-falsch-falsch"})
    assert reverse("accounts:confirmation_resend") not in _main(page)


@pytest.mark.parametrize("email", ["niemand@example.org", "maria@example.org"])
def test_resending_looks_the_same_for_unknown_and_confirmed_addresses_and_sends_nothing(
    client, citizen, email, django_capture_on_commit_callbacks
):
    citizen.email_verified_at = timezone.now()
    citizen.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:confirmation_resend"), {"email": email})
    assert response.status_code == 302 and response.url == reverse("accounts:confirmation_resend_done")
    assert not OutboxMessage.objects.exists()


def test_a_deactivated_account_gets_no_link_that_would_activate_it(
    client, citizen, django_capture_on_commit_callbacks
):
    citizen.is_active = False
    citizen.last_login = timezone.now()
    citizen.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:confirmation_resend"), {"email": citizen.email})
    assert not OutboxMessage.objects.exists()


def test_an_expired_link_offers_a_new_one_instead_of_registering_again(
    client, settings, django_capture_on_commit_callbacks
):
    _register(client, django_capture_on_commit_callbacks)
    link = _link(OutboxMessage.objects.get())
    settings.EMAIL_VERIFICATION_TIMEOUT = -1
    page = client.get(link)
    assert page.status_code == 400
    main = _main(page)
    assert "registrieren Sie sich erneut" not in main.lower()
    assert reverse("accounts:confirmation_resend") in main
    assert 'name="email"' in main


def test_forgot_password_for_a_never_confirmed_account_sends_the_confirmation_link(
    client, django_capture_on_commit_callbacks
):
    _register(client, django_capture_on_commit_callbacks)
    OutboxMessage.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": EMAIL})
    assert response.url == reverse("accounts:password_reset_done")
    message = OutboxMessage.objects.get()
    assert "/konto/bestaetigen/" in message.body


def test_the_new_link_comes_in_the_accounts_language_and_the_pages_in_english(
    django_capture_on_commit_callbacks,
):
    client = Client()
    client.cookies["rathaus_language"] = "en"
    _register(client, django_capture_on_commit_callbacks)
    OutboxMessage.objects.all().delete()
    page = client.post(reverse("accounts:login"), {"username": EMAIL, "password": PASSWORD})
    assert "Send the confirmation link again" in _main(page)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:confirmation_resend"), {"email": EMAIL}, follow=True)
    assert "If an account with this address awaits confirmation" in _main(response)
    message = OutboxMessage.objects.get()
    assert message.subject == "Please confirm your e-mail address"
    assert "a new confirmation link was requested" in message.body
    assert "reset it on the login page" in message.body
