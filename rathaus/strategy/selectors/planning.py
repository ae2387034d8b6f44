"""Reads of the measures plan: the scheduler's input built from the database, the timeline, the
years' use of budget and capacity, and the plan as rows for the CSV export.

Measures are keyed by their code in ``rathaus.strategy.scheduling`` (unique and readable).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, QuerySet
from django.utils import formats

from ..constants import OPEN_MEASURE_STATUSES, MeasureStatus
from ..models import Measure, MeasureDependency, Plan, PlanEntry, PlanExclusion
from ..notes import Name, render
from ..scheduling import (
    MeasureSpec,
    Quarter,
    YearLimit,
    YearUse,
    check_schedule,
    end_quarter,
    running_quarters,
    year_usage,
)

__all__ = [
    "TimelineRow",
    "carried_over",
    "export_rows",
    "measure_spec",
    "open_measures",
    "plan_check_input",
    "plan_duration",
    "plan_exclusions",
    "plan_limits",
    "plan_placements",
    "plan_problems_now",
    "plan_timeline",
    "plan_usage",
    "plans_overview",
    "problems_shown",
    "quarter_first_day",
    "quarter_last_day",
    "quarter_of",
    "specs_for",
]


def plans_overview() -> QuerySet[Plan]:
    return Plan.objects.annotate(entry_count=Count("entries", distinct=True)).select_related("created_by")


def plan_limits(plan: Plan) -> list[YearLimit]:
    return [YearLimit(y.year, y.budget, y.capacity_person_days) for y in plan.years.order_by("year")]


def quarter_of(day: dt.date) -> Quarter:
    return day.year, (day.month - 1) // 3 + 1


def quarter_first_day(quarter: Quarter) -> dt.date:
    year, q = quarter
    return dt.date(year, 3 * q - 2, 1)


def quarter_last_day(quarter: Quarter) -> dt.date:
    year, q = quarter
    following = dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, 3 * q + 1, 1)
    return following - dt.timedelta(days=1)


def _with_dependencies(queryset: QuerySet[Measure]) -> QuerySet[Measure]:
    links = MeasureDependency.objects.select_related("requires").only(
        "measure_id", "requires__code", "requires__status"
    )
    return queryset.prefetch_related(Prefetch("dependency_links", queryset=links))


def carried_over(measure: Measure, first_year: int | None) -> bool:
    """In progress since before the plan period: the plan holds only its remaining quarters."""
    return (
        first_year is not None
        and measure.status == MeasureStatus.IN_PROGRESS
        and measure.planned_start is not None
        and measure.planned_start.year < first_year
    )


def plan_duration(measure: Measure, first_year: int | None = None) -> int:
    """Quarters the measure runs inside a plan starting in ``first_year``: all of them, or for a
    measure carried over, those left from the first quarter of the period (0: it ends before)."""
    if not carried_over(measure, first_year):
        return measure.duration_quarters
    start_index = first_year * 4
    if measure.planned_end is not None:
        end_year, end_q = quarter_of(measure.planned_end)
        return max(0, end_year * 4 + end_q - 1 - start_index + 1)
    begun_year, begun_q = quarter_of(measure.planned_start)
    elapsed = start_index - (begun_year * 4 + begun_q - 1)
    return max(1, measure.duration_quarters - elapsed)


def _ends_before(measure: Measure, first_year: int | None) -> bool:
    return carried_over(measure, first_year) and plan_duration(measure, first_year) == 0


def measure_spec(measure: Measure, *, evaluated: bool = True, first_year: int | None = None) -> MeasureSpec:
    """The scheduler's view of a measure. A dependency on a completed measure (or one that ends
    before the plan period) is met already and left out; one on a dropped or paused measure
    stays, so the plan says it cannot be met. A measure carried over into the period counts with
    its remaining quarters and the matching share of investment and effort."""
    requires = tuple(
        link.requires.code
        for link in measure.dependency_links.all()
        if link.requires.status != MeasureStatus.COMPLETED and not _ends_before(link.requires, first_year)
    )
    duration = measure.duration_quarters
    investment, effort = measure.investment_cost, measure.effort_person_days
    if carried_over(measure, first_year):
        remaining = max(plan_duration(measure, first_year), 1)
        share = Decimal(min(remaining, duration)) / Decimal(duration)
        investment = (investment * share).quantize(Decimal("0.01"))
        effort = math.ceil(effort * share)
        duration = remaining
    return MeasureSpec(
        key=measure.code,
        investment=investment,
        running_cost=measure.running_cost,
        effort_person_days=effort,
        duration_quarters=duration,
        requires=requires,
        mandatory=measure.is_mandatory and measure.status in OPEN_MEASURE_STATUSES,
        label=Name(
            f"{measure.code} {measure.title}",
            f"{measure.code} {measure.title_en}" if measure.title_en else "",
        ),
        evaluated=evaluated,
    )


def specs_for(
    measures, *, evaluated_codes: set[str] | None = None, first_year: int | None = None
) -> list[MeasureSpec]:
    return [
        measure_spec(m, evaluated=evaluated_codes is None or m.code in evaluated_codes, first_year=first_year)
        for m in measures
        if not _ends_before(m, first_year)
    ]


def open_measures() -> QuerySet[Measure]:
    return _with_dependencies(Measure.objects.filter(status__in=OPEN_MEASURE_STATUSES)).order_by("code")


def plan_placements(plan: Plan) -> dict[str, Quarter]:
    return {
        code: (year, quarter)
        for code, year, quarter in plan.entries.values_list("measure__code", "start_year", "start_quarter")
    }


def plan_check_input(plan: Plan) -> tuple[list[Measure], list[MeasureSpec], list[YearLimit], dict]:
    """What ``check_schedule`` needs for this plan: the open measures and those placed in it."""
    placed_ids = plan.entries.values_list("measure_id", flat=True)
    measures = list(
        _with_dependencies(
            Measure.objects.filter(status__in=OPEN_MEASURE_STATUSES)
            | Measure.objects.filter(pk__in=placed_ids)
        )
        .distinct()
        .order_by("code")
    )
    return measures, specs_for(measures, first_year=plan.first_year), plan_limits(plan), plan_placements(plan)


def plan_usage(plan: Plan) -> list[YearUse]:
    _measures, specs, limits, placements = plan_check_input(plan)
    return year_usage(specs, limits, placements)


def problems_shown(problems: list[dict]) -> list[dict]:
    """The stored problems of a plan, each ``message`` written in the reader's language."""
    return [{**p, "message": render(p.get("note"), p.get("message", ""))} for p in problems]


def plan_problems_now(plan: Plan):
    _measures, specs, limits, placements = plan_check_input(plan)
    return check_schedule(specs, limits, placements)


@dataclass
class TimelineCell:
    quarter: Quarter
    running: bool
    is_start: bool
    is_end: bool


@dataclass
class TimelineRow:
    entry: PlanEntry
    measure: Measure
    start: Quarter
    end: Quarter
    cells: list[TimelineCell] = field(default_factory=list)


@dataclass
class TimelineGroup:
    year: int
    rows: list[TimelineRow]


def plan_timeline(plan: Plan) -> tuple[list[int], list[TimelineGroup], list[TimelineRow]]:
    """The plan years, the entries grouped by their start year (a group per year, also before or
    after the period when placed there by hand), and the entries outside the period's columns."""
    years = list(plan.years.order_by("year").values_list("year", flat=True))
    quarters = [(year, q) for year in years for q in range(1, 5)]
    entries = plan.entries.select_related("measure__department", "measure__field_of_action").order_by(
        "start_year", "start_quarter", "measure__code"
    )
    groups: dict[int, list[TimelineRow]] = {}
    for entry in entries:
        measure = entry.measure
        start = (entry.start_year, entry.start_quarter)
        duration = max(plan_duration(measure, plan.first_year), 1)
        running = set(running_quarters(start, duration))
        end = end_quarter(start, duration)
        row = TimelineRow(entry, measure, start, end)
        row.cells = [TimelineCell(q, q in running, q == start, q == end) for q in quarters]
        groups.setdefault(entry.start_year, []).append(row)
    ordered = [TimelineGroup(year, rows) for year, rows in sorted(groups.items())]
    return years, ordered, [row for group in ordered for row in group.rows]


def plan_exclusions(plan: Plan) -> QuerySet[PlanExclusion]:
    return plan.exclusions.select_related("measure__department").order_by("measure__code")


def _number(value) -> str:
    """A money amount as spreadsheets of the active language read it (no grouping)."""
    return formats.number_format(value, decimal_pos=2, use_l10n=True)


def export_rows(plan: Plan) -> list[list[str]]:
    """The plan as rows (without the header): one per placed measure, then the ones left out."""
    rows = []
    _years, _groups, timeline = plan_timeline(plan)
    for row in timeline:
        measure = row.measure
        rows.append(
            [
                measure.code,
                measure.translated("title"),
                measure.department.code,
                "x" if measure.is_mandatory else "",
                f"{row.start[0]}-Q{row.start[1]}",
                f"{row.end[0]}-Q{row.end[1]}",
                str(measure.duration_quarters),
                _number(measure.investment_cost),
                _number(measure.running_cost),
                str(measure.effort_person_days),
                "x" if row.entry.is_manual else "",
                row.entry.explanation_text,
            ]
        )
    for exclusion in plan_exclusions(plan):
        measure = exclusion.measure
        rows.append(
            [
                measure.code,
                measure.translated("title"),
                measure.department.code,
                "x" if measure.is_mandatory else "",
                "",
                "",
                str(measure.duration_quarters),
                _number(measure.investment_cost),
                _number(measure.running_cost),
                str(measure.effort_person_days),
                "",
                f"{exclusion.get_reason_display()}: {exclusion.explanation_text}",
            ]
        )
    return rows
