"""Multi-project management in the browser: the strategy office logs in with its second factor
(the demo shows the TOTP code), filters the portfolio by keyboard alone, sets a project to amber
with a reason, completes a milestone and starts a project. Every page is audited with axe-core,
the edit form also with its error messages.

The data comes from factories (no demo load): two running projects, one with an overdue milestone.
Assertions read the database or stable attributes, so they hold in German and English.
"""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD, make_staff
from rathaus.accounts.constants import StaffRoleKind
from rathaus.strategy.constants import MeasureStatus, TrafficLight
from rathaus.strategy.models import Milestone, Project, ProjectLogEntry
from rathaus.strategy.services.projects import milestone_add, project_start, project_update
from rathaus.strategy.tests.factories import make_area, make_department, make_field, make_measure

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

OFFICER_EMAIL = "strategie@stadt.example"
PORTFOLIO = "/verwaltung/strategie/projekte/"


class ProjectAudit(AxeAudit):
    """axe-core plus a check that no id occurs twice (labels and descriptions stay linked)."""

    def check(self, label: str | None = None) -> None:
        super().check(label)
        duplicates = duplicate_ids(self.page)
        if duplicates:
            self.reports.append(f"{self.checked[-1]}: ids used more than once: {', '.join(duplicates)}")


@pytest.fixture
def cockpit(transactional_db):
    today = timezone.localdate()
    officer = make_staff(OFFICER_EMAIL, StaffRoleKind.STRATEGY_OFFICE, first_name="Petra", last_name="Plan")
    department = make_department("Amt 63")
    lead = make_staff(
        "bauamt@stadt.example", StaffRoleKind.CASEWORKER, department, first_name="Bernd", last_name="Bau"
    )
    area = make_area(2, name="Dienstleistungen")
    field = make_field(area, title="Digitale Anträge")
    building = make_measure(
        field,
        department,
        title="Digitaler Bauantrag",
        investment="48000",
        status=MeasureStatus.PLANNED,
    )
    kita = make_measure(field, make_department("Amt 51"), title="Kita-App", status=MeasureStatus.PLANNED)
    waiting = make_measure(field, department, title="Gastschulbeiträge online", status=MeasureStatus.PLANNED)
    first = project_start(building, lead=lead, status_reason="Auftrag erteilt", actor=officer)
    second = project_start(kita, lead=officer, status_reason="Start", actor=officer)
    project_update(
        second, expected_version=1, actor=officer, traffic_light="red", status_reason="Anbieter fehlt"
    )
    overdue = milestone_add(first, "Ausschreibung veröffentlicht", today - dt.timedelta(days=5), officer)
    milestone_add(first, "Pilotbetrieb", today + dt.timedelta(days=60), officer)
    return SimpleNamespace(
        officer=officer, lead=lead, first=first, second=second, overdue=overdue, waiting=waiting
    )


def follow(page, locator) -> None:
    with page.expect_navigation(wait_until="load"):
        locator.click()


def log_in_office(page) -> None:
    log_in(page, OFFICER_EMAIL, PASSWORD)
    pass_second_factor(page)
    assert "/konto/zwei-faktor/" not in page.url, page.locator("main").inner_text()


def rows(page) -> list[str]:
    return page.locator("main table tbody tr td:first-child").all_inner_texts()


def test_office_steers_projects_in_the_browser(page, cockpit):
    audit = ProjectAudit(page)
    log_in_office(page)

    # The portfolio: every project, traffic lights, totals.
    visit(page, PORTFOLIO)
    audit.check("portfolio")
    assert sorted(rows(page)) == sorted([cockpit.first.measure.code, cockpit.second.measure.code])
    # the traffic light is text and icon, never colour alone
    badge = page.locator("main table tbody tr", has_text=cockpit.second.measure.code).locator(".kern-badge")
    expect(badge.locator(".kern-icon--danger")).to_have_count(1)
    assert badge.inner_text().strip()

    # Filter by keyboard alone: the traffic light "red", then only overdue milestones.
    tab_to(page, "#id_traffic_light")
    assert focus_is_visible(page)
    for _ in range(3):  # all → green → amber → red
        page.keyboard.press("ArrowDown")
    assert page.locator("#id_traffic_light").input_value() == TrafficLight.RED
    tab_to(page, "main form[role=search] button[type=submit]")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    assert "traffic_light=red" in page.url
    assert rows(page) == [cockpit.second.measure.code]
    audit.check("portfolio filtered by traffic light")

    visit(page, PORTFOLIO)
    tab_to(page, "#id_overdue")
    page.keyboard.press("Space")
    tab_to(page, "main form[role=search] button[type=submit]")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    assert "overdue=on" in page.url
    assert rows(page) == [cockpit.first.measure.code]

    # The project page, its edit form; first a change of the light without a new reason.
    follow(page, page.locator(f"main table a:text-is('{cockpit.first.measure.code}')"))
    assert page.url.endswith(f"/projekte/{cockpit.first.pk}/")
    audit.check("project page")
    follow(page, page.locator(f"main a[href$='/projekte/{cockpit.first.pk}/bearbeiten/']"))
    audit.check("project edit form")
    page.locator("input[name=traffic_light][value=amber]").check()
    submit(page, "main form button[type=submit]")
    expect(page.locator("#id_status_reason-error")).to_be_visible()
    expect(page.locator("input[name=traffic_light][value=amber]")).to_be_checked()  # input kept
    audit.check("project edit form with an error")
    assert Project.objects.get(pk=cockpit.first.pk).traffic_light == TrafficLight.GREEN

    page.locator("#id_status_reason").fill(
        "Die Schnittstelle zum Fachverfahren verzögert sich um sechs Wochen."
    )
    page.locator("#id_note").fill("Lenkungskreis")
    submit(page, "main form button[type=submit]")
    assert page.url.endswith(f"/projekte/{cockpit.first.pk}/"), page.locator("main").inner_text()
    project = Project.objects.get(pk=cockpit.first.pk)
    assert project.traffic_light == TrafficLight.AMBER
    assert project.status_reason.startswith("Die Schnittstelle")
    assert ProjectLogEntry.objects.filter(
        project=project, field="traffic_light", note="Lenkungskreis"
    ).exists()
    expect(page.locator("main .kern-badge .kern-icon--warning").first).to_be_visible()
    audit.check("project page after the change")

    # Complete the overdue milestone (the form proposes today).
    row = page.locator(f"#meilenstein-{cockpit.overdue.pk}")
    follow(page, row.locator("button[type=submit]").first)
    assert Milestone.objects.get(pk=cockpit.overdue.pk).completed_on == timezone.localdate()
    assert ProjectLogEntry.objects.filter(project=project, field="milestone_completed").exists()
    audit.check("project page after the milestone")

    # Start a project for a planned measure on the project module's own page.
    visit(page, f"{PORTFOLIO}starten/{cockpit.waiting.pk}/")
    audit.check("start a project")
    page.locator("#id_lead").select_option(str(cockpit.lead.pk))
    page.locator("#id_status_reason").fill("Auftrag des Stadtrats")
    submit(page, "main form button[type=submit]")
    started = Project.objects.get(measure=cockpit.waiting)
    assert re.search(rf"/projekte/{started.pk}/$", page.url), page.url

    visit(page, f"{PORTFOLIO}meine/")
    audit.check("my projects")
    audit.assert_clean()
