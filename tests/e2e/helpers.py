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


def duplicate_ids(page) -> list[str]:
    """Ids used more than once on the page (a label's ``for`` or an ``aria-describedby`` then
    points at the wrong element; axe-core no longer reports plain duplicates)."""
    return page.evaluate(
        """() => {
            const seen = new Map();
            for (const el of document.querySelectorAll("[id]")) seen.set(el.id, (seen.get(el.id) || 0) + 1);
            return [...seen].filter(([, count]) => count > 1).map(([id, count]) => `${id} (${count}x)`);
        }"""
    )


def focused_matches(page, selector: str) -> bool:
    return page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector)


def tab_to(page, selector: str, *, backwards: bool = False, max_tabs: int = 60) -> None:
    """Press Tab (or Shift+Tab) until the element matching the selector has the focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(max_tabs):
        if focused_matches(page, selector):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{max_tabs} presses of {key} did not reach {selector}")


def focus_is_visible(page) -> bool:
    """The focused element shows an outline or a box shadow."""
    return page.evaluate(
        """() => {
            const s = getComputedStyle(document.activeElement);
            const outlined = s.outlineStyle !== "none" && !["0px", ""].includes(s.outlineWidth);
            return outlined || s.boxShadow !== "none";
        }"""
    )
