"""Utility analysis (Nutzwertanalyse): the ranking of measures from weighted criteria.

Pure functions over plain values (no database), so the arithmetic can be checked by hand and by
property-based tests. All arithmetic is ``Decimal`` (never ``float``).

The method, per measure:

1. per criterion, the **mean** over the evaluators who scored it;
2. that mean **normalised** to 0..1 on the criterion's scale: ``(mean − min) / (max − min)``,
   or ``(max − mean) / (max − min)`` where a lower score is better (costs, effort);
3. the **utility** ``Σ weight_share × normalised × 100`` with ``weight_share = weight / Σ weights``,
   a number from 0 to 100 with two decimal places. Because the weights are divided by their sum,
   a what-if weighting need not add up to 100: it is normalised. (Saved weightings must add up
   to exactly 100 — the service refuses anything else; see ``services.evaluation``.)

A criterion nobody has scored counts as the scale's worst value (normalised 0) and the measure is
flagged ``complete = False``: an unscored criterion never helps a measure up the ranking.

Exactness: each normalised mean is a fraction of integers. The utility is summed over a common
denominator, which is exact in ``Decimal``, and divided once at the end; it is then rounded half
up to two places. Multiplying every weight by the same constant therefore gives the very same
utilities, and equal utilities (after rounding, i.e. as shown) share a rank ("1, 2, 2, 4").
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, localcontext

__all__ = [
    "HIGHER",
    "LOWER",
    "CriterionSpec",
    "MeasureSensitivity",
    "RankedMeasure",
    "ScoreEntry",
    "WeightChange",
    "sensitivity",
    "utility_ranking",
]

HIGHER = "higher"
LOWER = "lower"
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
# Enough significant digits that sums of weights × integer scores stay exact for any realistic
# input; only the final division rounds.
_PRECISION = 60


@dataclass(frozen=True)
class CriterionSpec:
    """A criterion as the ranking needs it. ``weight`` is relative (percent by convention)."""

    key: str
    weight: Decimal
    scale_min: int
    scale_max: int
    direction: str = HIGHER


@dataclass(frozen=True)
class ScoreEntry:
    """One evaluator's score of one measure on one criterion."""

    measure_key: Hashable
    criterion_key: str
    evaluator_key: Hashable
    value: int


@dataclass(frozen=True)
class RankedMeasure:
    """A measure's place in the ranking and how it got there.

    ``criterion_means``: the mean score per criterion on the criterion's own scale (two places;
    None where nobody scored it). ``evaluator_utilities``: the utility from each evaluator's own
    scores; a criterion the evaluator left out takes the panel's mean, so the ``spread``
    (highest minus lowest evaluator utility) shows disagreement, not gaps.
    """

    measure_key: Hashable
    utility: Decimal
    rank: int
    criterion_means: dict[str, Decimal | None]
    evaluator_utilities: dict[Hashable, Decimal]
    spread: Decimal
    evaluator_count: int
    complete: bool
    missing_criteria: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class WeightChange:
    """One sensitivity scenario: ``criterion_key``'s weight multiplied by ``factor``."""

    criterion_key: str
    factor: Decimal
    rank: int  # the measure's rank in this scenario

    @property
    def percent(self) -> int:
        """The move in percent, e.g. −20 or +20."""
        return int(((self.factor - 1) * HUNDRED).to_integral_value(rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class MeasureSensitivity:
    """Whether a measure's rank holds when any single weight moves by ±step."""

    measure_key: Hashable
    base_rank: int
    min_rank: int  # the best rank in any scenario (base included)
    max_rank: int  # the worst rank in any scenario (base included)
    stable: bool
    changes: tuple[WeightChange, ...]  # only the scenarios in which the rank differs


# --- the ranking --------------------------------------------------------------------------------


def utility_ranking(
    criteria: Sequence[CriterionSpec],
    scores: Iterable[ScoreEntry],
    *,
    weights: Mapping[str, Decimal] | None = None,
) -> list[RankedMeasure]:
    """Rank every measure that has at least one score on one of ``criteria``.

    ``criteria`` are the active criteria; scores on other criteria are ignored. ``weights``
    (criterion key → weight) replaces the weights of the criteria it names, for what-if
    questions; the weights are normalised by their sum either way. Best first; equal utilities
    share a rank and are ordered by measure key (keys must be mutually comparable).

    Raises ValueError for inconsistent input: a score outside its scale, a duplicate score, an
    unknown key in ``weights``, a negative weight, or weights that add up to zero.
    """
    specs = _checked_specs(criteria)
    weight_of = _weights(specs, weights)
    grouped = _group(specs, scores)
    ranked = [_evaluate(key, specs, weight_of, by_criterion) for key, by_criterion in grouped.items()]
    return _with_ranks(ranked)


def _checked_specs(criteria: Sequence[CriterionSpec]) -> dict[str, CriterionSpec]:
    specs: dict[str, CriterionSpec] = {}
    for spec in criteria:
        if spec.key in specs:
            raise ValueError(f"criterion {spec.key!r} given twice")
        if spec.scale_min >= spec.scale_max:
            raise ValueError(
                f"criterion {spec.key!r}: the scale must rise ({spec.scale_min}..{spec.scale_max})"
            )
        if spec.direction not in (HIGHER, LOWER):
            raise ValueError(f"criterion {spec.key!r}: unknown direction {spec.direction!r}")
        specs[spec.key] = spec
    return specs


def _weights(
    specs: Mapping[str, CriterionSpec], override: Mapping[str, Decimal] | None
) -> dict[str, Decimal]:
    override = dict(override or {})
    unknown = set(override) - set(specs)
    if unknown:
        raise ValueError(f"weights for unknown criteria: {', '.join(sorted(unknown))}")
    weight_of = {key: Decimal(override.get(key, spec.weight)) for key, spec in specs.items()}
    if any(weight < 0 for weight in weight_of.values()):
        raise ValueError("a weight is negative")
    if specs and sum(weight_of.values()) <= 0:
        raise ValueError("the weights add up to zero")
    return weight_of


def _group(
    specs: Mapping[str, CriterionSpec], scores: Iterable[ScoreEntry]
) -> dict[Hashable, dict[str, dict[Hashable, int]]]:
    """measure → criterion → evaluator → value, for the given criteria only."""
    grouped: dict[Hashable, dict[str, dict[Hashable, int]]] = defaultdict(lambda: defaultdict(dict))
    for entry in scores:
        spec = specs.get(entry.criterion_key)
        if spec is None:
            continue
        value = entry.value
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"score {entry!r} is not an integer")
        if not spec.scale_min <= value <= spec.scale_max:
            raise ValueError(f"score {entry!r} lies outside {spec.scale_min}..{spec.scale_max}")
        cell = grouped[entry.measure_key][entry.criterion_key]
        if entry.evaluator_key in cell:
            raise ValueError(f"score {entry!r} given twice")
        cell[entry.evaluator_key] = value
    return grouped


def _parts(spec: CriterionSpec, total: int, count: int) -> tuple[int, int]:
    """The normalised mean of ``count`` scores adding up to ``total``, as (numerator, denominator).

    Nobody scored: the scale's worst value, i.e. 0.
    """
    if count == 0:
        return 0, 1
    span = spec.scale_max - spec.scale_min
    if spec.direction == HIGHER:
        return total - count * spec.scale_min, count * span
    return count * spec.scale_max - total, count * span


def _utility(parts: Mapping[str, tuple[int, int]], weight_of: Mapping[str, Decimal]) -> Decimal:
    """``100 × Σ w·n/d / Σ w`` over a common denominator: exact sums, one division, two places."""
    common = math.lcm(*(d for _n, d in parts.values())) if parts else 1
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        numerator = sum((weight_of[key] * (n * (common // d)) for key, (n, d) in parts.items()), Decimal(0))
        denominator = sum(weight_of.values(), Decimal(0)) * common
        value = HUNDRED * numerator / denominator
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _evaluate(
    measure_key: Hashable,
    specs: Mapping[str, CriterionSpec],
    weight_of: Mapping[str, Decimal],
    by_criterion: Mapping[str, Mapping[Hashable, int]],
) -> RankedMeasure:
    panel: dict[str, tuple[int, int]] = {}
    means: dict[str, Decimal | None] = {}
    for key, spec in specs.items():
        values = list(by_criterion.get(key, {}).values())
        panel[key] = _parts(spec, sum(values), len(values))
        means[key] = (Decimal(sum(values)) / len(values)).quantize(CENT, ROUND_HALF_UP) if values else None
    evaluators = sorted({e for cell in by_criterion.values() for e in cell})
    per_evaluator: dict[Hashable, Decimal] = {}
    for evaluator in evaluators:
        own = dict(panel)
        for key, spec in specs.items():
            value = by_criterion.get(key, {}).get(evaluator)
            if value is not None:
                own[key] = _parts(spec, value, 1)
        per_evaluator[evaluator] = _utility(own, weight_of)
    missing = tuple(key for key in specs if not by_criterion.get(key))
    spread = max(per_evaluator.values()) - min(per_evaluator.values()) if per_evaluator else Decimal("0.00")
    return RankedMeasure(
        measure_key=measure_key,
        utility=_utility(panel, weight_of),
        rank=0,
        criterion_means=means,
        evaluator_utilities=per_evaluator,
        spread=spread,
        evaluator_count=len(evaluators),
        complete=not missing,
        missing_criteria=missing,
    )


def _with_ranks(ranked: list[RankedMeasure]) -> list[RankedMeasure]:
    """Standard competition ranking ("1, 2, 2, 4"), best first, ties ordered by key."""
    ranked.sort(key=lambda r: (-r.utility, r.measure_key))
    result: list[RankedMeasure] = []
    for position, item in enumerate(ranked, start=1):
        rank = result[-1].rank if result and result[-1].utility == item.utility else position
        result.append(replace(item, rank=rank))
    return result


# --- sensitivity --------------------------------------------------------------------------------


def sensitivity(
    criteria: Sequence[CriterionSpec],
    scores: Iterable[ScoreEntry],
    *,
    step: Decimal = Decimal("0.2"),
) -> list[MeasureSensitivity]:
    """Does each measure's rank hold when any single weight moves by −step and +step?

    One scenario per criterion and direction: that criterion's weight × (1 ∓ step), the others
    unchanged, all normalised again. Per measure: its base rank, its best and worst rank over the
    base and all scenarios, ``stable`` when the rank is the same everywhere, and the scenarios
    that change it. In the order of the base ranking.
    """
    step = Decimal(step)
    if not Decimal(0) < step < Decimal(1):
        raise ValueError("the step must lie between 0 and 1")
    scores = list(scores)
    base = utility_ranking(criteria, scores)
    factors = (Decimal(1) - step, Decimal(1) + step)
    scenarios: list[tuple[str, Decimal, dict[Hashable, int]]] = []
    for spec in criteria:
        for factor in factors:
            moved = utility_ranking(criteria, scores, weights={spec.key: Decimal(spec.weight) * factor})
            scenarios.append((spec.key, factor, {r.measure_key: r.rank for r in moved}))
    result = []
    for item in base:
        ranks = [item.rank]
        changes = []
        for key, factor, rank_of in scenarios:
            rank = rank_of[item.measure_key]
            ranks.append(rank)
            if rank != item.rank:
                changes.append(WeightChange(criterion_key=key, factor=factor, rank=rank))
        result.append(
            MeasureSensitivity(
                measure_key=item.measure_key,
                base_rank=item.rank,
                min_rank=min(ranks),
                max_rank=max(ranks),
                stable=not changes,
                changes=tuple(changes),
            )
        )
    return result
