"""Reads of the utility analysis: the ranking of open measures, its sensitivity, who has scored.

The arithmetic lives in ``rathaus.strategy.ranking``; this module feeds it from the database.
Measures are keyed by their code there (unique, and a readable tie order).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Q

from rathaus.accounts.constants import StaffRoleKind

from ..constants import OPEN_MEASURE_STATUSES
from ..models import Criterion, Measure, Score
from ..ranking import (
    CriterionSpec,
    MeasureSensitivity,
    RankedMeasure,
    ScoreEntry,
    sensitivity,
    utility_ranking,
)

__all__ = [
    "SPREAD_HIGHLIGHT",
    "EvaluatorProgress",
    "active_criteria",
    "criterion_specs",
    "evaluator_progress",
    "measure_scores",
    "own_scores",
    "ranked_measures",
    "score_sheet_overview",
    "sensitivity_table",
    "weight_total",
]

# Evaluators whose utilities for one measure differ by this many points (of 100) or more
# disagree enough that the committee should talk about the measure.
SPREAD_HIGHLIGHT = Decimal(20)
# The roles that evaluate (rules: strategy.evaluate).
EVALUATOR_ROLES = (StaffRoleKind.STRATEGY_OFFICE, StaffRoleKind.LEADERSHIP, StaffRoleKind.DEPARTMENT_HEAD)


def active_criteria() -> list[Criterion]:
    return list(Criterion.objects.filter(is_active=True).order_by("order", "key"))


def criterion_specs(criteria: list[Criterion] | None = None) -> list[CriterionSpec]:
    criteria = active_criteria() if criteria is None else criteria
    return [CriterionSpec(c.key, c.weight, c.scale_min, c.scale_max, c.direction) for c in criteria]


def weight_total(criteria: list[Criterion] | None = None) -> Decimal:
    """The sum of the active weights (100 when the weighting is valid)."""
    criteria = active_criteria() if criteria is None else criteria
    return sum((c.weight for c in criteria), Decimal(0))


def _open_measures():
    return (
        Measure.objects.filter(status__in=OPEN_MEASURE_STATUSES)
        .select_related("department", "field_of_action")
        .order_by("code")
    )


def _score_entries(criteria: list[Criterion]) -> list[ScoreEntry]:
    rows = Score.objects.filter(
        measure__status__in=OPEN_MEASURE_STATUSES, criterion__in=[c.pk for c in criteria]
    ).values_list("measure__code", "criterion__key", "evaluator_id", "value")
    return [ScoreEntry(code, key, evaluator, value) for code, key, evaluator, value in rows]


def _can_rank(specs: list[CriterionSpec], weights: Mapping[str, Decimal] | None) -> bool:
    weights = weights or {}
    return bool(specs) and sum((weights.get(s.key, s.weight) for s in specs), Decimal(0)) > 0


def ranked_measures(
    weights: dict[str, Decimal] | None = None,
) -> list[tuple[Measure, RankedMeasure | None]]:
    """Every open measure with its place in the utility ranking, best first.

    ``weights`` (criterion key → weight) answers what-if questions; they are normalised. Measures
    nobody has scored come last, by code, with None; so do all measures while there is no
    criterion or every weight is 0. ``measure.is_mandatory`` marks legal obligations
    ("Pflicht"): the plan takes them whatever their rank.
    """
    measures = list(_open_measures())
    criteria = active_criteria()
    specs = criterion_specs(criteria)
    if not _can_rank(specs, weights):
        return [(measure, None) for measure in measures]
    by_code = {measure.code: measure for measure in measures}
    ranking = utility_ranking(specs, _score_entries(criteria), weights=weights)
    result: list[tuple[Measure, RankedMeasure | None]] = [(by_code[r.measure_key], r) for r in ranking]
    ranked = {r.measure_key for r in ranking}
    result.extend((measure, None) for measure in measures if measure.code not in ranked)
    return result


def sensitivity_table(step: Decimal = Decimal("0.2")) -> list[tuple[Measure, MeasureSensitivity]]:
    """Per scored open measure, in ranking order: does its rank hold when one weight moves ±20 %?"""
    criteria = active_criteria()
    specs = criterion_specs(criteria)
    if not _can_rank(specs, None):
        return []
    by_code = {measure.code: measure for measure in _open_measures()}
    result = sensitivity(specs, _score_entries(criteria), step=step)
    return [(by_code[item.measure_key], item) for item in result]


@dataclass(frozen=True)
class EvaluatorProgress:
    evaluator: object  # the user
    scored: int  # open measures with at least one of the evaluator's scores
    complete: int  # open measures the evaluator scored on every active criterion
    total: int  # open measures


def evaluator_progress() -> list[EvaluatorProgress]:
    """Who has scored how many open measures: everyone in an evaluating role, and anyone else
    who has scored. Counts only, never the scores themselves."""
    criteria_ids = set(Criterion.objects.filter(is_active=True).values_list("pk", flat=True))
    total = Measure.objects.filter(status__in=OPEN_MEASURE_STATUSES).count()
    per_measure: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    rows = Score.objects.filter(
        measure__status__in=OPEN_MEASURE_STATUSES, criterion_id__in=criteria_ids
    ).values_list("evaluator_id", "measure_id", "criterion_id")
    for evaluator_id, measure_id, criterion_id in rows:
        per_measure[evaluator_id][measure_id].add(criterion_id)
    users = (
        get_user_model()
        .objects.filter(
            Q(staff_roles__kind__in=EVALUATOR_ROLES) | Q(pk__in=list(per_measure)), is_active=True
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )
    return [
        EvaluatorProgress(
            evaluator=user,
            scored=len(per_measure.get(user.pk, {})),
            complete=sum(1 for ids in per_measure.get(user.pk, {}).values() if ids >= criteria_ids),
            total=total,
        )
        for user in users
    ]


def own_scores(*, measure: Measure, evaluator) -> dict[int, Score]:
    """The evaluator's own scores of the measure, by criterion id (never anybody else's)."""
    return {s.criterion_id: s for s in Score.objects.filter(measure=measure, evaluator=evaluator)}


def score_sheet_overview(*, evaluator) -> list[tuple[Measure, int, int]]:
    """The open measures with how many of the active criteria ``evaluator`` has scored."""
    criteria_ids = list(Criterion.objects.filter(is_active=True).values_list("pk", flat=True))
    counts: dict[int, int] = defaultdict(int)
    for measure_id in Score.objects.filter(evaluator=evaluator, criterion_id__in=criteria_ids).values_list(
        "measure_id", flat=True
    ):
        counts[measure_id] += 1
    return [(measure, counts.get(measure.pk, 0), len(criteria_ids)) for measure in _open_measures()]


def measure_scores(measure: Measure) -> list[tuple[object, dict[int, Score]]]:
    """All evaluators' scores of one measure (for the strategy office only), per evaluator."""
    by_evaluator: dict[int, dict[int, Score]] = defaultdict(dict)
    users = {}
    for score in Score.objects.filter(measure=measure).select_related("evaluator").order_by("evaluator_id"):
        by_evaluator[score.evaluator_id][score.criterion_id] = score
        users[score.evaluator_id] = score.evaluator
    return [(users[pk], by_evaluator[pk]) for pk in sorted(users, key=lambda pk: (users[pk].last_name, pk))]
