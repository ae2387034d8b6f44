"""Criteria, weights and scores: the services refuse bad input and save all or nothing; the
selectors rank from the database exactly as the hand-computed example says."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from rathaus.core.models import AuditEntry
from rathaus.strategy.constants import MeasureStatus
from rathaus.strategy.models import Criterion, Score
from rathaus.strategy.selectors import evaluation as selectors
from rathaus.strategy.services import evaluation as services

from .factories import make_criterion, make_measure

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def criteria(db):
    """The hand-computed example of test_ranking: Nutzen 50 % (0..4), Kosten 30 % (1..5, lower is
    better), Machbarkeit 20 % (0..10)."""
    return {
        "nutzen": make_criterion("nutzen", 50, scale=(0, 4), order=1),
        "kosten": make_criterion("kosten", 30, scale=(1, 5), direction="lower", order=2),
        "machbarkeit": make_criterion("machbarkeit", 20, scale=(0, 10), order=3),
    }


def score(measure, evaluator, criteria, **values):
    return services.score_set(
        measure=measure, evaluator=evaluator, values={criteria[k].pk: v for k, v in values.items()}
    )


def message_text(exc_info) -> str:
    return " ".join(exc_info.value.messages)


# --- weights --------------------------------------------------------------------------------------


def test_weights_adding_up_to_100_are_saved_and_audited(criteria, strategy_officer):
    services.criteria_weights_set(
        weights={
            criteria["nutzen"].pk: D("40"),
            criteria["kosten"].pk: D("40.50"),
            criteria["machbarkeit"].pk: D("19.5"),
        },
        acting_user=strategy_officer,
    )
    weights = dict(Criterion.objects.values_list("key", "weight"))
    assert weights == {"nutzen": D("40.00"), "kosten": D("40.50"), "machbarkeit": D("19.50")}
    entry = AuditEntry.objects.get(action=services.AuditActions.WEIGHTS_SET)
    assert entry.actor_id == strategy_officer.pk
    assert entry.details["changed"] == {"nutzen": "40.00", "kosten": "40.50", "machbarkeit": "19.50"}


def test_weights_not_adding_up_to_100_are_refused_with_the_sum_named(criteria, strategy_officer):
    with pytest.raises(ValidationError) as exc_info:
        services.criteria_weights_set(
            weights={criteria["nutzen"].pk: D("49.5")}, acting_user=strategy_officer
        )
    text = message_text(exc_info)
    assert "99.50" in text
    assert "exactly 100" in text
    assert "not normalised" in text
    assert Criterion.objects.get(key="nutzen").weight == D(50)
    assert not AuditEntry.objects.filter(action=services.AuditActions.WEIGHTS_SET).exists()


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        (D("-10"), "between 0 and 100"),
        (D("150"), "between 0 and 100"),
        (D("50.005"), "two decimal places"),
        ("viel", "not a number"),
        (D("NaN"), "not a number"),
    ],
)
def test_weight_outside_the_range_is_refused(criteria, strategy_officer, weight, message):
    with pytest.raises(ValidationError) as exc_info:
        services.criteria_weights_set(weights={criteria["nutzen"].pk: weight}, acting_user=strategy_officer)
    assert message in message_text(exc_info)
    assert Criterion.objects.get(key="nutzen").weight == D(50)


def test_weight_of_an_inactive_or_unknown_criterion_is_refused(criteria, strategy_officer):
    retired = make_criterion("alt", 0, is_active=False)
    for pk in (retired.pk, 999_999):
        with pytest.raises(ValidationError, match="no longer active"):
            services.criteria_weights_set(weights={pk: D(0)}, acting_user=strategy_officer)


def test_only_the_strategy_office_sets_weights(criteria, department_head):
    with pytest.raises(PermissionDenied):
        services.criteria_weights_set(weights={criteria["nutzen"].pk: D(50)}, acting_user=department_head)


# --- criteria -------------------------------------------------------------------------------------


def test_new_criterion_starts_with_weight_zero_so_the_sum_holds(criteria, strategy_officer):
    criterion = services.criterion_create(
        key="rechtspflicht",
        name="Rechtliche Verpflichtung",
        scale_min=0,
        scale_max=3,
        acting_user=strategy_officer,
    )
    assert criterion.weight == 0 and criterion.is_active
    assert criterion.order > criteria["machbarkeit"].order
    assert selectors.weight_total() == 100
    assert AuditEntry.objects.filter(action=services.AuditActions.CRITERION_CREATED).count() == 1


def test_criterion_key_must_be_unique_and_the_scale_must_rise(criteria, strategy_officer):
    with pytest.raises(ValidationError) as exc_info:
        services.criterion_create(key="nutzen", name="Noch einmal", acting_user=strategy_officer)
    assert "already exists" in message_text(exc_info)
    with pytest.raises(ValidationError) as exc_info:
        services.criterion_create(
            key="neu", name="Neu", scale_min=5, scale_max=5, acting_user=strategy_officer
        )
    assert "greater than the lowest" in message_text(exc_info)
    with pytest.raises(ValidationError):
        services.criterion_update(criterion=criteria["kosten"], key="nutzen", acting_user=strategy_officer)
    assert Criterion.objects.count() == 3


def test_scale_and_direction_are_fixed_once_scored(criteria, strategy_officer):
    services.criterion_update(
        criterion=criteria["nutzen"], scale_max=10, name="Nutzen für Bürger", acting_user=strategy_officer
    )
    measure = make_measure()
    score(measure, strategy_officer, criteria, nutzen=7)
    for change in ({"scale_max": 5}, {"direction": "lower"}, {"scale_min": 1}):
        with pytest.raises(ValidationError) as exc_info:
            services.criterion_update(criterion=criteria["nutzen"], acting_user=strategy_officer, **change)
        assert "scores so far: 1" in message_text(exc_info)
    services.criterion_update(criterion=criteria["nutzen"], name="Nutzen", acting_user=strategy_officer)
    criterion = Criterion.objects.get(key="nutzen")
    assert (criterion.name, criterion.scale_max, criterion.direction) == ("Nutzen", 10, "higher")


def test_a_weighted_criterion_cannot_be_deactivated(criteria, strategy_officer):
    with pytest.raises(ValidationError) as exc_info:
        services.criterion_deactivate(criterion=criteria["kosten"], acting_user=strategy_officer)
    assert "weight of 30.00 %" in message_text(exc_info)
    services.criteria_weights_set(
        weights={criteria["nutzen"].pk: D(80), criteria["kosten"].pk: D(0)}, acting_user=strategy_officer
    )
    services.criterion_deactivate(criterion=criteria["kosten"], acting_user=strategy_officer)
    assert [c.key for c in selectors.active_criteria()] == ["nutzen", "machbarkeit"]
    assert selectors.weight_total() == 100
    services.criterion_reactivate(criterion=criteria["kosten"], acting_user=strategy_officer)
    assert Criterion.objects.get(key="kosten").is_active


# --- scores ---------------------------------------------------------------------------------------


def test_score_outside_the_scale_is_refused_with_the_range_named(criteria, strategy_officer):
    measure = make_measure()
    with pytest.raises(ValidationError) as exc_info:
        score(measure, strategy_officer, criteria, nutzen=3, kosten=0)
    assert "between 1 and 5" in message_text(exc_info)
    assert "Kosten" in message_text(exc_info)
    assert not Score.objects.exists(), "all or nothing: the valid score was not saved either"


def test_score_for_an_inactive_or_unknown_criterion_is_refused(criteria, strategy_officer):
    measure = make_measure()
    retired = make_criterion("alt", 0, name="Altes Kriterium", is_active=False)
    with pytest.raises(ValidationError) as exc_info:
        services.score_set(
            measure=measure, evaluator=strategy_officer, values={criteria["nutzen"].pk: 2, retired.pk: 1}
        )
    assert "Altes Kriterium" in message_text(exc_info)
    with pytest.raises(ValidationError, match="unknown criterion"):
        services.score_set(measure=measure, evaluator=strategy_officer, values={999_999: 1})
    with pytest.raises(ValidationError, match="whole number"):
        services.score_set(measure=measure, evaluator=strategy_officer, values={criteria["nutzen"].pk: True})
    assert not Score.objects.exists()


@pytest.mark.parametrize("status", [MeasureStatus.COMPLETED, MeasureStatus.DROPPED, MeasureStatus.ON_HOLD])
def test_only_open_measures_can_be_scored(criteria, strategy_officer, status):
    measure = make_measure(status=status)
    with pytest.raises(ValidationError, match="can no longer be scored"):
        score(measure, strategy_officer, criteria, nutzen=3)
    assert not Score.objects.exists()


def test_scoring_again_replaces_only_the_evaluators_own_scores(criteria, strategy_officer, leadership):
    measure = make_measure()
    score(measure, strategy_officer, criteria, nutzen=1, kosten=5, machbarkeit=0)
    score(measure, leadership, criteria, nutzen=4, kosten=1, machbarkeit=10)
    services.score_set(
        measure=measure,
        evaluator=strategy_officer,
        values={criteria["nutzen"].pk: 2},
        comments={criteria["nutzen"].pk: "  etwas Nutzen  "},
    )
    own = selectors.own_scores(measure=measure, evaluator=strategy_officer)
    assert {criterion_id: s.value for criterion_id, s in own.items()} == {
        criteria["nutzen"].pk: 2,
        criteria["kosten"].pk: 5,
        criteria["machbarkeit"].pk: 0,
    }
    assert own[criteria["nutzen"].pk].comment == "etwas Nutzen"
    theirs = selectors.own_scores(measure=measure, evaluator=leadership)
    assert sorted(s.value for s in theirs.values()) == [1, 4, 10]
    entries = AuditEntry.objects.filter(action=services.AuditActions.SCORES_SET)
    assert entries.count() == 3
    assert entries.last().details["measure"] == measure.code


def test_a_comment_may_not_exceed_500_characters(criteria, strategy_officer):
    measure = make_measure()
    with pytest.raises(ValidationError, match="at most 500"):
        services.score_set(
            measure=measure,
            evaluator=strategy_officer,
            values={criteria["nutzen"].pk: 2},
            comments={criteria["nutzen"].pk: "x" * 501},
        )


def test_only_evaluators_can_score(criteria, caseworker):
    with pytest.raises(PermissionDenied):
        score(make_measure(), caseworker, criteria, nutzen=3)


# --- selectors ------------------------------------------------------------------------------------


@pytest.fixture
def example(criteria, strategy_officer, leadership):
    """The hand-computed example of test_ranking in the database (e1 = strategy office, e2 =
    leadership), plus a mandatory measure nobody scored and a completed one."""
    measures = {key: make_measure(title=f"Maßnahme {key}") for key in "ABC"}
    sheets = {
        "A": {"nutzen": (4, 3), "kosten": (2, 2), "machbarkeit": (8, 6)},
        "B": {"nutzen": (2, 2), "kosten": (1, 1), "machbarkeit": (10, 10)},
        "C": {"nutzen": (4, 4), "kosten": (3, 3), "machbarkeit": (7, 3)},
    }
    for key, sheet in sheets.items():
        for i, evaluator in enumerate((strategy_officer, leadership)):
            score(measures[key], evaluator, criteria, **{k: v[i] for k, v in sheet.items()})
    measures["P"] = make_measure(title="Pflichtaufgabe", mandatory=True)
    done = make_measure(title="Erledigt")
    score(done, strategy_officer, criteria, nutzen=4, kosten=1, machbarkeit=10)
    done.status = MeasureStatus.COMPLETED
    done.save()
    measures["done"] = done
    return measures


def test_ranked_measures_equal_the_hand_computed_example(example, strategy_officer, leadership):
    result = selectors.ranked_measures()
    assert [(m.title, r.rank if r else None, r.utility if r else None) for m, r in result[:1]] == [
        ("Maßnahme A", 1, D("80.25"))
    ]
    tied = {m.title: (r.rank, r.utility) for m, r in result[1:3]}
    assert tied == {"Maßnahme B": (2, D("75.00")), "Maßnahme C": (2, D("75.00"))}
    last_measure, last = result[-1]
    assert last_measure == example["P"] and last is None and last_measure.is_mandatory
    assert example["done"] not in [m for m, _r in result], "completed measures are not ranked"
    a = result[0][1]
    assert a.evaluator_utilities == {strategy_officer.pk: D("88.50"), leadership.pk: D("72.00")}
    assert a.spread == D("16.50")


def test_ranked_measures_answer_what_if_weights(example):
    result = selectors.ranked_measures({"nutzen": D(2), "kosten": D(3), "machbarkeit": D(5)})
    assert [(m.title, r.rank, r.utility) for m, r in result[:3]] == [
        ("Maßnahme B", 1, D("90.00")),
        ("Maßnahme A", 2, D("75.00")),
        ("Maßnahme C", 3, D("60.00")),
    ]


def test_without_weights_nothing_is_ranked(db):
    make_measure()
    make_criterion("leer", 0)
    assert [r for _m, r in selectors.ranked_measures()] == [None]
    assert selectors.sensitivity_table() == []


def test_sensitivity_table_from_the_database(example):
    rows = {m.title: s for m, s in selectors.sensitivity_table()}
    assert next(iter(rows)) == "Maßnahme A"
    assert rows["Maßnahme A"].stable
    assert not rows["Maßnahme B"].stable and rows["Maßnahme B"].max_rank == 3
    assert "Pflichtaufgabe" not in rows


def test_evaluator_progress_counts_without_revealing_scores(
    example, strategy_officer, leadership, department_head
):
    progress = {p.evaluator.pk: p for p in selectors.evaluator_progress()}
    assert (progress[strategy_officer.pk].scored, progress[strategy_officer.pk].complete) == (3, 3)
    assert (progress[leadership.pk].scored, progress[leadership.pk].total) == (3, 4)
    assert progress[department_head.pk].scored == 0
