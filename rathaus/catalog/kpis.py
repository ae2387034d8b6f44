"""Key figures of the catalogue for the E-Government strategy.

``share_online`` is the catalogue's own helper (a share between 0 and 1 with four places). The
figures offered to the strategy cockpit through ``rathaus.core.kpi_registry`` are percentages
(0–100, two places): ``catalog.share_ozg3`` and ``catalog.share_ozg4``.

The catalogue keeps no history of maturity levels, so these figures always describe the current
state, whatever ``as_of`` says; the daily snapshots build the history from now on.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from rathaus.core import kpi_registry
from rathaus.core.kpi_registry import KpiFigure

from .constants import OzgMaturity
from .models import Service

SHARE_PLACES = Decimal("0.0001")


def share_online(min_level: int = OzgMaturity.ONLINE) -> Decimal:
    """Share of published services whose OZG maturity is at least ``min_level`` (0 when none
    is published)."""
    if min_level not in OzgMaturity.values:
        raise ValueError(f"no OZG maturity level {min_level!r}")
    figures = Service.objects.published().aggregate(
        total=Count("id"), reached=Count("id", filter=Q(ozg_maturity__gte=min_level))
    )
    if not figures["total"]:
        return Decimal("0.0000")
    return (Decimal(figures["reached"]) / Decimal(figures["total"])).quantize(
        SHARE_PLACES, rounding=ROUND_HALF_UP
    )


def _share_at_least(min_level: int) -> KpiFigure:
    """Percent of published services at ``min_level`` or above, broken down by department
    (the department's own share); None without any published service."""
    reached: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for department, level in Service.objects.published().values_list("department__name", "ozg_maturity"):
        total[department] += 1
        reached[department] += level >= min_level
    value = kpi_registry.percent(sum(reached.values()), sum(total.values()))
    breakdown = {name: kpi_registry.percent(reached[name], total[name]) for name in sorted(total)}
    return KpiFigure(value, breakdown)


_CURRENT_STATE = _(
    "The catalogue keeps no history of maturity levels: the figure is always the current state "
    "of the published services."
)


@kpi_registry.register(
    "catalog.share_ozg3",
    label=_("Services fully online (OZG maturity 3 or 4)"),
    unit="percent",
    direction="higher",
    description=_CURRENT_STATE,
)
def share_ozg3(as_of=None) -> KpiFigure:
    return _share_at_least(OzgMaturity.ONLINE)


@kpi_registry.register(
    "catalog.share_ozg4",
    label=_("Services online with once only (OZG maturity 4)"),
    unit="percent",
    direction="higher",
    description=_CURRENT_STATE,
)
def share_ozg4(as_of=None) -> KpiFigure:
    return _share_at_least(OzgMaturity.ONCE_ONLY)
