"""The scheduler of the measures plan: worked examples with their explanations, and properties
checked on random plans with hypothesis (the issue asks for them): a suggested schedule never
breaks a dependency, a budget or a capacity limit, never leaves the period, and holds every
mandatory measure whenever it says it is feasible.

Sentences are asserted in English (``translation.override("en")``), numbers also as German pages
show them."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rathaus.strategy.scheduling import (
    MeasureSpec,
    ProblemKind,
    Reason,
    YearLimit,
    check_schedule,
    earliest_placements,
    end_quarter,
    running_quarters,
    suggest_schedule,
    year_usage,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def spec(key, investment=0, *, running=0, effort=0, duration=1, requires=(), mandatory=False, evaluated=True):
    return MeasureSpec(
        key=key,
        investment=Decimal(str(investment)),
        running_cost=Decimal(str(running)),
        effort_person_days=effort,
        duration_quarters=duration,
        requires=tuple(requires),
        mandatory=mandatory,
        label=f"Measure {key}",
        evaluated=evaluated,
    )


def limits(*years, first=2026):
    """``limits((budget, capacity), …)`` for consecutive years from ``first``."""
    return [YearLimit(first + i, Decimal(str(b)), c) for i, (b, c) in enumerate(years)]


# --- quarters and the cost model -------------------------------------------------------------------


def test_quarter_arithmetic_crosses_years():
    assert end_quarter((2026, 3), 4) == (2027, 2)
    assert running_quarters((2026, 4), 2) == [(2026, 4), (2027, 1)]


def test_investment_and_effort_are_spread_evenly_over_the_running_quarters():
    measure = spec("A", 1000, effort=10, duration=3)  # 333.33… per quarter: exact, no drift
    usage = year_usage([measure], limits((10_000, 100), (10_000, 100)), {"A": (2026, 3)})
    assert usage[0].budget_used == Fraction(2000, 3)
    assert usage[1].budget_used == Fraction(1000, 3)
    assert usage[0].budget_used + usage[1].budget_used == 1000
    assert usage[0].capacity_used + usage[1].capacity_used == 10
    assert usage[0].budget_used_display == Decimal("666.67")


def test_running_costs_count_pro_rata_for_each_plan_quarter_after_the_end():
    measure = spec("A", 400, running=1200, duration=2)  # ends Q2 2026, runs from Q3
    usage = year_usage([measure], limits((10_000, 10), (10_000, 10)), {"A": (2026, 1)})
    assert usage[0].budget_used == 400 + 600  # two quarters of running costs in 2026
    assert usage[1].budget_used == 1200


# --- suggestions: examples --------------------------------------------------------------------------


def test_higher_priority_fills_the_budget_first_and_the_left_out_measure_is_explained():
    measures = [spec("A", 1_000_000, duration=4), spec("B", 285_000, duration=4)]
    schedule = suggest_schedule(measures, limits((1_200_000, 1000)))
    assert schedule.placements == {"A": (2026, 1)}
    (exclusion,) = schedule.exclusions
    assert exclusion.key == "B"
    assert exclusion.reason == Reason.BUDGET
    assert "2026: budget 1,200,000 € is not enough; 85,000 € missing" in exclusion.explanation
    assert "this measure needs 285,000 €" in exclusion.explanation
    assert schedule.feasible
    assert schedule.problems == []


def test_explanation_numbers_follow_the_german_format():
    measures = [spec("A", 1_000_000, duration=4), spec("B", 285_000, duration=4)]
    with translation.override("de"):
        schedule = suggest_schedule(measures, limits((1_200_000, 1000)))
    text = schedule.exclusions[0].explanation
    assert "2026" in text
    assert "1.200.000 €" in text
    assert "85.000 €" in text


def test_a_later_start_is_taken_when_the_early_years_are_full():
    measures = [spec("A", 900, duration=4), spec("B", 800, duration=4)]
    schedule = suggest_schedule(measures, limits((1000, 100), (1000, 100)))
    assert schedule.placements == {"A": (2026, 1), "B": (2027, 1)}
    assert "Q1 2027" in schedule.explanations["B"]
    assert "budget 2026 short by" in schedule.explanations["B"]


def test_capacity_limit_is_explained_in_person_days():
    measures = [spec("A", 0, effort=80, duration=4), spec("B", 0, effort=30, duration=4)]
    schedule = suggest_schedule(measures, limits((0, 100)))
    (exclusion,) = schedule.exclusions
    assert exclusion.reason == Reason.CAPACITY
    assert (
        "2026: staff capacity 100 person-days is not enough; 10 person-days missing" in exclusion.explanation
    )


def test_dependent_starts_after_the_required_measure_has_ended():
    measures = [spec("B", 10, duration=2, requires=["A"]), spec("A", 10, duration=3)]
    schedule = suggest_schedule(measures, limits((100, 10), (100, 10)))
    # B has the higher priority but pulls in A first
    assert schedule.placements == {"A": (2026, 1), "B": (2026, 4)}
    assert schedule.explanations["B"] == "Starts as soon as “Measure A” has ended."


def test_dependency_on_a_measure_left_out_excludes_the_dependent():
    measures = [spec("A", 5000, duration=1), spec("B", 10, requires=["A"])]
    schedule = suggest_schedule(measures, limits((1000, 10)))
    reasons = {e.key: e for e in schedule.exclusions}
    assert reasons["A"].reason == Reason.BUDGET
    assert reasons["B"].reason == Reason.DEPENDENCY
    assert reasons["B"].explanation == "Requires “Measure A”, which is not in the plan."


def test_dependency_that_ends_too_late_is_a_dependency_reason():
    measures = [spec("A", 0, duration=3), spec("B", 0, duration=2, requires=["A"])]
    schedule = suggest_schedule(measures, limits((100, 10)))
    (exclusion,) = schedule.exclusions
    assert exclusion.reason == Reason.DEPENDENCY
    assert "“Measure A” ends only in Q3 2026" in exclusion.explanation


def test_measure_longer_than_the_period_is_a_horizon_reason():
    schedule = suggest_schedule([spec("A", 0, duration=6)], limits((100, 10)))
    (exclusion,) = schedule.exclusions
    assert exclusion.reason == Reason.HORIZON
    assert exclusion.explanation == "It takes 6 quarters; the plan period 2026 has only 4 quarters."


def test_mandatory_measures_come_first_with_what_they_require():
    measures = [
        spec("TOP", 600, duration=4),
        spec("LAW", 300, duration=2, requires=["BASE"], mandatory=True),
        spec("BASE", 300, duration=2),
    ]
    schedule = suggest_schedule(measures, limits((1000, 100)))
    assert schedule.placements == {"BASE": (2026, 1), "LAW": (2026, 3)}
    assert schedule.exclusions[0].key == "TOP"
    assert schedule.feasible


def test_unevaluated_measure_is_left_out_unless_a_mandatory_one_needs_it():
    measures = [
        spec("LAW", 10, mandatory=True, requires=["NEW"]),
        spec("NEW", 10, evaluated=False),
        spec("IDEA", 10, evaluated=False),
    ]
    schedule = suggest_schedule(measures, limits((100, 10)))
    assert set(schedule.placements) == {"LAW", "NEW"}
    assert schedule.exclusions[0].key == "IDEA"
    assert schedule.exclusions[0].reason == Reason.NOT_EVALUATED


def test_budget_that_cannot_carry_the_mandatory_measures_is_said_plainly():
    measures = [
        spec("A", 800_000, duration=4, mandatory=True),
        spec("B", 485_000, duration=4, mandatory=True),
    ]
    schedule = suggest_schedule(measures, limits((1_200_000, 100)))
    assert not schedule.feasible
    assert "left out: “Measure B”" in schedule.message
    assert "The budget 2026 cannot carry the mandatory measures" in schedule.message
    assert "1,285,000 €" in schedule.message
    assert "85,000 € missing" in schedule.message
    assert "all years of the plan together have 1,200,000 €" in schedule.message
    assert [p.kind for p in schedule.problems] == [ProblemKind.MANDATORY]


def test_fixed_placements_are_honoured_even_when_they_break_a_rule():
    measures = [spec("A", 900, duration=1), spec("B", 900, duration=1)]
    schedule = suggest_schedule(measures, limits((1000, 10)), fixed={"A": (2026, 2), "B": (2026, 2)})
    assert schedule.placements == {"A": (2026, 2), "B": (2026, 2)}
    assert [p.kind for p in schedule.problems] == [ProblemKind.BUDGET]


def test_a_measure_placed_by_hand_holds_back_what_it_requires():
    measures = [spec("A", 0, duration=2), spec("B", 0, duration=1, requires=["A"])]
    schedule = suggest_schedule(measures, limits((100, 10)), fixed={"B": (2026, 3)})
    assert schedule.placements == {"A": (2026, 1), "B": (2026, 3)}
    too_early = suggest_schedule(measures, limits((100, 10)), fixed={"B": (2026, 2)})
    assert too_early.exclusions[0].reason == Reason.DEPENDENCY
    assert "“Measure B” (placed by hand)" in too_early.exclusions[0].explanation
    assert [p.kind for p in too_early.problems] == [ProblemKind.DEPENDENCY]


def test_dependency_cycle_is_refused_and_named():
    measures = [spec("A", requires=["B"]), spec("B", requires=["C"]), spec("C", requires=["A"])]
    with pytest.raises(ValueError, match="Dependency cycle: Measure A → Measure B → Measure C → Measure A"):
        suggest_schedule(measures, limits((100, 10)))


# --- check_schedule: examples ---------------------------------------------------------------------


def test_check_names_both_measures_of_a_broken_dependency():
    measures = [spec("A", duration=2), spec("B", requires=["A"])]
    (problem,) = check_schedule(measures, limits((100, 10)), {"A": (2026, 1), "B": (2026, 2)})
    assert problem.kind == ProblemKind.DEPENDENCY
    assert problem.message == "“Measure B” starts in Q2 2026, before “Measure A” has ended (Q2 2026)."
    (missing,) = check_schedule(measures, limits((100, 10)), {"B": (2026, 2)})
    assert missing.message == "“Measure B” requires “Measure A”, which is not in the plan."


def test_check_states_the_numbers_of_an_exceeded_year():
    measures = [spec("A", 1_285_000, effort=120, duration=4)]
    problems = check_schedule(measures, limits((100, 10), (1_200_000, 100)), {"A": (2027, 1)})
    assert [p.message for p in problems] == [
        "2027: budget exceeded: 1,285,000 € planned, budget 1,200,000 € (85,000 € over).",
        "2027: staff capacity exceeded: 120 person-days planned, capacity 100 (20 over).",
    ]


def test_check_finds_a_measure_outside_the_period_and_a_missing_mandatory_one():
    measures = [spec("A", duration=3), spec("LAW", mandatory=True)]
    problems = check_schedule(measures, limits((100, 10)), {"A": (2026, 3)})
    assert [p.kind for p in problems] == [ProblemKind.MANDATORY, ProblemKind.HORIZON]
    assert problems[0].message == "“Measure LAW” is a legal obligation and must be in the plan."
    assert problems[1].message == "“Measure A” runs from Q3 2026 to Q1 2027, outside the plan period 2026."


# --- properties ---------------------------------------------------------------------------------------

money = st.integers(0, 60_000_000).map(lambda cents: Decimal(cents) / 100)
budgets = st.integers(0, 200_000_000).map(lambda cents: Decimal(cents) / 100)


@st.composite
def plans(draw):
    """Random measures with a random DAG of dependencies (in random priority order) and limits."""
    count = draw(st.integers(1, 9))
    measures = []
    for i in range(count):
        earlier = st.sampled_from([f"M{j}" for j in range(i)]) if i else st.nothing()
        measures.append(
            MeasureSpec(
                key=f"M{i}",
                investment=draw(money),
                running_cost=draw(st.integers(0, 5_000_000).map(lambda c: Decimal(c) / 100)),
                effort_person_days=draw(st.integers(0, 300)),
                duration_quarters=draw(st.integers(1, 7)),
                requires=tuple(draw(st.lists(earlier, max_size=3, unique=True))) if i else (),
                mandatory=draw(st.sampled_from([False, False, True])),
                label=f"Measure {i}",
                evaluated=draw(st.sampled_from([True, True, True, False])),
            )
        )
    order = draw(st.permutations(measures))
    years = draw(st.integers(1, 4))
    year_limits = [YearLimit(2026 + y, draw(budgets), draw(st.integers(0, 900))) for y in range(years)]
    return list(order), year_limits


PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(plans())
def test_suggestion_never_breaks_a_rule(plan):
    measures, year_limits = plan
    schedule = suggest_schedule(measures, year_limits)
    problems = check_schedule(measures, year_limits, schedule.placements)
    assert problems == schedule.problems
    broken = [p for p in problems if p.kind != ProblemKind.MANDATORY]
    assert broken == [], [p.message for p in broken]
    mandatory = {m.key for m in measures if m.mandatory}
    if schedule.feasible:
        assert problems == []
        assert mandatory <= set(schedule.placements)
        assert schedule.message == ""
    else:
        assert schedule.message
        assert not mandatory <= set(schedule.placements)


@PROPERTY_SETTINGS
@given(plans())
def test_every_measure_is_placed_or_left_out_with_a_reason(plan):
    measures, year_limits = plan
    schedule = suggest_schedule(measures, year_limits)
    excluded = [e.key for e in schedule.exclusions]
    assert len(excluded) == len(set(excluded))
    assert set(excluded).isdisjoint(schedule.placements)
    assert set(excluded) | set(schedule.placements) == {m.key for m in measures}
    assert all(e.explanation and e.reason in set(Reason) for e in schedule.exclusions)
    assert set(schedule.explanations) == set(schedule.placements)
    for use in schedule.usage:
        assert not use.budget_over and not use.capacity_over


@PROPERTY_SETTINGS
@given(plans())
def test_infeasible_means_the_mandatory_measures_really_do_not_fit(plan):
    measures, year_limits = plan
    schedule = suggest_schedule(measures, year_limits)
    if schedule.feasible:
        return
    mandatory = [m.key for m in measures if m.mandatory]
    asap = earliest_placements(measures, year_limits, mandatory)
    broken = {p.kind for p in check_schedule(measures, year_limits, asap) if p.kind != ProblemKind.MANDATORY}
    cost = sum(m.investment for m in measures if m.key in asap)
    effort = sum(m.effort_person_days for m in measures if m.key in asap)
    assert (
        broken & {ProblemKind.BUDGET, ProblemKind.CAPACITY, ProblemKind.HORIZON}
        or cost > sum(y.budget for y in year_limits)
        or effort > sum(y.capacity_person_days for y in year_limits)
    ), schedule.message


@PROPERTY_SETTINGS
@given(plans(), st.data())
def test_fixing_part_of_a_suggestion_keeps_it_valid(plan, data):
    measures, year_limits = plan
    first = suggest_schedule(measures, year_limits)
    by_key = {m.key: m for m in measures}
    chosen = data.draw(
        st.lists(st.sampled_from(sorted(first.placements)), unique=True) if first.placements else st.just([])
    )
    fixed: dict = {}
    stack = list(chosen)
    while stack:  # what a fixed measure requires is fixed too
        key = stack.pop()
        if key not in fixed:
            fixed[key] = first.placements[key]
            stack.extend(by_key[key].requires)
    again = suggest_schedule(measures, year_limits, fixed=fixed)
    for key, quarter in fixed.items():
        assert again.placements[key] == quarter
    broken = [p for p in again.problems if p.kind != ProblemKind.MANDATORY]
    assert broken == [], [p.message for p in broken]
    if again.feasible:
        assert again.problems == []


@PROPERTY_SETTINGS
@given(plans())
def test_suggestion_is_deterministic(plan):
    measures, year_limits = plan
    assert suggest_schedule(measures, year_limits) == suggest_schedule(measures, year_limits)
