"""Use cases of the measures plan: create, suggest, move and remove by hand, adopt."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from rathaus.core.models import AuditEntry
from rathaus.strategy.constants import ExclusionReason, MeasureStatus, PlanStatus
from rathaus.strategy.models import MeasureDependency, Plan, PlanEntry, PlanExclusion, Score
from rathaus.strategy.services import planning as services

from .factories import make_criterion, make_measure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def new_plan(actor, *, first=2027, last=2028, budget="100000", capacity=100, name="Plan 2027–2028"):
    limits = {year: (Decimal(budget), capacity) for year in range(first, last + 1)}
    return services.plan_create(name=name, first_year=first, last_year=last, limits=limits, actor=actor)


def requires(measure, *required):
    for other in required:
        MeasureDependency.objects.create(measure=measure, requires=other)


def messages_of(excinfo) -> str:
    return " ".join(excinfo.value.messages)


def placements(plan) -> dict[str, tuple[int, int, bool]]:
    return {
        e.measure.code: (e.start_year, e.start_quarter, e.is_manual)
        for e in plan.entries.select_related("measure")
    }


# --- create and limits ----------------------------------------------------------------------------


def test_plan_create_stores_a_limit_for_every_year(strategy_officer):
    plan = new_plan(strategy_officer, first=2027, last=2029, budget="250000.50", capacity=300)
    assert plan.status == PlanStatus.DRAFT
    assert list(plan.years.values_list("year", "budget", "capacity_person_days")) == [
        (2027, Decimal("250000.50"), 300),
        (2028, Decimal("250000.50"), 300),
        (2029, Decimal("250000.50"), 300),
    ]
    assert AuditEntry.objects.filter(action=services.PlanAuditAction.CREATED, object_id=str(plan.pk)).exists()


def test_plan_create_refuses_a_second_plan_of_the_same_name_and_period(strategy_officer):
    first = new_plan(strategy_officer, name="Plan 2027–2028")
    with pytest.raises(ValidationError) as excinfo:
        new_plan(strategy_officer, name="  plan 2027–2028 ")  # case and spaces do not make it new
    assert excinfo.value.message_dict["name"] == [
        "There is already a plan called “plan 2027–2028” for 2027–2028. Open it from the list of "
        "plans or choose another name."
    ]
    assert list(Plan.objects.all()) == [first]
    assert new_plan(strategy_officer, name="Plan 2027–2028", last=2029).pk != first.pk  # another period


def test_the_same_form_sent_twice_makes_one_plan(strategy_officer, second_strategy_officer):
    limits = {2027: (Decimal(1000), 10)}
    args = {"name": "Doppelklick", "first_year": 2027, "last_year": 2027, "limits": limits}
    first = services.plan_create(**args, actor=strategy_officer, request_token="abc")
    again = services.plan_create(**args, actor=strategy_officer, request_token="abc")
    assert again.pk == first.pk
    assert Plan.objects.count() == 1
    assert AuditEntry.objects.filter(action=services.PlanAuditAction.CREATED).count() == 1
    with pytest.raises(ValidationError):  # somebody else's token
        services.plan_create(**args, actor=second_strategy_officer, request_token="abc")


def test_the_database_refuses_a_duplicate_plan(strategy_officer):
    from django.db import IntegrityError, transaction

    new_plan(strategy_officer, name="Plan A")
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(name="PLAN A", first_year=2027, last_year=2028)


def test_a_racing_duplicate_gets_the_message_not_an_error(strategy_officer, monkeypatch):
    """The check before the insert passed (a parallel request had not committed yet): the
    database's constraint decides, and the person gets the same message."""
    new_plan(strategy_officer, name="Plan B")
    real_filter = Plan.objects.filter

    class Nothing:
        def exists(self):
            return False

    monkeypatch.setattr(
        Plan.objects, "filter", lambda *a, **kw: Nothing() if "name__iexact" in kw else real_filter(*a, **kw)
    )
    with pytest.raises(ValidationError) as excinfo:
        new_plan(strategy_officer, name="Plan B")
    assert "There is already a plan called “Plan B”" in messages_of(excinfo)
    assert real_filter(name="Plan B").count() == 1


def test_plan_create_refuses_more_than_ten_years(strategy_officer):
    with pytest.raises(ValidationError) as excinfo:
        new_plan(strategy_officer, first=2027, last=2037)
    assert "A plan spans at most 10 years." in messages_of(excinfo)
    assert not Plan.objects.exists()


def test_plan_create_refuses_a_year_without_limits(strategy_officer):
    with pytest.raises(ValidationError) as excinfo:
        services.plan_create(
            name="Lücke",
            first_year=2027,
            last_year=2028,
            limits={2027: (Decimal(1000), 10)},
            actor=strategy_officer,
        )
    assert "missing: 2028" in messages_of(excinfo)


@pytest.mark.parametrize(
    ("first", "last", "budget", "capacity", "expected"),
    [
        (2028, 2027, "1000", 10, "The last year cannot be before the first year."),
        (2027, 2027, "-1", 10, "must be an amount in euros and cents, not negative"),
        (2027, 2027, "1.005", 10, "must be an amount in euros and cents"),
        (2027, 2027, "1000", -5, "whole number of person-days, not negative"),
        (1999, 2000, "1000", 10, "between 2000 and 2100"),
    ],
)
def test_plan_create_refuses_bad_input(strategy_officer, first, last, budget, capacity, expected):
    with pytest.raises(ValidationError) as excinfo:
        new_plan(strategy_officer, first=first, last=last, budget=budget, capacity=capacity)
    assert expected in messages_of(excinfo)


def test_only_the_strategy_office_writes_plans(leadership, strategy_officer):
    with pytest.raises(PermissionDenied):
        new_plan(leadership)
    plan = new_plan(strategy_officer)
    with pytest.raises(PermissionDenied):
        services.plan_suggest(plan=plan, actor=leadership, order=[])


def test_lower_limits_are_checked_again(strategy_officer):
    big = make_measure(investment=80000, effort=10, duration=4)
    plan = new_plan(strategy_officer)
    services.plan_suggest(plan=plan, actor=strategy_officer, order=[big])
    assert plan.entries.count() == 1
    services.plan_limits_update(
        plan=plan, limits={2027: (Decimal(50000), 100), 2028: (Decimal(100000), 100)}, actor=strategy_officer
    )
    plan.refresh_from_db()
    assert [p["kind"] for p in plan.problems] == ["budget"]
    assert (
        "2027: budget exceeded: 80,000 € planned, budget 50,000 € (30,000 € over)."
        in plan.problems[0]["message"]
    )


# --- the suggestion ------------------------------------------------------------------------------------


def test_suggestion_places_by_priority_and_explains_what_is_left_out(strategy_officer):
    first = make_measure(investment=70000, effort=10, duration=4)
    second = make_measure(investment=50000, effort=10, duration=4)
    third = make_measure(investment=20000, effort=10, duration=4)
    plan = new_plan(strategy_officer, first=2027, last=2027)
    schedule = services.plan_suggest(plan=plan, actor=strategy_officer, order=[first, second, third])
    plan.refresh_from_db()
    assert schedule.feasible
    assert placements(plan) == {first.code: (2027, 1, False), third.code: (2027, 1, False)}
    exclusion = PlanExclusion.objects.get(plan=plan)
    assert exclusion.measure == second
    assert exclusion.reason == ExclusionReason.BUDGET
    assert "2027: budget 100,000 € is not enough; 20,000 € missing" in exclusion.explanation
    assert plan.problems == []
    assert plan.checked_at is not None


def test_default_order_comes_from_the_ranking_and_unscored_measures_wait(strategy_officer):
    criterion = make_criterion("nutzen", 100)
    good = make_measure(investment=60000, duration=4)
    weak = make_measure(investment=60000, duration=4)
    unscored = make_measure(investment=1000, duration=1)
    law = make_measure(investment=1000, duration=1, mandatory=True)
    Score.objects.create(measure=good, criterion=criterion, evaluator=strategy_officer, value=5)
    Score.objects.create(measure=weak, criterion=criterion, evaluator=strategy_officer, value=1)
    plan = new_plan(strategy_officer, first=2027, last=2027)
    services.plan_suggest(plan=plan, actor=strategy_officer)
    assert set(placements(plan)) == {good.code, law.code}
    reasons = dict(PlanExclusion.objects.filter(plan=plan).values_list("measure__code", "reason"))
    assert reasons == {weak.code: ExclusionReason.BUDGET, unscored.code: ExclusionReason.NOT_EVALUATED}


def test_a_budget_that_cannot_carry_the_mandatory_measures_is_stated(strategy_officer):
    law = make_measure(investment=150000, duration=2, mandatory=True, title="Pflicht")
    plan = new_plan(strategy_officer, first=2027, last=2027)
    schedule = services.plan_suggest(plan=plan, actor=strategy_officer, order=[law])
    plan.refresh_from_db()
    assert not schedule.feasible
    assert plan.problems[0]["kind"] == "infeasible"
    assert "The budget 2027 cannot carry the mandatory measures" in plan.problems[0]["message"]
    assert "50,000 € missing" in plan.problems[0]["message"]
    assert any(p["kind"] == "mandatory" for p in plan.problems)
    with pytest.raises(ValidationError) as excinfo:
        services.plan_adopt(plan=plan, actor=strategy_officer)
    assert "cannot be adopted while it has problems" in messages_of(excinfo)


def test_suggesting_twice_gives_the_same_plan_and_keeps_hand_placements(strategy_officer):
    a = make_measure(investment=10000, duration=2)
    b = make_measure(investment=10000, duration=2)
    plan = new_plan(strategy_officer)
    services.plan_suggest(plan=plan, actor=strategy_officer, order=[a, b])
    services.plan_entry_move(plan=plan, measure=b, year=2028, quarter=2, actor=strategy_officer)
    services.plan_suggest(plan=plan, actor=strategy_officer, order=[a, b])
    first = placements(plan)
    services.plan_suggest(plan=plan, actor=strategy_officer, order=[a, b])
    assert placements(plan) == first == {a.code: (2027, 1, False), b.code: (2028, 2, True)}
    assert PlanEntry.objects.filter(plan=plan).count() == 2


def test_measure_in_progress_stays_at_its_planned_start(strategy_officer):
    running = make_measure(
        investment=10000, duration=2, status=MeasureStatus.IN_PROGRESS, planned_start=dt.date(2027, 8, 15)
    )
    plan = new_plan(strategy_officer)
    services.plan_suggest(plan=plan, actor=strategy_officer, order=[running])
    entry = plan.entries.get()
    assert (entry.start_year, entry.start_quarter, entry.is_manual) == (2027, 3, False)
    assert entry.explanation == "In progress: stays at its planned start."


def test_dependencies_on_finished_and_dropped_measures(strategy_officer):
    done = make_measure(status=MeasureStatus.COMPLETED)
    dropped = make_measure(status=MeasureStatus.DROPPED)
    after_done = make_measure(duration=1)
    after_dropped = make_measure(duration=1)
    requires(after_done, done)
    requires(after_dropped, dropped)
    plan = new_plan(strategy_officer)
    services.plan_suggest(plan=plan, actor=strategy_officer, order=[after_done, after_dropped])
    assert placements(plan) == {after_done.code: (2027, 1, False)}
    exclusion = PlanExclusion.objects.get(plan=plan)
    assert exclusion.reason == ExclusionReason.DEPENDENCY
    assert dropped.code in exclusion.explanation


def test_a_dependency_cycle_is_refused_with_its_name(strategy_officer):
    a = make_measure(title="Alpha")
    b = make_measure(title="Beta")
    requires(a, b)
    requires(b, a)  # written past the service, which would refuse it
    plan = new_plan(strategy_officer)
    with pytest.raises(ValidationError) as excinfo:
        services.plan_suggest(plan=plan, actor=strategy_officer, order=[a, b])
    assert "Dependency cycle" in messages_of(excinfo)
    assert "Alpha" in messages_of(excinfo) and "Beta" in messages_of(excinfo)


# --- moves and removals by hand ---------------------------------------------------------------------


@pytest.fixture
def chain(strategy_officer):
    """``base`` (2 quarters) is required by ``top`` (1 quarter); both placed from Q1 2027."""
    base = make_measure(investment=20000, effort=10, duration=2, title="Basis")
    top = make_measure(investment=20000, effort=10, duration=1, title="Aufbau")
    requires(top, base)
    plan = new_plan(strategy_officer)
    services.plan_suggest(plan=plan, actor=strategy_officer, order=[top, base])
    assert placements(plan) == {base.code: (2027, 1, False), top.code: (2027, 3, False)}
    return plan, base, top


def test_move_marks_the_entry_as_placed_by_hand(strategy_officer, chain):
    plan, _base, top = chain
    entry = services.plan_entry_move(plan=plan, measure=top, year=2028, quarter=1, actor=strategy_officer)
    assert (entry.start_year, entry.start_quarter, entry.is_manual) == (2028, 1, True)
    plan.refresh_from_db()
    assert plan.problems == []
    assert AuditEntry.objects.filter(action=services.PlanAuditAction.ENTRY_MOVED).count() == 1


def test_move_that_breaks_a_dependency_is_refused_and_nothing_changes(strategy_officer, chain):
    plan, base, top = chain
    with pytest.raises(ValidationError) as excinfo:
        services.plan_entry_move(plan=plan, measure=top, year=2027, quarter=2, actor=strategy_officer)
    text = messages_of(excinfo)
    assert "was not moved to Q2 2027; it stays where it was" in text
    assert f"{top.code} Aufbau" in text and f"{base.code} Basis" in text
    assert placements(plan)[top.code] == (2027, 3, False)


def test_move_over_the_budget_is_refused_with_the_numbers(strategy_officer):
    a = make_measure(investment=80000, duration=4)
    b = make_measure(investment=80000, duration=4)
    plan = new_plan(strategy_officer)
    services.plan_suggest(plan=plan, actor=strategy_officer, order=[a, b])
    # 20,000 € of it fit into the rest of 2027
    assert placements(plan)[b.code] == (2027, 4, False)
    with pytest.raises(ValidationError) as excinfo:
        services.plan_entry_move(plan=plan, measure=b, year=2027, quarter=1, actor=strategy_officer)
    assert "2027: budget exceeded: 160,000 € planned, budget 100,000 € (60,000 € over)." in messages_of(
        excinfo
    )


def test_move_outside_the_period_is_refused(strategy_officer, chain):
    plan, base, _top = chain
    with pytest.raises(ValidationError) as excinfo:
        services.plan_entry_move(plan=plan, measure=base, year=2028, quarter=4, actor=strategy_officer)
    assert "outside the plan period 2027–2028" in messages_of(excinfo)
    with pytest.raises(ValidationError):
        services.plan_entry_move(plan=plan, measure=base, year=2031, quarter=1, actor=strategy_officer)


def test_placing_a_left_out_measure_by_hand_removes_its_exclusion(strategy_officer):
    a = make_measure(investment=90000, duration=4)
    b = make_measure(investment=90000, duration=4)
    plan = new_plan(strategy_officer, first=2027, last=2028)
    services.plan_limits_update(
        plan=plan, limits={2027: (Decimal(100000), 100), 2028: (Decimal(10), 100)}, actor=strategy_officer
    )
    services.plan_suggest(plan=plan, actor=strategy_officer, order=[a, b])
    assert PlanExclusion.objects.filter(plan=plan, measure=b).exists()
    services.plan_limits_update(
        plan=plan, limits={2027: (Decimal(100000), 100), 2028: (Decimal(100000), 100)}, actor=strategy_officer
    )
    services.plan_entry_move(plan=plan, measure=b, year=2028, quarter=1, actor=strategy_officer)
    assert not PlanExclusion.objects.filter(plan=plan, measure=b).exists()
    assert placements(plan)[b.code] == (2028, 1, True)


def test_mandatory_measure_cannot_be_removed(strategy_officer):
    law = make_measure(mandatory=True, title="Pflicht")
    plan = new_plan(strategy_officer)
    services.plan_suggest(plan=plan, actor=strategy_officer, order=[law])
    with pytest.raises(ValidationError) as excinfo:
        services.plan_entry_remove(plan=plan, measure=law, actor=strategy_officer)
    assert "is a legal obligation and cannot be removed" in messages_of(excinfo)
    assert plan.entries.count() == 1


def test_removing_a_required_measure_is_refused_but_the_dependent_can_go(strategy_officer, chain):
    plan, base, top = chain
    with pytest.raises(ValidationError) as excinfo:
        services.plan_entry_remove(plan=plan, measure=base, actor=strategy_officer)
    assert "requires" in messages_of(excinfo)
    services.plan_entry_remove(plan=plan, measure=top, actor=strategy_officer)
    services.plan_entry_remove(plan=plan, measure=base, actor=strategy_officer)
    assert not plan.entries.exists()


def test_a_measure_removed_by_hand_stays_out_of_later_suggestions_until_placed_again(strategy_officer, chain):
    plan, base, top = chain
    services.plan_entry_remove(plan=plan, measure=top, actor=strategy_officer)
    removed = PlanExclusion.objects.get(plan=plan, measure=top)
    assert removed.reason == ExclusionReason.MANUAL and "by hand" in removed.explanation

    services.plan_suggest(plan=plan, actor=strategy_officer, order=[top, base])
    assert top.code not in placements(plan)
    assert PlanExclusion.objects.get(plan=plan, measure=top).reason == ExclusionReason.MANUAL

    # Both removed by hand: neither comes back.
    services.plan_entry_remove(plan=plan, measure=base, actor=strategy_officer)
    services.plan_suggest(plan=plan, actor=strategy_officer, order=[top, base])
    assert not placements(plan)
    assert PlanExclusion.objects.get(plan=plan, measure=base).reason == ExclusionReason.MANUAL

    # Placing it by hand brings it back; the next suggestion keeps it.
    services.plan_entry_move(plan=plan, measure=base, year=plan.first_year, quarter=1, actor=strategy_officer)
    services.plan_suggest(plan=plan, actor=strategy_officer, order=[top, base])
    assert base.code in placements(plan)
    assert not PlanExclusion.objects.filter(plan=plan, measure=base).exists()
    assert PlanExclusion.objects.get(plan=plan, measure=top).reason == ExclusionReason.MANUAL


# --- adoption --------------------------------------------------------------------------------------


def test_adopting_sets_the_measures_dates_and_archives_the_previous_plan(strategy_officer, chain):
    plan, base, top = chain
    older = new_plan(strategy_officer, name="Alt")
    Plan.objects.filter(pk=older.pk).update(status=PlanStatus.ADOPTED)
    services.plan_adopt(plan=plan, actor=strategy_officer)
    plan.refresh_from_db()
    older.refresh_from_db()
    base.refresh_from_db()
    top.refresh_from_db()
    assert plan.status == PlanStatus.ADOPTED
    assert older.status == PlanStatus.ARCHIVED
    assert (base.planned_start, base.planned_end, base.status) == (
        dt.date(2027, 1, 1),
        dt.date(2027, 6, 30),
        MeasureStatus.PLANNED,
    )
    assert (top.planned_start, top.planned_end) == (dt.date(2027, 7, 1), dt.date(2027, 9, 30))


def test_an_empty_plan_is_not_adopted(strategy_officer):
    plan = new_plan(strategy_officer)
    with pytest.raises(ValidationError) as excinfo:
        services.plan_adopt(plan=plan, actor=strategy_officer)
    assert "holds no measure yet" in messages_of(excinfo)


def test_changing_an_adopted_plan_makes_it_a_draft_and_archived_plans_are_fixed(strategy_officer, chain):
    plan, _base, top = chain
    services.plan_adopt(plan=plan, actor=strategy_officer)
    services.plan_entry_move(plan=plan, measure=top, year=2028, quarter=1, actor=strategy_officer)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.ARCHIVED)
    with pytest.raises(ValidationError) as excinfo:
        services.plan_suggest(plan=plan, actor=strategy_officer, order=[])
    assert "archived" in messages_of(excinfo)
