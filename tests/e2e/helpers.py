"""Helpers shared by the browser tests: axe-core audits, navigation, login."""

from __future__ import annotations

import json
import re
from pathlib import Path

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

CITIZEN_EMAIL = "maria.muster@example.org"
CASEWORKER_EMAIL = "sachbearbeitung@regensburg.example"


def axe_violations(page) -> list[dict]:
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )


def format_violations(label: str, violations: list[dict]) -> str:
    lines = [f"{label}: {len(violations)} axe violation(s)"]
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"      {json.dumps(node['target'])}")
            for summary_line in (node["summary"] or "").splitlines():
                lines.append(f"        {summary_line}")
    return "\n".join(lines)


class AxeAudit:
    """Collects violations over several pages so one run reports all of them at once."""

    def __init__(self, page):
        self.page = page
        self.reports: list[str] = []
        self.checked: list[str] = []

    def check(self, label: str | None = None) -> None:
        lang = self.page.evaluate("document.documentElement.lang")
        label = f"[{lang}] {label or self.page.url}"
        self.checked.append(label)
        violations = axe_violations(self.page)
        if violations:
            self.reports.append(format_violations(label, violations))

    def assert_clean(self) -> None:
        assert not self.reports, "\n\n".join(self.reports)


def visit(page, path: str, *, status: int | None = 200):
    response = page.goto(path)
    page.wait_for_load_state("load")
    if status is not None:
        assert response is not None and response.status == status, (
            f"GET {path}: {response.status if response else 'no response'} instead of {status}"
        )
    return response


def switch_language(page, language: str) -> None:
    """Use the language button in the header, as a visitor would."""
    if page.evaluate("document.documentElement.lang") == language:
        return
    button = page.locator(f"header button[name=language][value={language}]")
    with page.expect_navigation(wait_until="load"):
        button.click()
    assert page.evaluate("document.documentElement.lang") == language


def submit(page, button_selector: str = "main button[type=submit]") -> None:
    with page.expect_navigation(wait_until="load"):
        page.locator(button_selector).click()


def log_in(page, email: str, password: str) -> None:
    visit(page, "/konto/anmelden/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    submit(page)
    assert "/konto/anmelden/" not in page.url, "the login was refused"


def pass_second_factor(page) -> None:
    assert re.search(r"/konto/zwei-faktor/", page.url), page.url
    code = page.locator("[data-testid=demo-totp]").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code), f"the demo code is not six digits: {code!r}"
    page.locator("#id_token").fill(code)
    submit(page)
