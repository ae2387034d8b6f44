"""Dashboard, status reports and the public transparency page in the browser.

A visitor without an account reads the transparency page; the strategy office logs in with its
second factor, reads the dashboard, makes a status report with the keyboard alone, reads it,
downloads its PDF, makes a second one and compares the two. Every page passes axe-core and
uses no id twice.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from rathaus.strategy.models import Measure, StatusReport

from .helpers import AxeAudit, duplicate_ids, log_in, pass_second_factor, tab_to, visit

pytestmark = pytest.mark.browser

STRATEGY_EMAIL = "strategie@regensburg.example"
BASE = "/verwaltung/strategie/"
REPORTS = f"{BASE}berichte/"
# making a report renders a PDF of some 25 pages; give it time on a busy machine
REPORT_TIMEOUT_MS = 120_000


class Audit(AxeAudit):
    """axe-core plus a check that no id occurs twice (the charts' titles stay linked)."""

    def check(self, label: str | None = None) -> None:
        super().check(label)
        duplicates = duplicate_ids(self.page)
        if duplicates:
            self.reports.append(f"{self.checked[-1]}: ids used more than once: {', '.join(duplicates)}")


def test_public_page_for_an_anonymous_visitor(page, demo):
    audit = Audit(page)
    visit(page, "/transparenz/strategie/")
    main = page.locator("main")
    expect(main.locator("h1")).to_be_visible()
    expect(main).to_contain_text(re.compile("Stand:|As of:"))
    expect(main.locator("svg[role=img]").first).to_be_visible()
    hidden = Measure.objects.filter(is_public=False).first()
    if hidden is not None:
        expect(main).not_to_contain_text(f"{hidden.code} {hidden.title}")
    # the data behind a chart opens by keyboard
    summary = main.locator("details summary").last
    summary.focus()
    page.keyboard.press("Enter")
    expect(main.locator("details").last).to_have_attribute("open", "")
    audit.check("public transparency page")
    # the footer leads here from every page
    visit(page, "/")
    expect(page.locator("footer a[href='/transparenz/strategie/']")).to_be_visible()
    audit.assert_clean()


def test_strategy_office_makes_and_compares_reports_by_keyboard(page, demo):
    audit = Audit(page)
    log_in(page, STRATEGY_EMAIL, demo.DEMO_PASSWORD)
    pass_second_factor(page)

    visit(page, BASE)
    main = page.locator("main")
    expect(main.locator("h1")).to_be_visible()
    expect(main.locator("svg[role=img]").first).to_be_visible()
    audit.check("dashboard")

    visit(page, REPORTS)
    audit.check("status reports, none yet")

    # keyboard only: the title field, then Enter submits the form
    tab_to(page, "#id_title")
    page.keyboard.type("Bericht für den Ausschuss (E2E)")
    tab_to(page, "main form[method=post] button[type=submit]")
    with page.expect_navigation(wait_until="load", timeout=REPORT_TIMEOUT_MS):
        page.keyboard.press("Enter")
    first = StatusReport.objects.get()
    expect(page).to_have_url(re.compile(rf"{REPORTS}{first.pk}/$"))
    expect(page.locator("main [role=status]")).to_contain_text("Bericht für den Ausschuss (E2E)")
    expect(page.locator("main h2").first).to_contain_text("1 Zusammenfassung")
    audit.check("status report")

    # the PDF is a download of a real PDF
    response = page.request.get(f"{REPORTS}{first.pk}/pdf/")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    # a second report, then the comparison of the two
    visit(page, REPORTS)
    page.locator("#id_title").fill("Zweiter Bericht (E2E)")
    with page.expect_navigation(wait_until="load", timeout=REPORT_TIMEOUT_MS):
        page.locator("main form[method=post] button[type=submit]").click()
    second = StatusReport.objects.exclude(pk=first.pk).get()
    visit(page, REPORTS)
    expect(page.locator("main table")).to_contain_text("Zweiter Bericht (E2E)")
    audit.check("status reports, two")
    with page.expect_navigation(wait_until="load"):
        page.locator("main form[method=get] button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"a={first.pk}.*b={second.pk}|b={second.pk}.*a={first.pk}"))
    expect(page.locator("main h2")).to_contain_text(re.compile("Unterschiede|Differences"))
    audit.check("comparison")

    visit(page, f"{REPORTS}vergleich/?a=abc&b={second.pk}", status=400)
    expect(page.locator("main div[role=alert]")).to_be_visible()
    expect(page.locator("#id_a-error")).to_be_visible()
    audit.check("comparison with a bad id")
    audit.assert_clean()
