"""Key figures in the browser: the strategy office logs in with its second factor, records a
manual value with the keyboard alone (first in the wrong unit, which the form refuses keeping
the input), finds it in the table, and every KPI page passes axe-core.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from rathaus.accounts.models import User
from rathaus.strategy.models import Kpi
from rathaus.strategy.services.kpis import kpi_create, kpi_snapshot_all, kpi_value_record

from .helpers import AxeAudit, duplicate_ids, log_in, pass_second_factor, tab_to, visit

pytestmark = pytest.mark.browser

STRATEGY_EMAIL = "strategie@regensburg.example"
BASE = "/verwaltung/strategie/kennzahlen/"


class KpiAudit(AxeAudit):
    """axe-core plus a check that no id occurs twice (labels and descriptions stay linked)."""

    def check(self, label: str | None = None) -> None:
        super().check(label)
        duplicates = duplicate_ids(self.page)
        if duplicates:
            self.reports.append(f"{self.checked[-1]}: ids used more than once: {', '.join(duplicates)}")


@pytest.fixture
def kpis(demo):
    officer = User.objects.get(email=STRATEGY_EMAIL)
    year = timezone.localdate().year
    survey = kpi_create(
        acting_user=officer,
        key="e2e-zufriedenheit",
        name="Zufriedenheit mit dem Bürgerservice (E2E)",
        unit="percent",
        direction="higher",
        source="manual",
        baseline_value="35",
        baseline_year=year - 2,
        targets={year: "50", year + 1: "60"},
    )
    kpi_value_record(survey, period=str(year - 1), value="41 %", actor=officer, note="Bürgerumfrage")
    counted = kpi_create(
        acting_user=officer,
        key="e2e-antraege",
        name="Eingegangene Anträge (E2E)",
        unit="count",
        direction="higher",
        source="computed",
        provider_key="cases.applications_count",
    )
    online = kpi_create(
        acting_user=officer,
        key="e2e-buchungen-online",
        name="Online-Buchungen (E2E)",
        unit="percent",
        direction="higher",
        source="computed",
        provider_key="booking.share_online_bookings",
        targets={year: "80"},
    )
    kpi_snapshot_all()
    return {"survey": survey, "counted": counted, "online": online, "year": year}


def enter(page) -> None:
    """Submit the focused form field with the Enter key, as a keyboard user does."""
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")


def test_strategy_office_records_a_value_by_keyboard_and_every_kpi_page_passes_axe(page, demo, kpis):
    audit = KpiAudit(page)
    survey = kpis["survey"]
    previous_year = kpis["year"] - 1

    log_in(page, STRATEGY_EMAIL, demo.DEMO_PASSWORD)
    pass_second_factor(page)

    visit(page, BASE)
    main = page.locator("main")
    expect(main.locator("h1")).to_be_visible()
    expect(main.locator("table")).to_contain_text("Zufriedenheit mit dem Bürgerservice (E2E)")
    expect(main.locator("table")).to_contain_text("41")
    audit.check("key figures, list")

    for kpi in Kpi.objects.filter(key__startswith="e2e-"):
        visit(page, f"{BASE}{kpi.pk}/")
        expect(page.locator("main svg[role=img]").first).to_be_visible()
        audit.check(f"key figure {kpi.key}")
        visit(page, f"{BASE}{kpi.pk}/bearbeiten/")
        audit.check(f"edit key figure {kpi.key}")
    visit(page, f"{BASE}neu/")
    audit.check("new key figure")

    # the manual entry, by keyboard only: a value in the wrong unit first
    visit(page, f"{BASE}{survey.pk}/erfassen/")
    audit.check("record a value")
    tab_to(page, "#id_period")
    page.keyboard.type(str(previous_year))
    page.keyboard.press("Tab")
    page.keyboard.type("12 Tage")
    enter(page)
    expect(page).to_have_url(re.compile(rf"{BASE}{survey.pk}/erfassen/$"))
    expect(page.locator("#id_value-error")).to_contain_text(re.compile("Prozent|Percent"))
    expect(page.locator("#id_value")).to_have_value("12 Tage")
    expect(page.locator("#id_period")).to_have_value(str(previous_year))
    expect(page.locator("#id_value")).to_have_attribute("aria-invalid", "true")
    audit.check("record a value, wrong unit")

    # correct it: the period is kept, the value replaced; the earlier value is replaced and said so
    page.locator("#id_value").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("47,5 %")
    enter(page)
    expect(page).to_have_url(re.compile(rf"{BASE}{survey.pk}/$"))
    expect(page.locator("main [role=status]")).to_contain_text("41")
    row = page.locator("main table tbody tr").filter(has_text=str(previous_year)).first
    expect(row).to_contain_text("47,5")
    audit.check("key figure after recording")

    visit(page, BASE)
    expect(page.locator("main table")).to_contain_text("47,5")
    audit.assert_clean()
