"""The measures plan in the browser: the strategy office logs in (password and TOTP; the demo
mode shows the code), creates a plan, lets Rathaus suggest a schedule, moves a measure with the
keyboard alone, and every page passes axe-core.

The data are built with the strategy test factories, not the demo city.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, make_staff
from rathaus.accounts.constants import StaffRoleKind
from rathaus.strategy.models import MeasureDependency, Plan, PlanEntry, Score
from rathaus.strategy.tests.factories import make_criterion, make_measure

from .helpers import AxeAudit, duplicate_ids, focus_is_visible, log_in, pass_second_factor, tab_to, visit

pytestmark = pytest.mark.browser

OFFICER_EMAIL = "strategie.e2e@stadt.example"


class PlanAudit(AxeAudit):
    """axe-core plus a check that no id occurs twice."""

    def check(self, label: str | None = None) -> None:
        super().check(label)
        duplicates = duplicate_ids(self.page)
        if duplicates:
            self.reports.append(f"{self.checked[-1]}: ids used more than once: {', '.join(duplicates)}")


@pytest.fixture
def planning_data(transactional_db):
    officer = make_staff(OFFICER_EMAIL, StaffRoleKind.STRATEGY_OFFICE)
    base = make_measure(investment=40000, effort=20, duration=2, title="Digitale Bauakte")
    app = make_measure(investment=30000, effort=20, duration=2, title="Bauantrag online")
    law = make_measure(investment=10000, effort=10, duration=1, mandatory=True, title="OZG-Pflichtleistung")
    huge = make_measure(investment=900000, effort=10, duration=4, title="Rechenzentrum neu")
    MeasureDependency.objects.create(measure=app, requires=base)
    benefit = make_criterion("nutzen", 100)
    for measure, value in ((app, 5), (base, 2), (huge, 1)):  # the ranking: app, base, huge
        Score.objects.create(measure=measure, criterion=benefit, evaluator=officer, value=value)
    return {"base": base, "app": app, "law": law}


def press_and_wait(page, key: str = "Enter") -> None:
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press(key)


def test_strategy_office_creates_suggests_and_moves_by_keyboard(page, planning_data):
    audit = PlanAudit(page)
    log_in(page, OFFICER_EMAIL, PASSWORD)
    pass_second_factor(page)

    visit(page, "/verwaltung/strategie/plan/")
    audit.check("plans (empty)")
    page.locator("#id_name").fill("Maßnahmenplan 2027–2029")
    page.locator("#id_first_year").fill("2027")
    page.locator("#id_last_year").fill("2029")
    page.locator("#id_budget").fill("100.000")
    page.locator("#id_capacity").fill("200")
    with page.expect_navigation(wait_until="load"):
        page.locator("main form[action$='/plan/'] button[type=submit]").click()
    plan = Plan.objects.get()
    expect(page).to_have_url(re.compile(rf"/plan/{plan.pk}/$"))
    audit.check("plan (before the suggestion)")

    # the suggestion, by keyboard
    tab_to(page, "main form[action$='/vorschlag/'] button")
    assert focus_is_visible(page)
    press_and_wait(page)
    expect(page.locator("table[aria-describedby=timeline-legend]")).to_be_visible()
    audit.check("plan with the suggestion")
    app = planning_data["app"]
    entry = PlanEntry.objects.get(plan=plan, measure=app)
    assert (entry.start_year, entry.start_quarter, entry.is_manual) == (2027, 3, False)
    expect(page.locator(f"#massnahme-{app.pk} th")).to_contain_text("Bauantrag online")

    # open the measure and move it to Q2 2028, keyboard only
    tab_to(page, f"#massnahme-{app.pk} th a")
    press_and_wait(page)
    expect(page).to_have_url(re.compile(rf"/plan/{plan.pk}/massnahme/{app.pk}/$"))
    audit.check("measure in the plan")
    tab_to(page, "#id_year")
    page.keyboard.type("2028")
    tab_to(page, "#id_quarter")
    page.keyboard.type("Q2")
    assert page.locator("#id_year").input_value() == "2028"
    assert page.locator("#id_quarter").input_value() == "2"
    tab_to(page, "main form:not([action]) button[type=submit]")
    press_and_wait(page)
    expect(page).to_have_url(re.compile(rf"/plan/{plan.pk}/#massnahme-{app.pk}$"))
    entry.refresh_from_db()
    assert (entry.start_year, entry.start_quarter, entry.is_manual) == (2028, 2, True)
    expect(page.locator("main .kern-alert--success").first).to_be_visible()
    audit.check("plan after the move")

    # a move that breaks the dependency is refused, and the reason is on the page
    visit(page, f"/verwaltung/strategie/plan/{plan.pk}/massnahme/{planning_data['base'].pk}/")
    page.locator("#id_year").select_option("2029")
    with page.expect_navigation(wait_until="load"):
        page.locator("main form:not([action]) button[type=submit]").click()
    expect(page.locator("main [role=alert]").first).to_contain_text("Bauantrag online")
    audit.check("refused move")

    visit(page, f"/verwaltung/strategie/plan/{plan.pk}/grenzen/")
    audit.check("limits")
    visit(page, "/verwaltung/strategie/plan/")
    audit.check("plans (one plan)")
    audit.assert_clean()
