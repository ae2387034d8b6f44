"""The Content Security Policy holds in a real browser: no page breaks it.

The other browser tests bypass the CSP (axe-core is injected as a script); these do not. The
policy allows no inline script and no inline style without the request's nonce, so a template
that adds a ``style`` attribute, an inline ``<style>`` or an ``onclick``, or a library that does
so at run time, shows up here as a violation the browser reports. Pages of every audience are
visited, with the htmx interactions they offer.
"""

from __future__ import annotations

import pytest

from rathaus.demo.data import DEMO_PASSWORD

from .helpers import CASEWORKER_EMAIL, CITIZEN_EMAIL, log_in, pass_second_factor, visit

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber} ${event.sample}`
  );
});
"""

HALL = "dreifachturnhalle-koenigswiesen"


@pytest.fixture
def strict_page(browser, live_server):
    """A page that obeys the CSP and records every violation of every document it loads."""
    context = browser.new_context(base_url=live_server.url, locale="de-DE")
    context.set_default_timeout(15_000)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    yield page
    context.close()


class Violations:
    def __init__(self, page):
        self.page = page
        self.found: list[str] = []
        self.visited = 0

    def visit(self, path: str, *, status: int = 200) -> None:
        visit(self.page, path, status=status)
        self.collect(path)

    def collect(self, label: str) -> None:
        # Violations are reported asynchronously; let the page settle first.
        self.page.wait_for_timeout(50)
        recording = self.page.evaluate("Array.isArray(window.__cspViolations)")
        assert recording, f"{label}: the page was loaded without the recorder"
        self.visited += 1
        self.found += [f"{label}: {text}" for text in self.page.evaluate("window.__cspViolations")]

    def assert_none(self) -> None:
        assert self.visited
        assert not self.found, "CSP violations:\n" + "\n".join(self.found)


def test_public_pages_and_the_live_search_keep_the_policy(strict_page, demo):
    from django.core.cache import cache

    from rathaus.core.context_processors import BRANDING_CACHE_KEY
    from rathaus.core.models import SiteBranding

    SiteBranding.objects.update(primary_colour="#00507a")
    cache.delete(BRANDING_CACHE_KEY)
    check = Violations(strict_page)
    for path in (
        "/",
        "/leistungen/",
        "/leistungen/?q=parken",
        "/leistungen/bewohnerparkausweis/",
        "/belegung/",
        f"/belegung/{HALL}/",
        f"/belegung/{HALL}/druck/",
        "/transparenz/strategie/",
        "/konto/anmelden/",
        "/seite/impressum/",
    ):
        check.visit(path)
    check.visit("/diese-seite-gibt-es-nicht/", status=404)
    # The API's documentation: Swagger UI from our own static files, every operation listed.
    check.visit("/api/v1/docs/")
    strict_page.locator(".opblock").first.wait_for()
    assert strict_page.locator(".opblock").count() > 5
    check.collect("API documentation")
    # The live search swaps results in with htmx (and htmx adds no inline style of its own).
    check.visit("/leistungen/")
    with strict_page.expect_response(lambda response: "q=hund" in response.url):
        strict_page.locator("#suche").fill("hund")
    strict_page.locator("#suchergebnisse h2").wait_for()
    check.collect("live search")
    # The municipality's colour comes from the linked stylesheet, not from an inline style.
    colour = strict_page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--rathaus-primary').trim()"
    )
    assert colour.lower() == "#00507a"
    check.assert_none()


def test_citizen_staff_and_admin_pages_keep_the_policy(strict_page, demo):
    check = Violations(strict_page)
    log_in(strict_page, CITIZEN_EMAIL, DEMO_PASSWORD)
    for path in ("/konto/", "/konto/antraege/", "/konto/postfach/", "/buchen/", "/buchen/meine/"):
        check.visit(path)
    strict_page.context.clear_cookies()

    log_in(strict_page, CASEWORKER_EMAIL, DEMO_PASSWORD)
    pass_second_factor(strict_page)
    check.collect("after the second factor")
    check.visit("/verwaltung/vorgaenge/")
    strict_page.context.clear_cookies()

    log_in(strict_page, "strategie@regensburg.example", DEMO_PASSWORD)
    pass_second_factor(strict_page)
    for path in ("/verwaltung/strategie/", "/verwaltung/strategie/plan/"):
        check.visit(path)
    strict_page.context.clear_cookies()

    # The admin site's branding block is an inline <style> with the request's nonce.
    log_in(strict_page, "admin@regensburg.example", DEMO_PASSWORD)
    pass_second_factor(strict_page)
    visit(strict_page, "/admin/core/auditentry/")
    strict_page.wait_for_timeout(50)
    check.found += [f"admin: {text}" for text in strict_page.evaluate("window.__cspViolations")]
    assert strict_page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--primary').trim()"
    )
    check.assert_none()
