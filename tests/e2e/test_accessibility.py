"""axe-core (WCAG 2.1 A and AA) on every page of the foundation, in German and in English.

The language is switched with the button in the header, as a visitor would. Each test walks a
group of pages and reports every violation of every page at once.
"""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.accounts.models import User
from rathaus.core.audit import audit_record
from rathaus.core.constants import AuditAction

from .helpers import (
    CASEWORKER_EMAIL,
    CITIZEN_EMAIL,
    AxeAudit,
    axe_violations,
    log_in,
    pass_second_factor,
    submit,
    switch_language,
    visit,
)

pytestmark = pytest.mark.browser

LANGUAGES = ["de", "en"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages(page, demo, language):
    audit = AxeAudit(page)
    visit(page, "/")
    switch_language(page, language)
    audit.check("start page")

    public = [
        ("/konto/anmelden/", 200, "login"),
        ("/konto/registrieren/gesendet/", 200, "register done"),
        ("/konto/bestaetigen/kein-gueltiger-token/", 400, "verify failed"),
        ("/konto/passwort-vergessen/gesendet/", 200, "password reset done"),
        ("/konto/passwort-neu/MQ/ungueltig-123/", 200, "password reset: invalid link"),
        ("/seite/impressum/", 200, "legal notice"),
        ("/seite/datenschutz/", 200, "privacy policy"),
        ("/seite/barrierefreiheit/", 200, "accessibility statement"),
        ("/konto/vertrauensniveau/", 200, "trust levels"),
        ("/konto/vertrauensniveau/?required=high", 200, "trust levels, high required"),
        ("/konto/eid/fehler/", 400, "eID failed"),
        ("/diese-seite-gibt-es-nicht/", 404, "404"),
    ]
    for path, status, label in public:
        visit(page, path, status=status)
        assert page.evaluate("document.documentElement.lang") == language
        audit.check(label)

    # Password reset: the form, its error state, then a real request and the outbox showing it.
    visit(page, "/konto/passwort-vergessen/")
    audit.check("password reset")
    submit(page)
    audit.check("password reset, invalid form")
    page.locator("#id_email").fill(CITIZEN_EMAIL)
    submit(page)
    assert "/konto/passwort-vergessen/gesendet/" in page.url
    visit(page, "/demo/postausgang/")
    assert page.locator("main .kern-card").count() >= 1
    audit.check("demo outbox with a message")
    with page.expect_navigation(wait_until="load"):
        page.locator("main a[href*='/konto/passwort-neu/']").first.click()
    assert page.locator("main #id_new_password1").count() == 1
    audit.check("password reset: new password form")
    submit(page)
    audit.check("password reset: new password form, invalid")

    # Login error state.
    visit(page, "/konto/anmelden/")
    page.locator("#id_username").fill(CITIZEN_EMAIL)
    page.locator("#id_password").fill("falsches-passwort")
    submit(page)
    audit.check("login, wrong password")

    # CSRF failure: send the login form with a spoilt token.
    visit(page, "/konto/anmelden/")
    page.evaluate(
        "document.querySelectorAll('main input[name=csrfmiddlewaretoken]')"
        ".forEach(input => { input.value = 'x'.repeat(64); })"
    )
    page.locator("#id_username").fill(CITIZEN_EMAIL)
    page.locator("#id_password").fill(demo.DEMO_PASSWORD)
    with page.expect_navigation(wait_until="load") as navigation:
        page.locator("main button[type=submit]").click()
    assert navigation.value.status == 403
    audit.check("CSRF failure")

    audit.assert_clean()


@pytest.mark.parametrize("language", LANGUAGES)
def test_registration_pages(page, demo, language):
    audit = AxeAudit(page)
    visit(page, "/konto/registrieren/")
    switch_language(page, language)
    audit.check("register")
    submit(page)
    assert page.locator("main .kern-error").count() >= 4
    audit.check("register, empty form")
    page.locator("#id_first_name").fill("Erika")
    page.locator("#id_last_name").fill("Mustermann")
    page.locator("#id_email").fill("keine-adresse")
    page.locator("#id_password1").fill("kurz")
    page.locator("#id_password2").fill("anders")
    submit(page)
    assert page.locator("main [aria-invalid=true]").count() >= 1
    audit.check("register, invalid values")
    audit.assert_clean()


@pytest.mark.parametrize("language", LANGUAGES)
def test_citizen_pages(page, demo, language):
    # A caseworker looked at Maria's data, so the data-access page shows its table.
    maria = User.objects.get(email=CITIZEN_EMAIL)
    audit_record(
        action=AuditAction.PERSONAL_DATA_READ,
        actor=User.objects.get(email=CASEWORKER_EMAIL),
        obj=maria,
        subject_user_id=maria.pk,
        details={"purpose": "Bearbeitung eines Antrags"},
    )
    audit = AxeAudit(page)
    log_in(page, CITIZEN_EMAIL, demo.DEMO_PASSWORD)
    switch_language(page, language)
    audit.check("account home")
    for path, label in [
        ("/konto/datenzugriffe/", "data accesses"),
        ("/konto/loeschen/", "delete account"),
        ("/konto/passwort/", "password change"),
        ("/konto/organisationen/", "organisations"),
        ("/konto/organisationen/neu/", "organisation create"),
        ("/konto/profil/", "profile"),
    ]:
        visit(page, path)
        if path == "/konto/datenzugriffe/":
            assert page.locator("main table tbody tr").count() == 1
        audit.check(label)

    # Error states of the forms.
    visit(page, "/konto/loeschen/")
    submit(page)
    audit.check("delete account, invalid form")
    visit(page, "/konto/passwort/")
    submit(page)
    audit.check("password change, invalid form")
    visit(page, "/konto/organisationen/neu/")
    submit(page)
    audit.check("organisation create, invalid form")

    # Register an organisation; the detail page follows.
    page.locator("#id_name").fill("Kleingartenverein Am Hang e.V.")
    page.locator("#id_kind").select_option("club")
    page.locator("#id_street").fill("Hangweg 2")
    page.locator("#id_postal_code").fill("93049")
    page.locator("#id_city").fill("Regensburg")
    submit(page)
    assert re.search(r"/konto/organisationen/\d+/$", page.url), page.url
    audit.check("organisation detail")
    visit(page, "/konto/organisationen/")
    assert page.locator("main a[href*='/konto/organisationen/']").count() >= 2
    audit.check("organisations with one entry")
    audit.assert_clean()


@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_pages(page, demo, language):
    audit = AxeAudit(page)
    visit(page, "/")
    switch_language(page, language)
    log_in(page, CASEWORKER_EMAIL, demo.DEMO_PASSWORD)
    assert "/konto/zwei-faktor/" in page.url
    switch_language(page, language)
    audit.check("second factor")
    page.locator("#id_token").fill("000000")
    submit(page)
    assert page.locator("main .kern-error").count() == 1
    audit.check("second factor, wrong code")
    # django-otp throttles the next attempt after a failure; lift that instead of waiting.
    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
    pass_second_factor(page)
    visit(page, "/konto/verwaltung/")
    audit.check("back office")
    # Antrag erfassen for a club's manager: the second round asks for whom.
    visit(page, "/verwaltung/vorgaenge/erfassen/")
    audit.check("counter intake")
    page.locator("#id_service").select_option(index=1)
    page.locator("main input[name=channel]").first.check()
    page.locator("#id_email").fill(demo.ORGANISATION_ADMIN)
    submit(page)
    assert page.locator("main input[name=organisation]").count() >= 2
    assert page.locator("main .kern-error").count() == 1
    audit.check("counter intake, for whom")
    page.locator("main input[name=organisation]").nth(1).check()
    submit(page)
    assert "/antrag/entwurf/" in page.url
    audit.assert_clean()


@pytest.mark.parametrize("language", LANGUAGES)
def test_organisation_member_pages(page, demo, language):
    """A club's manager invites a citizen by e-mail; she accepts and applies in the club's name."""
    audit = AxeAudit(page)
    visit(page, "/")
    switch_language(page, language)
    log_in(page, demo.ORGANISATION_ADMIN, demo.DEMO_PASSWORD)
    visit(page, "/konto/organisationen/")
    with page.expect_navigation(wait_until="load"):
        page.locator("main a[href*='/konto/organisationen/']").first.click()
    organisation_url = page.url
    assert page.locator("main #id_email").count() == 1
    audit.check("organisation detail, manager")
    submit(page, "main form[action$='/einladen/'] button[type=submit]")
    assert page.locator("main .kern-error").count() == 1
    audit.check("organisation detail, invitation without address")
    page.locator("#id_email").fill(CITIZEN_EMAIL)
    submit(page, "main form[action$='/einladen/'] button[type=submit]")
    assert page.locator("main form[action*='/zurueckziehen/']").count() == 1
    audit.check("organisation detail, open invitation")

    visit(page, "/demo/postausgang/")
    link = page.locator("main a[href*='/konto/organisationen/einladung/']").first.get_attribute("href")
    page.context.clear_cookies()
    log_in(page, CITIZEN_EMAIL, demo.DEMO_PASSWORD)
    switch_language(page, language)
    visit(page, link)
    audit.check("invitation")
    submit(page)
    assert page.url == organisation_url
    assert page.locator("main form[action$='/verlassen/']").count() == 1
    audit.check("organisation detail, member")

    visit(page, "/antrag/bewohnerparkausweis/")
    assert page.locator("main input[name=organisation]").count() == 2
    audit.check("service start with a choice of organisation")
    page.locator("main input[name=organisation]").nth(1).check()
    submit(page)
    assert "/antrag/entwurf/" in page.url
    draft_url = re.search(r"/antrag/entwurf/[0-9a-f-]+/", page.url).group(0)
    visit(page, f"{draft_url}zusammenfassung/")
    assert page.locator("main input[name=organisation]").nth(1).is_checked()
    audit.check("summary with a choice of whom to apply for")
    page.locator("main input[name=organisation]").first.check()
    submit(page, "main form[data-testid=applying-for-choice] button[type=submit]")
    assert page.locator("main input[name=organisation]").first.is_checked()
    assert page.locator("main [role=status]").count() >= 1
    audit.check("summary after changing whom to apply for")
    visit(page, "/konto/organisationen/einladung/kein-gueltiger-link/", status=400)
    audit.check("invitation, invalid link")
    audit.assert_clean()


@pytest.mark.parametrize("language", LANGUAGES)
def test_audit_log_pages(page, demo, language):
    """The data protection officer's audit log: list, chain check, filters, their errors, paging."""
    citizen = User.objects.get(email=CITIZEN_EMAIL)
    for _ in range(60):
        audit_record(action=AuditAction.PASSWORD_CHANGED, actor=citizen, subject_user_id=citizen.pk)
    audit = AxeAudit(page)
    visit(page, "/")
    switch_language(page, language)
    log_in(page, "datenschutz@regensburg.example", demo.DEMO_PASSWORD)
    pass_second_factor(page)
    visit(page, "/konto/verwaltung/")
    with page.expect_navigation(wait_until="load"):
        page.locator("main a[href='/konto/verwaltung/protokoll/']").click()
    assert page.locator("main table tbody tr").count() == 50
    assert page.locator("[data-testid=chain-check]").count() == 1
    audit.check("audit log")
    with page.expect_navigation(wait_until="load"):
        page.locator("main nav a[rel=next]").click()
    assert page.locator("main table tbody tr").count() >= 1
    audit.check("audit log, older entries")
    submit(page, "main form[action$='/pruefen/'] button[type=submit]")
    assert page.locator("main .kern-alert--success").count() >= 1
    audit.check("audit log, chain checked")
    page.locator("#id_action").select_option("password_changed")
    page.locator("#id_subject").fill(CITIZEN_EMAIL)
    submit(page, "main form[role=search] button[type=submit]")
    assert page.locator("main table tbody tr").count() == 50
    audit.check("audit log, filtered")
    page.locator("#id_subject").fill("niemand@example.org")
    page.locator("#id_date_from").fill("2026-03-01")
    page.locator("#id_date_to").fill("2026-02-01")
    submit(page, "main form[role=search] button[type=submit]")
    assert page.locator("main .kern-error").count() == 2
    audit.check("audit log, invalid filter")
    audit.assert_clean()


def test_axe_reports_violations(page, transactional_db):
    """The audit itself works: a page with known faults yields violations, so silence means clean."""
    visit(page, "/diese-seite-gibt-es-nicht/", status=404)
    page.evaluate(
        """() => {
            const main = document.querySelector("main");
            main.insertAdjacentHTML("beforeend",
                '<img src="/static/core/rathaus.css"><input type="text">'
                + '<p style="color:#ccc;background:#fff">blass</p>');
        }"""
    )
    ids = {violation["id"] for violation in axe_violations(page)}
    assert {"image-alt", "label", "color-contrast"} <= ids, ids


def test_styles_and_scripts_load(page, transactional_db):
    """The live server delivers KERN's CSS and fonts, Rathaus' CSS, the branding colour, htmx and
    the KERN header."""
    visit(page, "/")
    sheets = page.evaluate("[...document.styleSheets].map(s => s.href).filter(Boolean)")
    for name in ("kern/kern.min.css", "kern/fonts/fira-sans.css", "core/rathaus.css"):
        assert any(href.endswith(f"/static/{name}") for href in sheets), sheets
    page.wait_for_function("typeof window.htmx !== 'undefined'")
    sheets = page.evaluate("[...document.styleSheets].map(s => s.href).filter(Boolean)")
    assert any("/gestaltung.css?v=" in href for href in sheets), sheets
    # KERN's Kopfzeile in its CSS form: the grey bar with the flag.
    bar = page.evaluate("getComputedStyle(document.querySelector('.kern-kopfzeile')).backgroundColor")
    assert bar not in ("", "transparent", "rgba(0, 0, 0, 0)"), bar
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.rathaus-skip-link')).position") == "absolute"
    )
    assert page.evaluate("document.fonts.check('16px \"Fira Sans\"')")
