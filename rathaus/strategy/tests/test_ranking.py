"""The utility analysis (pure functions): a hand-computed example and properties."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rathaus.strategy.ranking import (
    HIGHER,
    LOWER,
    CriterionSpec,
    ScoreEntry,
    sensitivity,
    utility_ranking,
)

D = Decimal

# --- the hand-computed example --------------------------------------------------------------------

CRITERIA = [
    CriterionSpec("nutzen", D(50), 0, 4, HIGHER),
    CriterionSpec("kosten", D(30), 1, 5, LOWER),
    CriterionSpec("machbarkeit", D(20), 0, 10, HIGHER),
]
# measure → criterion → (score of evaluator e1, score of evaluator e2)
SHEETS = {
    "A": {"nutzen": (4, 3), "kosten": (2, 2), "machbarkeit": (8, 6)},
    "B": {"nutzen": (2, 2), "kosten": (1, 1), "machbarkeit": (10, 10)},
    "C": {"nutzen": (4, 4), "kosten": (3, 3), "machbarkeit": (7, 3)},
}


def example_scores(sheets=SHEETS) -> list[ScoreEntry]:
    return [
        ScoreEntry(measure, criterion, evaluator, values[i])
        for measure, by_criterion in sheets.items()
        for criterion, values in by_criterion.items()
        for i, evaluator in enumerate(("e1", "e2"))
    ]


def test_ranking_equals_the_hand_computed_example():
    """Three criteria, three measures, two evaluators, worked out by hand.

    Criteria: Nutzen weight 50, scale 0..4, higher is better; Kosten weight 30, scale 1..5, lower
    is better (normalised = (5 − mean) / 4); Machbarkeit weight 20, scale 0..10, higher is better.
    The weights add up to 100, so each share is weight / 100.

    A: Nutzen (4+3)/2 = 3.5 → 3.5/4 = 0.875; Kosten (2+2)/2 = 2 → (5−2)/4 = 0.75;
       Machbarkeit (8+6)/2 = 7 → 0.7.
       Utility = 50·0.875 + 30·0.75 + 20·0.7 = 43.75 + 22.5 + 14 = 80.25.
       e1 alone: 50·1 + 30·0.75 + 20·0.8 = 88.50; e2 alone: 50·0.75 + 22.5 + 20·0.6 = 72.00;
       spread 16.50.
    B: Nutzen 2 → 0.5; Kosten 1 → 1.0; Machbarkeit 10 → 1.0.
       Utility = 25 + 30 + 20 = 75.00; both evaluators agree: 75.00 each, spread 0.
    C: Nutzen 4 → 1.0; Kosten 3 → 0.5; Machbarkeit (7+3)/2 = 5 → 0.5.
       Utility = 50 + 15 + 10 = 75.00; e1: 50 + 15 + 14 = 79.00, e2: 50 + 15 + 6 = 71.00, spread 8.
    Ranking: A 1st (80.25); B and C share the 2nd place (75.00), B listed first (key order).
    """
    ranking = utility_ranking(CRITERIA, example_scores())

    assert [(r.measure_key, r.rank, r.utility) for r in ranking] == [
        ("A", 1, D("80.25")),
        ("B", 2, D("75.00")),
        ("C", 2, D("75.00")),
    ]
    a, b, c = ranking
    assert a.criterion_means == {"nutzen": D("3.5"), "kosten": D("2"), "machbarkeit": D("7")}
    assert a.evaluator_utilities == {"e1": D("88.50"), "e2": D("72.00")}
    assert a.spread == D("16.50")
    assert b.evaluator_utilities == {"e1": D("75.00"), "e2": D("75.00")}
    assert b.spread == 0
    assert c.evaluator_utilities == {"e1": D("79.00"), "e2": D("71.00")}
    assert c.spread == D("8.00")
    assert all(r.evaluator_count == 2 and r.complete and r.missing_criteria == () for r in ranking)


def test_what_if_weights_of_the_example_are_normalised():
    """Nutzen 20, Kosten 30, Machbarkeit 50:
    A = 20·0.875 + 30·0.75 + 50·0.7 = 17.5 + 22.5 + 35 = 75.00;
    B = 20·0.5 + 30·1 + 50·1 = 90.00; C = 20·1 + 30·0.5 + 50·0.5 = 60.00.
    The same weights given as 2, 3, 5 (sum 10) are normalised to the same shares."""
    expected = [("B", 1, D("90.00")), ("A", 2, D("75.00")), ("C", 3, D("60.00"))]
    for weights in (
        {"nutzen": D(20), "kosten": D(30), "machbarkeit": D(50)},
        {"nutzen": D(2), "kosten": D(3), "machbarkeit": D(5)},
    ):
        ranking = utility_ranking(CRITERIA, example_scores(), weights=weights)
        assert [(r.measure_key, r.rank, r.utility) for r in ranking] == expected


def test_sensitivity_of_the_example():
    """Each weight × 0.8 and × 1.2, the others unchanged, then normalised. By hand:

    Nutzen×0.8 (40/30/20, Σ90): A 71.5/90 = 79.44, B 70/90 = 77.78, C 65/90 = 72.22 → C drops to 3.
    Nutzen×1.2 (60/30/20, Σ110): A 89/110 = 80.91, B 80/110 = 72.73, C 85/110 = 77.27 → B to 3.
    Kosten×0.8 (50/24/20, Σ94): A 80.59, B 69/94 = 73.40, C 72/94 = 76.60 → B to 3.
    Kosten×1.2 (50/36/20, Σ106): A 79.95, B 81/106 = 76.42, C 78/106 = 73.58 → C to 3.
    Machbarkeit×0.8 (50/30/16, Σ96): A 80.68, B 71/96 = 73.96, C 73/96 = 76.04 → B to 3.
    Machbarkeit×1.2 (50/30/24, Σ104): A 79.86, B 79/104 = 75.96, C 77/104 = 74.04 → C to 3.
    A stays first in every scenario; B and C only hold their shared 2nd place by a tie.
    """
    result = {s.measure_key: s for s in sensitivity(CRITERIA, example_scores())}

    assert list(result) == ["A", "B", "C"]
    assert (result["A"].base_rank, result["A"].min_rank, result["A"].max_rank) == (1, 1, 1)
    assert result["A"].stable and result["A"].changes == ()
    moves = {key: [(c.criterion_key, c.percent, c.rank) for c in result[key].changes] for key in ("B", "C")}
    assert moves["B"] == [("nutzen", 20, 3), ("kosten", -20, 3), ("machbarkeit", -20, 3)]
    assert moves["C"] == [("nutzen", -20, 3), ("kosten", 20, 3), ("machbarkeit", 20, 3)]
    for key in ("B", "C"):
        assert (result[key].base_rank, result[key].min_rank, result[key].max_rank) == (2, 2, 3)
        assert not result[key].stable


def test_equal_utilities_share_a_rank_and_the_next_rank_is_skipped():
    criteria = [CriterionSpec("x", D(100), 0, 4)]
    scores = [ScoreEntry(m, "x", "e", v) for m, v in (("m1", 4), ("m2", 3), ("m3", 3), ("m4", 1))]
    assert [r.rank for r in utility_ranking(criteria, scores)] == [1, 2, 2, 4]


def test_missing_criterion_counts_as_worst_and_is_flagged():
    scores = [ScoreEntry("A", "nutzen", "e1", 4), ScoreEntry("A", "machbarkeit", "e1", 10)]
    (only,) = utility_ranking(CRITERIA, scores)
    # Kosten unscored counts as 5 (the worst on a lower-is-better scale): 50 + 0 + 20.
    assert only.utility == D("70.00")
    assert not only.complete
    assert only.missing_criteria == ("kosten",)
    assert only.criterion_means["kosten"] is None


def test_evaluator_gap_takes_the_panel_mean_so_spread_shows_disagreement():
    scores = [
        ScoreEntry("A", "nutzen", "e1", 4),
        ScoreEntry("A", "nutzen", "e2", 4),
        ScoreEntry("A", "kosten", "e1", 1),
        ScoreEntry("A", "machbarkeit", "e1", 10),
        ScoreEntry("A", "machbarkeit", "e2", 10),
    ]
    (only,) = utility_ranking(CRITERIA, scores)
    assert only.complete
    assert only.evaluator_utilities == {"e1": D("100.00"), "e2": D("100.00")}
    assert only.spread == 0


def test_scores_on_other_criteria_are_ignored():
    scores = [*example_scores(), ScoreEntry("A", "retired", "e1", 99)]
    assert utility_ranking(CRITERIA, scores) == utility_ranking(CRITERIA, example_scores())


@pytest.mark.parametrize(
    ("scores", "weights", "message"),
    [
        ([ScoreEntry("A", "nutzen", "e1", 5)], None, "outside"),
        ([ScoreEntry("A", "nutzen", "e1", 1), ScoreEntry("A", "nutzen", "e1", 2)], None, "twice"),
        ([], {"unknown": D(1)}, "unknown"),
        ([], {"nutzen": D(-1)}, "negative"),
        ([], {"nutzen": D(0), "kosten": D(0), "machbarkeit": D(0)}, "zero"),
    ],
)
def test_inconsistent_input_is_refused(scores, weights, message):
    with pytest.raises(ValueError, match=message):
        utility_ranking(CRITERIA, scores, weights=weights)


# --- properties ---------------------------------------------------------------------------------


@st.composite
def problems(draw):
    """Random criteria (1–4), measures (1–5), evaluators (1–3) and a random subset of scores."""
    count = draw(st.integers(1, 4))
    weights = draw(st.lists(st.integers(0, 10_000), min_size=count, max_size=count))
    if not any(weights):
        weights[0] = 1
    criteria = []
    for i, weight in enumerate(weights):
        low = draw(st.integers(-3, 3))
        criteria.append(
            CriterionSpec(
                key=f"c{i}",
                weight=D(weight) / 100,
                scale_min=low,
                scale_max=low + draw(st.integers(1, 10)),
                direction=draw(st.sampled_from([HIGHER, LOWER])),
            )
        )
    scores = []
    for m in range(draw(st.integers(1, 5))):
        for e in range(draw(st.integers(1, 3))):
            for spec in criteria:
                if draw(st.booleans()):
                    value = draw(st.integers(spec.scale_min, spec.scale_max))
                    scores.append(ScoreEntry(f"m{m}", spec.key, f"e{e}", value))
    return criteria, scores


@settings(max_examples=150, deadline=None)
@given(problems())
def test_utilities_lie_between_0_and_100(problem):
    criteria, scores = problem
    for ranked in utility_ranking(criteria, scores):
        assert D(0) <= ranked.utility <= D(100)
        assert ranked.utility == ranked.utility.quantize(D("0.01"))
        assert all(D(0) <= u <= D(100) for u in ranked.evaluator_utilities.values())
        assert ranked.spread >= 0


@settings(max_examples=150, deadline=None)
@given(problems(), st.sampled_from([D("0.01"), D("0.5"), D(3), D(7), D("12.5"), D(1000)]))
def test_scaling_all_weights_changes_nothing(problem, factor):
    criteria, scores = problem
    scaled = [replace(spec, weight=spec.weight * factor) for spec in criteria]
    assert utility_ranking(scaled, scores) == utility_ranking(criteria, scores)


@settings(max_examples=150, deadline=None)
@given(problems(), st.data())
def test_improving_a_score_never_lowers_the_utility(problem, data):
    criteria, scores = problem
    specs = {spec.key: spec for spec in criteria}
    improvable = [
        i
        for i, s in enumerate(scores)
        if (s.value < specs[s.criterion_key].scale_max and specs[s.criterion_key].direction == HIGHER)
        or (s.value > specs[s.criterion_key].scale_min and specs[s.criterion_key].direction == LOWER)
    ]
    if not improvable:
        return
    index = data.draw(st.sampled_from(improvable))
    entry = scores[index]
    better = entry.value + (1 if specs[entry.criterion_key].direction == HIGHER else -1)
    changed = [*scores[:index], replace(entry, value=better), *scores[index + 1 :]]
    before = {r.measure_key: r.utility for r in utility_ranking(criteria, scores)}
    after = {r.measure_key: r.utility for r in utility_ranking(criteria, changed)}
    assert after[entry.measure_key] >= before[entry.measure_key]


@settings(max_examples=150, deadline=None)
@given(problems())
def test_ranks_are_a_competition_ranking(problem):
    criteria, scores = problem
    ranking = utility_ranking(criteria, scores)
    utilities = [r.utility for r in ranking]
    assert utilities == sorted(utilities, reverse=True)
    for ranked in ranking:
        assert ranked.rank == 1 + sum(1 for u in utilities if u > ranked.utility)
    for first, second in pairwise(ranking):
        if first.utility == second.utility:
            assert first.measure_key < second.measure_key
    assert {r.measure_key for r in ranking} == {s.measure_key for s in scores}


@settings(max_examples=60, deadline=None)
@given(problems())
def test_sensitivity_brackets_the_base_rank(problem):
    criteria, scores = problem
    result = sensitivity(criteria, scores)
    base = utility_ranking(criteria, scores)
    assert [s.measure_key for s in result] == [r.measure_key for r in base]
    for item in result:
        assert item.min_rank <= item.base_rank <= item.max_rank
        assert item.stable == (item.min_rank == item.max_rank)
        assert all(change.rank != item.base_rank for change in item.changes)
        assert all(change.percent in (-20, 20) for change in item.changes)
