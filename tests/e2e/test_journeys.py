"""Whole journeys in the browser: a citizen registers, a caseworker logs in with a second factor."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import django_otp.oath
import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp import models as totp_models
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.accounts.models import User

from .helpers import CASEWORKER_EMAIL, pass_second_factor, submit, visit

pytestmark = pytest.mark.browser

NEW_EMAIL = "erika.mustermann@example.org"
NEW_PASSWORD = "Sichere-Passphrase-2026"


def follow(page, locator) -> None:
    with page.expect_navigation(wait_until="load"):
        locator.click()


def test_register_confirm_and_log_in(page, demo):
    visit(page, "/")
    follow(page, page.locator("nav a[href='/konto/registrieren/']"))
    page.locator("#id_first_name").fill("Erika")
    page.locator("#id_last_name").fill("Mustermann")
    page.locator("#id_email").fill(NEW_EMAIL)
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    page.locator("#id_accept_privacy").check()
    submit(page)
    assert page.url.endswith("/konto/registrieren/gesendet/"), page.url
    assert not User.objects.get(email=NEW_EMAIL).is_active

    # The demo outbox (linked from the demo banner) holds the confirmation e-mail.
    follow(page, page.locator("header a[href='/demo/postausgang/']"))
    card = page.locator("main .kern-card", has_text=NEW_EMAIL).first
    link = card.locator("a[href*='/konto/bestaetigen/']")
    assert link.count() == 1, card.inner_text()
    follow(page, link)
    assert page.url.endswith("/konto/anmelden/"), page.url
    assert page.locator("main [role=status]").count() == 1, "the confirmation is announced"

    page.locator("#id_username").fill(NEW_EMAIL)
    page.locator("#id_password").fill(NEW_PASSWORD)
    submit(page)
    assert page.url.endswith("/konto/"), page.url
    assert page.locator("main h1").inner_text() == "Mein Konto"
    main = page.locator("main").inner_text()
    assert "Erika Mustermann" in main
    assert NEW_EMAIL in main


def test_caseworker_passes_second_factor_to_back_office(page, demo):
    visit(page, "/konto/anmelden/")
    page.locator("#id_username").fill(CASEWORKER_EMAIL)
    page.locator("#id_password").fill(demo.DEMO_PASSWORD)
    submit(page)
    assert re.search(r"/konto/zwei-faktor/", page.url), page.url
    # Without the second factor the back office stays closed.
    visit(page, "/konto/verwaltung/", status=None)
    assert "/konto/zwei-faktor/" in page.url

    pass_second_factor(page)
    assert "/konto/zwei-faktor/" not in page.url, page.locator("main").inner_text()
    if not page.url.endswith("/konto/verwaltung/"):
        follow(page, page.locator("nav a[href='/konto/verwaltung/']"))
    assert page.url.endswith("/konto/verwaltung/"), page.url
    main = page.locator("main").inner_text()
    assert page.locator("main h1").inner_text() == "Verwaltungsbereich"
    assert "Sabine Sachs" in main
    assert "Amt 32" in main or "Ordnung" in main


def test_demo_code_with_leading_zero_is_shown_in_full(page, demo, monkeypatch):
    """One code in ten starts with 0: the page must still show all six digits."""
    device = TOTPDevice.objects.get(user__email=CASEWORKER_EMAIL)
    moment = time.time()
    for _ in range(500):
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = moment
        if totp.token() < 100_000:
            break
        moment -= device.step
    else:
        pytest.fail("no code with a leading zero in 500 steps")
    monkeypatch.setattr(django_otp.oath, "time", lambda: moment)
    monkeypatch.setattr(totp_models, "time", SimpleNamespace(time=lambda: moment))

    visit(page, "/konto/anmelden/")
    page.locator("#id_username").fill(CASEWORKER_EMAIL)
    page.locator("#id_password").fill(demo.DEMO_PASSWORD)
    submit(page)
    shown = page.locator("[data-testid=demo-totp]").inner_text().strip()
    assert re.fullmatch(r"0\d{5}", shown), shown
    pass_second_factor(page)
    assert "/konto/zwei-faktor/" not in page.url
