"""The strategy's structure in the browser: a head of department proposes a measure with the
keyboard alone, the strategy office accepts it as a new measure and freezes a version; every page
on the way is audited with axe-core (WCAG 2.1 AA) and checked for duplicate ids.

The data is made with the strategy factories (no demo data needed): one area, two guidelines, a
field of action, two measures with a dependency, and two staff members with a second factor (the
demo mode shows the current code on the second-factor page).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from conftest import PASSWORD, make_staff
from rathaus.accounts.constants import StaffRoleKind
from rathaus.accounts.models import Department
from rathaus.strategy.constants import MeasureOrigin, ProposalStatus
from rathaus.strategy.models import Measure, MeasureDependency, MeasureProposal, Strategy, StrategyVersion
from rathaus.strategy.tests.factories import make_area, make_field, make_guideline, make_measure

from .helpers import (
    AxeAudit,
    duplicate_ids,
    focus_is_visible,
    log_in,
    pass_second_factor,
    submit,
    tab_to,
    visit,
)

pytestmark = pytest.mark.browser

BASE = "/verwaltung/strategie/"
HEAD_EMAIL = "amtsleitung.jugend@stadt.example"
OFFICE_EMAIL = "strategiebuero@stadt.example"


class StrategyAudit(AxeAudit):
    """axe-core plus a check that no id occurs twice (labels and descriptions stay linked)."""

    def check(self, label: str | None = None) -> None:
        super().check(label)
        duplicates = duplicate_ids(self.page)
        if duplicates:
            self.reports.append(f"{self.checked[-1]}: ids used more than once: {', '.join(duplicates)}")


@pytest.fixture
def world(transactional_db):
    Strategy.objects.create(pk=1, mission_statement="Regensburg wird digitale Modellstadt.")
    youth = Department.objects.create(code="Amt 51", name="Amt für Jugend und Familie")
    building = Department.objects.create(code="Amt 63", name="Bauordnungsamt")
    area = make_area(number=2, name="Dienstleistungen")
    digital = make_guideline(area, title="Digitale Dienste", motto="„Online zuerst“")
    make_guideline(area, title="Medienbruchfrei", motto="„Ohne Papier“")
    field = make_field(area, [digital], title="Online-Dienstleistungen")
    first = make_measure(field, building, title="Digitaler Bauantrag", investment="250000")
    second = make_measure(field, youth, title="Kita-Platzvergabe", investment="40000")
    Measure.objects.filter(pk=first.pk).update(code="M-01")
    Measure.objects.filter(pk=second.pk).update(code="M-02")
    MeasureDependency.objects.create(measure=second, requires=first)
    make_staff(HEAD_EMAIL, StaffRoleKind.DEPARTMENT_HEAD, youth, first_name="Jana", last_name="Jugend")
    make_staff(OFFICE_EMAIL, StaffRoleKind.STRATEGY_OFFICE, first_name="Stefan", last_name="Strategie")
    return {"youth": youth, "digital": digital, "field": field, "first": first, "second": second}


def sign_in(page, email: str) -> None:
    log_in(page, email, PASSWORD)
    if "/konto/zwei-faktor/" not in page.url:
        visit(page, BASE, status=None)
    pass_second_factor(page)
    assert "/konto/zwei-faktor/" not in page.url, page.locator("main").inner_text()


def type_into(page, selector: str, value: str) -> None:
    tab_to(page, selector)
    assert focus_is_visible(page), f"no visible focus on {selector}"
    page.keyboard.type(value)


def press_enter_and_wait(page) -> None:
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")


def test_a_department_head_proposes_and_the_strategy_office_accepts(browser, live_server, world):
    # --- the head of the youth office proposes a measure, keyboard only -------------------------
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="de-DE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    audit = StrategyAudit(page)
    sign_in(page, HEAD_EMAIL)

    visit(page, f"{BASE}vorschlaege/")
    audit.check("proposals (department)")
    tab_to(page, f"main a[href='{BASE}vorschlaege/neu/']")
    assert focus_is_visible(page)
    press_enter_and_wait(page)
    assert page.url.endswith("/vorschlaege/neu/")
    audit.check("proposal form")

    # sending it empty shows the errors at the fields, linked for screen readers
    tab_to(page, "main button[type=submit]")
    press_enter_and_wait(page)
    assert page.locator("#id_title[aria-invalid=true]").count() == 1
    audit.check("proposal form with errors")

    page.locator("main").focus()  # start again from the top of the content, as a skip link does
    type_into(page, "#id_title", "Kita-App")
    type_into(page, "#id_description", "Eltern melden ihr Kind online für einen Kita-Platz an.")
    type_into(page, "#id_estimated_cost", "30000")
    checkbox = f"input[name=guidelines][value='{world['digital'].pk}']"
    tab_to(page, checkbox)
    assert focus_is_visible(page), "no visible focus on the guideline checkbox"
    page.keyboard.press("Space")
    assert page.locator(checkbox).is_checked()
    tab_to(page, "main button[type=submit]")
    assert focus_is_visible(page), "no visible focus on the send button"
    press_enter_and_wait(page)

    proposal = MeasureProposal.objects.get(title="Kita-App")
    assert page.url.endswith(f"/vorschlaege/{proposal.pk}/"), page.url
    assert proposal.department == world["youth"]
    assert proposal.estimated_cost == Decimal("30000.00")
    assert list(proposal.guidelines.all()) == [world["digital"]]
    assert (
        "Vielen Dank" in page.locator("main").inner_text() or "Thank you" in page.locator("main").inner_text()
    )
    audit.check("proposal detail (proposer)")
    context.close()

    # --- the strategy office reads the structure and accepts the proposal -----------------------
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="de-DE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    audit.page = page
    sign_in(page, OFFICE_EMAIL)

    first, second = world["first"], world["second"]
    for path, label in [
        (f"{BASE}leitsaetze/", "guidelines"),
        (f"{BASE}handlungsfelder/", "fields of action"),
        (f"{BASE}handlungsfelder/{world['field'].pk}/", "field of action"),
        (f"{BASE}massnahmen/", "measures"),
        (f"{BASE}massnahmen/?status=candidate&mandatory=nein", "measures filtered"),
        (f"{BASE}massnahmen/{second.pk}/", "measure detail"),
        (f"{BASE}massnahmen/neu/", "new measure"),
        (f"{BASE}massnahmen/{first.pk}/bearbeiten/", "edit measure"),
        (f"{BASE}massnahmen/{first.pk}/abhaengigkeiten/", "dependencies"),
        (f"{BASE}vorschlaege/", "proposals (strategy office)"),
        (f"{BASE}vorschlaege/{proposal.pk}/", "proposal detail (strategy office)"),
    ]:
        visit(page, path)
        audit.check(label)

    # a cycle is refused and named on the page
    visit(page, f"{BASE}massnahmen/{first.pk}/abhaengigkeiten/")
    page.locator(f"input[name=requires][value='{second.pk}']").check()
    submit(page)
    assert "M-01 → M-02 → M-01" in page.locator("main").inner_text()
    audit.check("dependencies with the cycle refused")

    visit(page, f"{BASE}vorschlaege/{proposal.pk}/")
    with page.expect_navigation(wait_until="load"):
        page.locator(f"main a[href='{BASE}vorschlaege/{proposal.pk}/annehmen/']").click()
    assert page.locator("#id_title").input_value() == "Kita-App"
    assert page.locator("#id_investment_cost").input_value() in ("30000", "30000.00", "30000,00")
    audit.check("accept: prefilled measure form")
    page.locator("#id_field_of_action").select_option(str(world["field"].pk))
    page.locator("#id_reason").fill("Passt zu Leitsatz Digitale Dienste.")
    submit(page)

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED
    measure = proposal.measure
    assert measure.origin == MeasureOrigin.DEPARTMENT
    assert measure.department == world["youth"]
    assert page.url.endswith(f"/massnahmen/{measure.pk}/"), page.url
    assert "Kita-App" in page.locator("main h1").inner_text()
    audit.check("accepted measure")

    # --- a version is frozen, and the difference to the working state shows ----------------------
    visit(page, f"{BASE}versionen/")
    audit.check("versions (none yet)")
    page.locator("#id_label").fill("Fortschreibung 2026")
    page.locator("#id_reason").fill("Neue Maßnahme aus dem Jugendamt")
    submit(page)
    assert StrategyVersion.objects.get().number == 1
    audit.check("versions")
    Measure.objects.filter(pk=first.pk).update(status="planned")
    visit(page, f"{BASE}versionen/1/aktuell/")
    main = page.locator("main").inner_text()
    assert "M-01" in main and re.search(r"Geplant|Planned", main)
    audit.check("version diff")
    context.close()

    audit.assert_clean()
