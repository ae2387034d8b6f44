"""Staff confirm a TOTP second factor before they reach any page; citizens are never asked."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import make_staff
from rathaus.accounts.constants import StaffRoleKind
from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditEntry

pytestmark = pytest.mark.django_db

SECOND_FACTOR = "/konto/zwei-faktor/"


@pytest.fixture
def unverified_caseworker_client(caseworker):
    client = Client()
    client.force_login(caseworker, backend="rathaus.accounts.backends.EmailBackend")
    return client


def _current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _wrong_code(device: TOTPDevice) -> str:
    right = int(_current_code(device))
    return f"{(right + 500000) % 1000000:06d}"


@pytest.mark.parametrize(
    "path", ["/", "/konto/", "/konto/verwaltung/", "/konto/profil/", "/seite/impressum/", "/admin/"]
)
def test_unverified_staff_is_sent_to_second_factor_from_every_page(unverified_caseworker_client, path):
    response = unverified_caseworker_client.get(path)
    assert response.status_code == 302
    assert response.url.startswith(SECOND_FACTOR)


def test_second_factor_page_opens_for_unverified_staff(unverified_caseworker_client):
    response = unverified_caseworker_client.get(SECOND_FACTOR)
    assert response.status_code == 200
    assert response.context["setup"] is False


def test_wrong_code_is_refused_with_message_and_audited(unverified_caseworker_client, caseworker):
    device = TOTPDevice.objects.get(user=caseworker)
    response = unverified_caseworker_client.post(SECOND_FACTOR, {"token": _wrong_code(device)})
    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    # The error is read with the field: the input points at it (it is added after validation).
    html = response.content.decode()
    token_input = re.search(r'<input[^>]*name="token"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in token_input or "aria-describedby" in token_input
    described = re.search(r'aria-describedby="([^"]+)"', token_input).group(1).split()
    assert all(f'id="{target}"' in html for target in described), described
    assert AuditEntry.objects.filter(action=AuditAction.SECOND_FACTOR_FAILED, actor_id=caseworker.pk).exists()
    assert unverified_caseworker_client.get("/konto/verwaltung/").status_code == 302


def test_correct_code_passes_and_opens_back_office(unverified_caseworker_client, caseworker):
    device = TOTPDevice.objects.get(user=caseworker)
    response = unverified_caseworker_client.post(
        f"{SECOND_FACTOR}?next=/konto/verwaltung/", {"token": _current_code(device)}
    )
    assert response.status_code == 302
    assert response.url == "/konto/verwaltung/"
    assert unverified_caseworker_client.get("/konto/verwaltung/").status_code == 200


def test_second_factor_does_not_redirect_to_other_hosts(unverified_caseworker_client, caseworker):
    device = TOTPDevice.objects.get(user=caseworker)
    response = unverified_caseworker_client.post(
        f"{SECOND_FACTOR}?next=https://evil.example/", {"token": _current_code(device)}
    )
    assert response.url == reverse("accounts:staff_home")


def test_new_staff_member_sets_up_device_and_is_audited(department):
    user = make_staff("neu@stadt.example", StaffRoleKind.CASEWORKER, department)
    TOTPDevice.objects.filter(user=user).delete()
    client = Client()
    client.force_login(user, backend="rathaus.accounts.backends.EmailBackend")
    page = client.get(SECOND_FACTOR)
    assert page.context["setup"] is True
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(SECOND_FACTOR, {"token": _current_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action=AuditAction.SECOND_FACTOR_ADDED, actor_id=user.pk).exists()


def test_citizens_are_never_asked_for_a_second_factor(citizen_client):
    assert citizen_client.get("/konto/").status_code == 200
    response = citizen_client.get(SECOND_FACTOR)
    assert response.status_code == 302
    assert response.url == reverse("accounts:home")


def _demo_code_on(client) -> str:
    html = client.get(SECOND_FACTOR).content.decode()
    return re.search(r'data-testid="demo-totp">(\d{6})<', html).group(1)


def test_demo_code_is_accepted_again_for_a_second_login_within_the_time_step(caseworker):
    """django-otp refuses a time step already used: the demo shows a code that still works."""
    for _ in range(2):
        client = Client()
        client.force_login(caseworker, backend="rathaus.accounts.backends.EmailBackend")
        response = client.post(SECOND_FACTOR, {"token": _demo_code_on(client)})
        assert response.status_code == 302, response.context["form"].errors
    assert not AuditEntry.objects.filter(action=AuditAction.SECOND_FACTOR_FAILED).exists()


def test_demo_asks_to_wait_when_the_next_codes_are_spent_too(unverified_caseworker_client, caseworker):
    device = TOTPDevice.objects.get(user=caseworker)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    device.last_t = totp.t() + device.tolerance + 5  # well ahead: no step left to offer
    device.save()
    html = unverified_caseworker_client.get(SECOND_FACTOR).content.decode()
    assert 'data-testid="demo-totp"' not in html
    assert "warten Sie eine halbe Minute" in html


def test_production_shows_no_code(settings, unverified_caseworker_client):
    settings.DEMO_MODE = False
    html = unverified_caseworker_client.get(SECOND_FACTOR).content.decode()
    assert 'data-testid="demo-totp"' not in html and "Demo" not in html
