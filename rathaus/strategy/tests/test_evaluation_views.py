"""The evaluation pages: who may open them, that evaluators see only their own scores, and that
bad input gets a clear message and loses nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from conftest import login
from rathaus.strategy.constants import MeasureStatus
from rathaus.strategy.models import Criterion, Score
from rathaus.strategy.services import evaluation as services

from .factories import make_criterion, make_measure

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def criteria(db):
    return {
        "nutzen": make_criterion("nutzen", 60, scale=(0, 5), name="Nutzen", order=1),
        "kosten": make_criterion("kosten", 40, scale=(1, 5), direction="lower", name="Kosten", order=2),
    }


@pytest.fixture
def measure(criteria):
    return make_measure(title="Hochzeitskalender")


def score(measure, evaluator, criteria, comment="", **values):
    return services.score_set(
        measure=measure,
        evaluator=evaluator,
        values={criteria[k].pk: v for k, v in values.items()},
        comments={criteria[k].pk: comment for k in values},
    )


def page_urls(measure) -> dict[str, tuple[str, str]]:
    """name → (url, permission the page needs)."""
    return {
        "ranking": (reverse("strategy:ranking"), "evaluate"),
        "criteria": (reverse("strategy:criteria"), "manage"),
        "criterion_create": (reverse("strategy:criterion_create"), "manage"),
        "criterion_edit": (reverse("strategy:criterion_edit", args=[Criterion.objects.first().pk]), "manage"),
        "score_sheets": (reverse("strategy:score_sheet"), "evaluate"),
        "score_sheet": (reverse("strategy:score_sheet", args=[measure.pk]), "evaluate"),
        "scores": (reverse("strategy:scores", args=[measure.pk]), "manage"),
        "whatif": (reverse("strategy:whatif"), "evaluate"),
        "sensitivity": (reverse("strategy:sensitivity"), "evaluate"),
    }


def test_urls_are_where_the_brief_says(measure):
    assert reverse("strategy:ranking") == "/verwaltung/strategie/bewertung/"
    assert reverse("strategy:criteria") == "/verwaltung/strategie/bewertung/kriterien/"
    assert reverse("strategy:score_sheet") == "/verwaltung/strategie/bewertung/bewerten/"
    assert reverse("strategy:scores", args=[7]) == "/verwaltung/strategie/bewertung/massnahme/7/"
    assert reverse("strategy:whatif") == "/verwaltung/strategie/bewertung/was-waere-wenn/"
    assert reverse("strategy:sensitivity") == "/verwaltung/strategie/bewertung/sensitivitaet/"


def test_strategy_office_opens_every_page(strategy_client, measure, strategy_officer, criteria):
    score(measure, strategy_officer, criteria, nutzen=4, kosten=2)
    for name, (url, _perm) in page_urls(measure).items():
        response = strategy_client.get(url)
        assert response.status_code == 200, name
        assert response.context["title"], name


def test_evaluators_open_the_evaluate_pages_but_not_the_manage_pages(
    department_head_client, leadership_client, measure
):
    for client in (department_head_client, leadership_client):
        for name, (url, perm) in page_urls(measure).items():
            expected = 200 if perm == "evaluate" else 403
            assert client.get(url).status_code == expected, name


def test_caseworkers_and_citizens_are_refused(caseworker_client, citizen_client, measure):
    for client in (caseworker_client, citizen_client):
        for name, (url, _perm) in page_urls(measure).items():
            assert client.get(url).status_code in (403, 404), name


def test_anonymous_visitors_are_sent_to_the_login(measure):
    client = Client()
    login = reverse("accounts:login")
    for name, (url, _perm) in page_urls(measure).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response.url.startswith(login), name


def test_unknown_measure_is_404(strategy_client, criteria):
    assert strategy_client.get(reverse("strategy:score_sheet", args=[999_999])).status_code == 404
    assert strategy_client.get(reverse("strategy:scores", args=[999_999])).status_code == 404


# --- ranking ----------------------------------------------------------------------------------------


def test_ranking_shows_utility_spread_mandatory_flag_and_progress(
    leadership_client, strategy_officer, leadership, criteria
):
    good = make_measure(title="Kita-App")
    disputed = make_measure(title="Gastschulbeiträge")
    mandatory = make_measure(title="OZG-Pflichtleistung", mandatory=True)
    score(good, strategy_officer, criteria, nutzen=5, kosten=1)
    score(good, leadership, criteria, nutzen=5, kosten=1)
    score(disputed, strategy_officer, criteria, nutzen=5, kosten=1)
    score(disputed, leadership, criteria, nutzen=0, kosten=5)
    response = leadership_client.get(reverse("strategy:ranking"))
    rows = response.context["rows"]
    assert [(row["measure"], row["ranked"].rank if row["ranked"] else None) for row in rows] == [
        (good, 1),
        (disputed, 2),
        (mandatory, None),
    ]
    assert rows[1]["ranked"].spread == D("100.00") and rows[1]["large_spread"]
    assert not rows[0]["large_spread"]
    html = response.content.decode()
    assert "large spread: discuss" in html
    assert "Mandatory (always planned)" in html
    assert "100.00" in html
    assert "Scores of" not in html, "only the strategy office gets the link to individual scores"
    progress = {p.evaluator.pk: p.scored for p in response.context["progress"]}
    assert progress[strategy_officer.pk] == 2


def test_ranking_warns_when_weights_do_not_add_up(strategy_client, criteria):
    Criterion.objects.filter(key="kosten").update(weight=D(10))  # e.g. edited outside the service
    response = strategy_client.get(reverse("strategy:ranking"))
    assert "add up to 70.00 % instead of 100 %" in response.content.decode()


# --- criteria and weights --------------------------------------------------------------------------


def test_criteria_page_states_the_rule(strategy_client, criteria):
    html = strategy_client.get(reverse("strategy:criteria")).content.decode()
    assert "The weights must add up to exactly 100 %; other sums are refused, not normalised." in html


def test_weights_that_do_not_add_up_are_refused_and_kept_in_the_form(strategy_client, criteria):
    data = {f"weight_{criteria['nutzen'].pk}": "55", f"weight_{criteria['kosten'].pk}": "40"}
    response = strategy_client.post(reverse("strategy:criteria"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The weights add up to 95.00 %" in html
    assert 'value="55"' in html
    assert Criterion.objects.get(key="nutzen").weight == D(60)


def test_weights_adding_up_to_100_are_saved(strategy_client, criteria):
    data = {f"weight_{criteria['nutzen'].pk}": "55.5", f"weight_{criteria['kosten'].pk}": "44.5"}
    response = strategy_client.post(reverse("strategy:criteria"), data)
    assert response.status_code == 302
    assert Criterion.objects.get(key="kosten").weight == D("44.5")


def test_weight_above_100_is_refused_by_the_form(strategy_client, criteria):
    data = {f"weight_{criteria['nutzen'].pk}": "160", f"weight_{criteria['kosten'].pk}": "-60"}
    response = strategy_client.post(reverse("strategy:criteria"), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Criterion.objects.get(key="nutzen").weight == D(60)


def test_weight_fields_are_described_as_percentages_not_as_the_score_scale(strategy_client, criteria):
    form = strategy_client.get(reverse("strategy:criteria")).context["form"]
    for criterion in criteria.values():
        hint = str(form.fields[f"weight_{criterion.pk}"].help_text)
        assert "Percent from 0 to 100" in hint
        assert "Scale" not in hint
    strategy_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    html = strategy_client.get(reverse("strategy:criteria")).content.decode()
    assert "Prozent von 0 bis 100" in html
    assert "Skala 0 bis 5" not in html.split("<table")[0]  # the form above the criteria table


def test_whatif_weight_fields_do_not_show_the_score_scale(leadership_client, criteria):
    form = leadership_client.get(reverse("strategy:whatif")).context["form"]
    hints = [str(field.help_text) for field in form.fields.values()]
    assert hints and all("Scale" not in hint and "100" in hint for hint in hints)


def test_add_edit_and_deactivate_a_criterion(strategy_client, criteria):
    response = strategy_client.post(
        reverse("strategy:criterion_create"),
        {
            "key": "recht",
            "name": "Rechtliche Verpflichtung",
            "scale_min": "0",
            "scale_max": "3",
            "direction": "higher",
        },
    )
    assert response.status_code == 302
    created = Criterion.objects.get(key="recht")
    assert created.weight == 0
    response = strategy_client.post(
        reverse("strategy:criterion_edit", args=[created.pk]),
        {"key": "recht", "name": "Rechtspflicht", "scale_min": "0", "scale_max": "4", "direction": "higher"},
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert (created.name, created.scale_max) == ("Rechtspflicht", 4)
    response = strategy_client.post(reverse("strategy:criterion_active", args=[created.pk]), {"active": "0"})
    assert response.status_code == 302
    assert not Criterion.objects.get(key="recht").is_active
    # A weighted criterion cannot go: the message says why.
    response = strategy_client.post(
        reverse("strategy:criterion_active", args=[criteria["kosten"].pk]), {"active": "0"}, follow=True
    )
    assert "still has a weight of 40.00 %" in response.content.decode()
    assert Criterion.objects.get(key="kosten").is_active


def test_criterion_form_refuses_a_falling_scale_and_a_taken_key(strategy_client, criteria):
    response = strategy_client.post(
        reverse("strategy:criterion_create"),
        {"key": "nutzen", "name": "Doppelt", "scale_min": "0", "scale_max": "3", "direction": "higher"},
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    response = strategy_client.post(
        reverse("strategy:criterion_create"),
        {"key": "neu", "name": "Neu", "scale_min": "3", "scale_max": "1", "direction": "higher"},
    )
    assert "must be greater than the lowest score" in response.content.decode()
    assert Criterion.objects.count() == 2


# --- score sheets ------------------------------------------------------------------------------------


def test_evaluator_scores_a_measure(department_head_client, department_head, measure, criteria):
    url = reverse("strategy:score_sheet", args=[measure.pk])
    response = department_head_client.post(
        url,
        {
            f"score_{criteria['nutzen'].pk}": "4",
            f"comment_{criteria['nutzen'].pk}": "Spart Wege",
            f"score_{criteria['kosten'].pk}": "2",
            f"comment_{criteria['kosten'].pk}": "",
        },
    )
    assert response.status_code == 302
    scores = {s.criterion.key: (s.value, s.comment) for s in Score.objects.filter(evaluator=department_head)}
    assert scores == {"nutzen": (4, "Spart Wege"), "kosten": (2, "")}
    overview = department_head_client.get(reverse("strategy:score_sheet")).content.decode()
    assert "complete" in overview


def test_evaluator_never_sees_another_evaluators_scores(
    department_head_client, second_strategy_officer, department_head, measure, criteria
):
    score(measure, second_strategy_officer, criteria, comment="VERTRAULICHE-NOTIZ", nutzen=1, kosten=5)
    response = department_head_client.get(reverse("strategy:score_sheet", args=[measure.pk]))
    html = response.content.decode()
    assert "VERTRAULICHE-NOTIZ" not in html
    assert "checked" not in html, "no score is preselected from another evaluator"
    assert response.context["form"].initial == {}
    # ... nor through the strategy office's page of all scores.
    assert department_head_client.get(reverse("strategy:scores", args=[measure.pk])).status_code == 403
    # The other way round: the second strategy officer's own sheet shows only their own scores.
    score(measure, department_head, criteria, comment="NOTIZ-DER-AMTSLEITUNG", nutzen=5, kosten=1)
    officer = login(Client(), second_strategy_officer)
    html = officer.get(reverse("strategy:score_sheet", args=[measure.pk])).content.decode()
    assert "VERTRAULICHE-NOTIZ" in html
    assert "NOTIZ-DER-AMTSLEITUNG" not in html


def test_strategy_office_sees_all_scores_of_a_measure(
    strategy_client, second_strategy_officer, department_head, measure, criteria
):
    score(measure, second_strategy_officer, criteria, comment="Notiz A", nutzen=1, kosten=5)
    score(measure, department_head, criteria, comment="Notiz B", nutzen=5, kosten=1)
    response = strategy_client.get(reverse("strategy:scores", args=[measure.pk]))
    html = response.content.decode()
    assert "Notiz A" in html and "Notiz B" in html
    assert {row["evaluator"] for row in response.context["rows"]} == {
        second_strategy_officer,
        department_head,
    }
    assert response.context["ranked"].spread == D("88.00")  # 1/5·60 = 12 against 100


def test_tampered_inactive_criterion_gets_a_message_and_loses_nothing(
    department_head_client, department_head, measure, criteria
):
    retired = make_criterion("alt", 0, name="Ausgemustertes Kriterium", is_active=False)
    response = department_head_client.post(
        reverse("strategy:score_sheet", args=[measure.pk]),
        {
            f"score_{criteria['nutzen'].pk}": "3",
            f"comment_{criteria['nutzen'].pk}": "MEIN-ENTWURF",
            f"score_{criteria['kosten'].pk}": "2",
            f"score_{retired.pk}": "1",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ausgemustertes Kriterium" in html and "no longer used" in html
    assert "MEIN-ENTWURF" in html, "the entries stay in the form"
    assert not Score.objects.exists()


def test_tampered_score_outside_the_scale_names_the_range(department_head_client, measure, criteria):
    response = department_head_client.post(
        reverse("strategy:score_sheet", args=[measure.pk]),
        {f"score_{criteria['nutzen'].pk}": "9", f"score_{criteria['kosten'].pk}": "2"},
    )
    assert response.status_code == 200
    assert "must lie between 0 and 5; 9 is outside the scale" in response.content.decode()
    assert not Score.objects.exists()


def test_missing_score_is_asked_for(department_head_client, measure, criteria):
    response = department_head_client.post(
        reverse("strategy:score_sheet", args=[measure.pk]), {f"score_{criteria['nutzen'].pk}": "3"}
    )
    assert response.status_code == 200
    assert "Choose a score for „Kosten“." in response.content.decode()


def test_closed_measure_cannot_be_scored(department_head_client, criteria):
    closed = make_measure(status=MeasureStatus.COMPLETED)
    url = reverse("strategy:score_sheet", args=[closed.pk])
    assert "can no longer be scored" in department_head_client.get(url).content.decode()
    response = department_head_client.post(
        url, {f"score_{criteria['nutzen'].pk}": "3", f"score_{criteria['kosten'].pk}": "2"}
    )
    assert response.status_code == 200
    assert "can no longer be scored" in response.content.decode()
    assert not Score.objects.exists()


# --- what-if and sensitivity -------------------------------------------------------------------------


def test_whatif_is_prefilled_and_ranks_under_normalised_weights(
    leadership_client, strategy_officer, criteria
):
    cheap = make_measure(title="Günstig")
    useful = make_measure(title="Nützlich")
    score(cheap, strategy_officer, criteria, nutzen=1, kosten=1)
    score(useful, strategy_officer, criteria, nutzen=5, kosten=5)
    response = leadership_client.get(reverse("strategy:whatif"))
    html = response.content.decode()
    assert "normalises" in html
    assert 'value="60.00"' in html and 'value="40.00"' in html
    assert not response.context["asked"]
    # Kosten weighs 9 of 10 parts: the cheap measure goes up.
    response = leadership_client.get(reverse("strategy:whatif"), {"w_nutzen": "1", "w_kosten": "9"})
    rows = response.context["rows"]
    assert [(row["measure"], row["ranked"].rank, row["before"]) for row in rows] == [
        (cheap, 1, 2),
        (useful, 2, 1),
    ]
    html = response.content.decode()
    assert "1 place up" in html and "1 place down" in html
    assert [share["share"] for share in response.context["shares"]] == [D("10.0"), D("90.0")]


def test_whatif_refuses_all_zero_weights(leadership_client, criteria):
    response = leadership_client.get(reverse("strategy:whatif"), {"w_nutzen": "0", "w_kosten": "0"})
    assert response.status_code == 200
    assert "At least one weight must be greater than 0." in response.content.decode()
    assert response.context["rows"] == []


def test_sensitivity_page_names_the_moves(department_head_client, strategy_officer, criteria):
    """Nutzen 60 %, Kosten 40 %. Erste: 60·1 + 40·0.25 = 70; Zweite: 60·0.6 + 40·1 = 76.
    Kosten −20 % (60/32, Σ92): Erste (60 + 8)/92 = Zweite (36 + 32)/92 = 73.91 → both 1st.
    Every other move keeps Zweite ahead (N×0.8: 65.91/78.18; N×1.2: 73.21/74.29; K×1.2: 66.67/77.78).
    """
    first = make_measure(title="Erste")
    second = make_measure(title="Zweite")
    score(first, strategy_officer, criteria, nutzen=5, kosten=4)
    score(second, strategy_officer, criteria, nutzen=3, kosten=1)
    response = department_head_client.get(reverse("strategy:sensitivity"))
    rows = response.context["rows"]
    assert [row["measure"] for row in rows] == [second, first]
    assert rows[0]["item"].stable and rows[0]["changes"] == []
    item = rows[1]["item"]
    assert (item.base_rank, item.min_rank, item.max_rank, item.stable) == (2, 1, 2, False)
    assert rows[1]["changes"] == [{"name": "Kosten", "percent": 20, "raised": False, "rank": 1}]
    html = response.content.decode()
    assert "Kosten −20 %: rank 1" in html
    assert "<caption" in html and 'scope="col"' in html
    assert response.context["stable_count"] == 1
