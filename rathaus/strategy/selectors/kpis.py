"""Reads of the key figures: series for charts, the latest value, targets and the assessment
"on track?" that the KPI pages, the dashboard and the status report share.

On track is direction aware: for a figure where higher is better the latest value must reach
the year's target, where lower is better it must not exceed it. The trend compares the latest
value with the one before it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..constants import KpiDirection, KpiUnit
from ..models import Kpi, KpiTarget, KpiValue
from ..periods import period_label

__all__ = [
    "KpiAssessment",
    "kpi_assessment",
    "kpi_latest",
    "kpi_series",
    "kpi_target_for",
    "kpi_target_series",
    "kpi_unit_symbol",
    "kpi_value_display",
    "kpis_overview",
]

UP, DOWN, FLAT = "up", "down", "flat"
_LATEST_FIRST = ("-period_end", "-period_start", "-recorded_at", "-pk")


def kpi_series(kpi: Kpi) -> list[tuple[dt.date, Decimal]]:
    """Every value of ``kpi`` as (end of its period, value), oldest first."""
    return list(kpi.values.order_by("period_end", "period_start", "pk").values_list("period_end", "value"))


def kpi_target_series(kpi: Kpi) -> list[tuple[dt.date, Decimal]]:
    """The targets of ``kpi`` as (31 December of the year, value), for the chart."""
    return [(dt.date(t.year, 12, 31), t.value) for t in kpi.targets.order_by("year")]


def kpi_latest(kpi: Kpi) -> KpiValue | None:
    """The value for the most recent period (a day's snapshot before the month it ends)."""
    return kpi.values.order_by(*_LATEST_FIRST).select_related("recorded_by").first()


def kpi_target_for(kpi: Kpi, year: int) -> Decimal | None:
    return kpi.targets.filter(year=year).values_list("value", flat=True).first()


@dataclass(frozen=True)
class KpiAssessment:
    kpi: Kpi
    year: int
    latest: KpiValue | None
    previous: KpiValue | None
    target: Decimal | None
    baseline: Decimal | None
    on_track: bool | None  # None: no value or no target to compare with
    trend: str | None  # "up", "down", "flat"; None without two values
    improving: bool | None  # the trend in the direction that is better

    @property
    def name(self) -> str:
        return self.kpi.translated("name")

    @property
    def value(self) -> Decimal | None:
        return self.latest.value if self.latest else None

    @property
    def period_label(self) -> str:
        return period_label(self.latest.period_start, self.latest.period_end) if self.latest else ""

    @property
    def value_display(self) -> str:
        return kpi_value_display(self.value, self.kpi.unit)

    @property
    def target_display(self) -> str:
        return kpi_value_display(self.target, self.kpi.unit)

    @property
    def baseline_display(self) -> str:
        return kpi_value_display(self.baseline, self.kpi.unit)

    @property
    def on_track_label(self) -> str:
        if self.on_track is None:
            return _("no target") if self.target is None else _("no value yet")
        return _("on track") if self.on_track else _("not on track")

    @property
    def trend_label(self) -> str:
        return {UP: _("rising"), DOWN: _("falling"), FLAT: _("unchanged")}.get(self.trend or "", "–")


def _assess(kpi: Kpi, year: int, last_two: list[KpiValue], target: Decimal | None) -> KpiAssessment:
    latest = last_two[0] if last_two else None
    previous = last_two[1] if len(last_two) > 1 else None
    higher_better = kpi.direction == KpiDirection.HIGHER_IS_BETTER
    on_track = None
    if latest is not None and target is not None:
        on_track = latest.value >= target if higher_better else latest.value <= target
    trend = improving = None
    if latest is not None and previous is not None:
        trend = UP if latest.value > previous.value else DOWN if latest.value < previous.value else FLAT
        improving = None if trend == FLAT else (trend == UP) == higher_better
    return KpiAssessment(
        kpi=kpi,
        year=year,
        latest=latest,
        previous=previous,
        target=target,
        baseline=kpi.baseline_value,
        on_track=on_track,
        trend=trend,
        improving=improving,
    )


def kpi_assessment(kpi: Kpi, year: int | None = None) -> KpiAssessment:
    """Latest value, the target of ``year`` (this year when None), baseline, on track, trend."""
    year = year or timezone.localdate().year
    last_two = list(kpi.values.order_by(*_LATEST_FIRST).select_related("recorded_by")[:2])
    return _assess(kpi, year, last_two, kpi_target_for(kpi, year))


def kpis_overview(year: int | None = None, *, queryset=None) -> list[KpiAssessment]:
    """The assessment of every KPI (or of ``queryset``) in three queries, in the KPIs' order."""
    year = year or timezone.localdate().year
    kpis = list((queryset if queryset is not None else Kpi.objects.all()).order_by("order", "key"))
    ids = [k.pk for k in kpis]
    targets = dict(KpiTarget.objects.filter(kpi_id__in=ids, year=year).values_list("kpi_id", "value"))
    ranked = (
        KpiValue.objects.filter(kpi_id__in=ids)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("kpi_id")], order_by=[F(f[1:]).desc() for f in _LATEST_FIRST]
            )
        )
        .filter(rank__lte=2)
        .select_related("recorded_by")
        .order_by("kpi_id", "rank")
    )
    last_two: dict[int, list[KpiValue]] = {}
    for value in ranked:
        last_two.setdefault(value.kpi_id, []).append(value)
    return [_assess(k, year, last_two.get(k.pk, []), targets.get(k.pk)) for k in kpis]


# --- showing values -----------------------------------------------------------------------------


def kpi_unit_symbol(unit: str) -> str:
    """The short unit written after a number in charts ("%", "Tage", "h", "€"; nothing for counts)."""
    return {
        KpiUnit.PERCENT: "%",
        KpiUnit.DAYS: _("days"),
        KpiUnit.HOURS: "h",
        KpiUnit.EURO: "€",
    }.get(unit, "")


def kpi_value_display(value: Decimal | None, unit: str) -> str:
    """A value as the active locale writes it, with its unit ("45,5 %", "12 Tage", "1.200,00 €")."""
    if value is None:
        return "–"
    value = Decimal(value)
    if unit == KpiUnit.EURO:
        places = 2
    elif value == value.to_integral_value():
        places = 0
    else:
        places = min(4, -value.normalize().as_tuple().exponent)
    number = formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
    if unit == KpiUnit.PERCENT:
        return f"{number}\u00a0%"
    if unit == KpiUnit.DAYS:
        return ngettext("%(value)s day", "%(value)s days", 1 if value == 1 else 2) % {"value": number}
    if unit == KpiUnit.HOURS:
        return ngettext("%(value)s hour", "%(value)s hours", 1 if value == 1 else 2) % {"value": number}
    if unit == KpiUnit.EURO:
        return f"{number}\u00a0€"
    return number
