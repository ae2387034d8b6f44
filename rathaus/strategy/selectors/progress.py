"""How far the strategy has come: progress per area and per field of action.

A measure counts with a progress value between 0 and 100: a completed measure 100; one in
progress the progress of its project (``Project.progress_percent``), or 50 while it has no
project; every other open status (under evaluation, planned, on hold) 0. Dropped measures do
not count at all. The progress of a field of action or an area is the plain average over its
measures, so a field with many small measures weighs each of them equally; a field without
counted measures has no progress (``None``, shown as "no measures yet"), never a made-up 0.

``public_overview`` is the transparency page's view of the same figures: it reads only what
the strategy office marked public (``Measure.is_public``, ``Kpi.is_public``), plus the mission
and the guidelines, which the council adopted in public session. Public progress is therefore
computed from the public measures only, and the page says so. Nothing in it names a person.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from ..constants import MeasureStatus
from ..models import Area, FieldOfAction, Guideline, Kpi, Measure, Strategy

__all__ = [
    "AreaProgress",
    "FieldProgress",
    "Progress",
    "PublicOverview",
    "area_progress",
    "current_strategy",
    "measure_progress",
    "overall_progress",
    "public_kpis",
    "public_measures",
    "public_overview",
    "status_counts",
]

IN_PROGRESS_WITHOUT_PROJECT = Decimal(50)
HUNDRED = Decimal(100)
ONE_PLACE = Decimal("0.1")


@dataclass(frozen=True)
class Progress:
    """Average progress (``None`` without counted measures), how many measures counted, and
    the number of measures per status (dropped ones included in the counts, not in the average)."""

    percent: Decimal | None
    measures: int
    by_status: dict[str, int]

    def as_data(self) -> dict:
        """JSON-serialisable form (numbers as strings, so that no float creeps in)."""
        return {
            "percent": None if self.percent is None else str(self.percent),
            "measures": self.measures,
            "by_status": dict(self.by_status),
        }


@dataclass(frozen=True)
class FieldProgress:
    field: FieldOfAction
    progress: Progress


@dataclass(frozen=True)
class AreaProgress:
    area: Area
    progress: Progress
    fields: list[FieldProgress] = field(default_factory=list)


def measure_progress(measure: Measure) -> Decimal | None:
    """The measure's progress in percent, ``None`` for a dropped measure (it does not count)."""
    if measure.status == MeasureStatus.DROPPED:
        return None
    if measure.status == MeasureStatus.COMPLETED:
        return HUNDRED
    if measure.status == MeasureStatus.IN_PROGRESS:
        project = _project_of(measure)
        return Decimal(project.progress_percent) if project is not None else IN_PROGRESS_WITHOUT_PROJECT
    return Decimal(0)


def _project_of(measure: Measure):
    try:
        return measure.project
    except Measure.project.RelatedObjectDoesNotExist:
        return None


def current_strategy() -> Strategy:
    """The strategy row, or an unsaved default while none exists (a read never writes)."""
    return Strategy.objects.filter(pk=1).first() or Strategy(pk=1)


def status_counts(measures: Iterable[Measure]) -> dict[str, int]:
    """Measures per status, every status present (zero included), in the order of the choices."""
    counts = Counter(m.status for m in measures)
    return {status: counts.get(status, 0) for status in MeasureStatus.values}


def _progress(measures: list[Measure]) -> Progress:
    values = [v for v in (measure_progress(m) for m in measures) if v is not None]
    percent = None
    if values:
        percent = (sum(values, Decimal(0)) / len(values)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)
    return Progress(percent=percent, measures=len(values), by_status=status_counts(measures))


def _measures(queryset: QuerySet[Measure]) -> list[Measure]:
    return list(queryset.select_related("project", "field_of_action"))


def area_progress(*, public_only: bool = False) -> list[AreaProgress]:
    """Every area with its fields of action and their progress (two queries whatever the size)."""
    measures_qs = Measure.objects.all()
    if public_only:
        measures_qs = measures_qs.filter(is_public=True)
    by_field: dict[int, list[Measure]] = {}
    for measure in _measures(measures_qs):
        by_field.setdefault(measure.field_of_action_id, []).append(measure)
    areas = Area.objects.prefetch_related(
        Prefetch("fields_of_action", queryset=FieldOfAction.objects.order_by("order", "code"))
    )
    result = []
    for area in areas:
        fields = [FieldProgress(f, _progress(by_field.get(f.pk, []))) for f in area.fields_of_action.all()]
        area_measures = [m for f in area.fields_of_action.all() for m in by_field.get(f.pk, [])]
        result.append(AreaProgress(area=area, progress=_progress(area_measures), fields=fields))
    return result


def overall_progress(*, public_only: bool = False) -> Progress:
    """The whole strategy's progress, averaged over all counted measures (not over the areas)."""
    measures_qs = Measure.objects.all()
    if public_only:
        measures_qs = measures_qs.filter(is_public=True)
    return _progress(_measures(measures_qs))


def public_measures() -> QuerySet[Measure]:
    """The measures marked public, with what the public page shows of their project."""
    return (
        Measure.objects.filter(is_public=True)
        .exclude(status=MeasureStatus.DROPPED)
        .select_related("field_of_action__area", "department", "project")
        .order_by("field_of_action__area__number", "field_of_action__order", "field_of_action__code", "code")
    )


def public_kpis() -> QuerySet[Kpi]:
    return Kpi.objects.filter(is_public=True).prefetch_related("targets").order_by("order", "key")


@dataclass(frozen=True)
class PublicOverview:
    strategy: Strategy
    guidelines_by_area: list[tuple[Area, list[Guideline]]]
    areas: list[AreaProgress]
    overall: Progress
    measures: list[Measure]
    kpis: list[Kpi]
    as_of: dt.date


def public_overview() -> PublicOverview:
    """What the transparency page may show: mission, guidelines, fields with the progress of
    their public measures, the public measures and the public key figures."""
    guidelines: dict[int, list[Guideline]] = {}
    for guideline in Guideline.objects.order_by("number"):
        guidelines.setdefault(guideline.area_id, []).append(guideline)
    areas = area_progress(public_only=True)
    return PublicOverview(
        strategy=current_strategy(),
        guidelines_by_area=[(a.area, guidelines.get(a.area.pk, [])) for a in areas],
        areas=areas,
        overall=overall_progress(public_only=True),
        measures=list(public_measures()),
        kpis=list(public_kpis()),
        as_of=timezone.localdate(),
    )
