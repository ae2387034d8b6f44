"""The utility analysis in the browser: a strategy-office member logs in with the second factor,
every evaluation page passes axe-core, and a measure is scored with the keyboard alone.

The data comes from the strategy test factories (no demo needed).
"""

from __future__ import annotations

import pytest

from conftest import PASSWORD, make_staff
from rathaus.accounts.constants import StaffRoleKind
from rathaus.strategy.models import Score
from rathaus.strategy.services import evaluation as services
from rathaus.strategy.tests.factories import make_criterion, make_measure

from .helpers import (
    AxeAudit,
    duplicate_ids,
    focus_is_visible,
    focused_matches,
    log_in,
    pass_second_factor,
    tab_to,
    visit,
)

pytestmark = pytest.mark.browser

BASE = "/verwaltung/strategie/bewertung/"
OFFICER_EMAIL = "strategie@stadt.example"


class EvaluationAudit(AxeAudit):
    """axe-core plus a check that no id occurs twice (labels and descriptions stay linked)."""

    def check(self, label: str | None = None) -> None:
        super().check(label)
        duplicates = duplicate_ids(self.page)
        if duplicates:
            self.reports.append(f"{self.checked[-1]}: ids used more than once: {', '.join(duplicates)}")


@pytest.fixture
def evaluation_data(transactional_db):
    officer = make_staff(
        OFFICER_EMAIL, StaffRoleKind.STRATEGY_OFFICE, first_name="Stefanie", last_name="Strat"
    )
    colleague = make_staff(
        "leitung@stadt.example", StaffRoleKind.LEADERSHIP, first_name="Lea", last_name="Leitung"
    )
    criteria = [
        make_criterion("nutzen", 50, scale=(0, 5), name="Nutzen für Bürger und Unternehmen", order=1),
        make_criterion("kosten", 30, scale=(1, 5), direction="lower", name="Kosten", order=2),
        make_criterion("machbarkeit", 20, scale=(0, 10), name="Machbarkeit", order=3),
    ]
    scored = [
        make_measure(title="Hochzeitskalender"),
        make_measure(title="Kita-App"),
        make_measure(title="Digitaler Bauantrag", mandatory=True, legal_basis="OZG"),
    ]
    for measure, values in zip(scored, [(4, 2, 8), (5, 4, 6), (2, 3, 9)], strict=True):
        for evaluator, shift in ((colleague, 0), (officer, 1)):
            services.score_set(
                measure=measure,
                evaluator=evaluator,
                values={
                    c.pk: max(c.scale_min, min(c.scale_max, v - shift))
                    for c, v in zip(criteria, values, strict=True)
                },
                comments={criteria[0].pk: "Begründung"},
            )
    unscored = make_measure(title="Gartenkurse online")
    return {"officer": officer, "criteria": criteria, "scored": scored, "unscored": unscored}


def test_evaluation_pages_pass_axe_and_a_measure_is_scored_by_keyboard(page, evaluation_data):
    criteria = evaluation_data["criteria"]
    unscored = evaluation_data["unscored"]
    first_scored = evaluation_data["scored"][0]
    audit = EvaluationAudit(page)

    log_in(page, OFFICER_EMAIL, PASSWORD)
    pass_second_factor(page)

    visit(page, BASE)
    assert page.locator("main h1").count() == 1
    assert page.locator("main table caption").count() == 2
    audit.check("ranking")
    visit(page, f"{BASE}kriterien/")
    audit.check("criteria and weights")
    visit(page, f"{BASE}kriterien/neu/")
    audit.check("new criterion")
    visit(page, f"{BASE}kriterien/{criteria[0].pk}/")
    audit.check("edit criterion")
    visit(page, f"{BASE}massnahme/{first_scored.pk}/")
    audit.check("all scores of a measure")
    visit(page, f"{BASE}was-waere-wenn/")
    audit.check("what-if (form)")
    visit(page, f"{BASE}was-waere-wenn/?w_nutzen=10&w_kosten=80&w_machbarkeit=10")
    audit.check("what-if (ranking)")
    visit(page, f"{BASE}sensitivitaet/")
    audit.check("sensitivity")
    visit(page, f"{BASE}bewerten/")
    audit.check("score sheets")

    # A refused weighting: the message names the sum and the entries stay.
    visit(page, f"{BASE}kriterien/")
    page.locator(f"#id_weight_{criteria[0].pk}").fill("45")
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").first.click()
    assert "95" in page.locator("main [role=alert]").first.inner_text()
    assert page.locator(f"#id_weight_{criteria[0].pk}").input_value() == "45"
    audit.check("criteria with a refused weighting")

    # Score a measure with the keyboard alone: Tab into each radio group, choose with the arrow
    # keys or the space bar, write a comment, and send the form with Enter.
    visit(page, f"{BASE}bewerten/{unscored.pk}/")
    audit.check("score sheet")
    page.locator("main h1").focus()
    nutzen, kosten, machbarkeit = criteria
    tab_to(page, f"input[name=score_{nutzen.pk}]")
    page.keyboard.press("Space")  # 0
    for _ in range(4):
        page.keyboard.press("ArrowRight")  # → 4
    assert focus_is_visible(page)
    page.keyboard.press("Tab")
    assert focused_matches(page, f"textarea[name=comment_{nutzen.pk}]")
    page.keyboard.type("Spart den Eltern Wege")
    page.keyboard.press("Tab")
    assert focused_matches(page, f"input[name=score_{kosten.pk}]")
    page.keyboard.press("Space")  # 1 (best: lower is better)
    page.keyboard.press("ArrowRight")  # → 2
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused_matches(page, f"input[name=score_{machbarkeit.pk}]")
    page.keyboard.press("Space")
    for _ in range(7):
        page.keyboard.press("ArrowRight")  # → 7
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused_matches(page, "main form button[type=submit]")
    assert focus_is_visible(page)
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")

    assert page.url.endswith(f"{BASE}bewerten/"), page.url
    assert unscored.code in page.locator("main [role=status]").first.inner_text()
    saved = {
        s.criterion.key: (s.value, s.comment)
        for s in Score.objects.filter(measure=unscored, evaluator=evaluation_data["officer"]).select_related(
            "criterion"
        )
    }
    assert saved == {
        "nutzen": (4, "Spart den Eltern Wege"),
        "kosten": (2, ""),
        "machbarkeit": (7, ""),
    }
    audit.check("score sheets after saving")

    visit(page, BASE)
    assert unscored.code in page.locator("main table").first.inner_text()
    audit.check("ranking after scoring")
    audit.assert_clean()
