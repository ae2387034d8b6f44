"""Key figures of the catalogue for the E-Government strategy (the strategy app registers them).

Shares are Decimals between 0 and 1 with four places, never floats.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

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
