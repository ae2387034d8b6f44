"""Registry of key figures (Kennzahlen) that apps compute from their own data.

Every app may offer figures in a ``kpis.py`` module (autodiscovered when the strategy app is
ready). The strategy app reads them only through this registry, so it imports no other app and
a municipality can switch an app off without breaking the cockpit.

A provider is a function ``compute(as_of: date | None) -> KpiFigure`` registered under a stable
key ("cases.median_processing_days"); the strategy's ``Kpi.provider_key`` names it. It returns
the value in the provider's unit (percent as 0–100 with at most two places, days, hours, counts,
euros) as a ``Decimal`` with a breakdown by dimension (e.g. per service name), or ``None`` when
there is nothing to measure yet (no published service, no decided case) — never a float and
never a made-up zero.

``as_of`` means "as the figures stood at the end of that day in the city's time zone"
(Europe/Berlin): only rows created (cases: decided) before ``end_of_day(as_of)`` count. Data
without a history (the catalogue's current OZG maturity) is measured as it is now; such a
provider says so in its description. ``None`` means today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

__all__ = [
    "KpiFigure",
    "KpiProvider",
    "compute",
    "end_of_day",
    "percent",
    "provider",
    "providers",
    "register",
]


@dataclass(frozen=True)
class KpiFigure:
    """One measurement: the value (``None``: nothing to measure) and its breakdown
    (dimension label → value in the same unit, e.g. service name → median days)."""

    value: Decimal | None
    breakdown: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class KpiProvider:
    """A registered figure: what it measures (label, description), in which unit, and whether a
    higher or a lower value is better."""

    key: str
    label: str
    unit: str  # one of rathaus.strategy.constants.KpiUnit values: percent, days, hours, count, euro
    direction: str  # "higher" or "lower" is better
    description: str
    compute: Callable[[dt.date | None], KpiFigure]


_providers: dict[str, KpiProvider] = {}


def register(key: str, *, label, unit: str, direction: str, description=""):
    """Decorator: offer ``func(as_of: date | None) -> KpiFigure`` as the figure ``key``.

    Registering a key again replaces the earlier provider (module reloads in development).
    """

    def decorator(func: Callable[[dt.date | None], KpiFigure]):
        _providers[key] = KpiProvider(key, label, unit, direction, description, func)
        return func

    return decorator


def providers() -> dict[str, KpiProvider]:
    """Every registered figure by key, sorted by key."""
    return dict(sorted(_providers.items()))


def provider(key: str) -> KpiProvider:
    """The figure ``key``; ``LookupError`` when no installed app offers it."""
    try:
        return _providers[key]
    except KeyError as exc:
        raise LookupError(f"no key figure {key!r} is registered") from exc


def compute(key: str, *, as_of: dt.date | None = None) -> KpiFigure:
    """The figure ``key`` as of the end of ``as_of`` (today when None)."""
    return provider(key).compute(as_of)


def end_of_day(as_of: dt.date | None = None) -> dt.datetime:
    """The first moment after the day ``as_of`` (today when None) in the city's time zone.

    Rows with a timestamp before it belong to the figure "as of ``as_of``"; the boundary is local
    midnight, so a case received at 23:30 in Regensburg counts for that day in winter and summer.
    """
    day = as_of or timezone.localdate()
    return dt.datetime.combine(
        day + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_default_timezone()
    )


PERCENT_PLACES = Decimal("0.01")


def percent(part: int, total: int) -> Decimal | None:
    """``part`` of ``total`` in percent with two places (half up); None when ``total`` is 0."""
    if not total:
        return None
    return (Decimal(part) * 100 / Decimal(total)).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)
