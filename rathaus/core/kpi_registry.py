"""Registry of key figures (Kennzahlen) that apps compute from their own data.

Every app may offer figures in a ``kpis.py`` module (autodiscovered when the strategy app is
ready). The strategy app reads them only through this registry, so it imports no other app and
a municipality can switch an app off without breaking the cockpit.

A provider returns a ``KpiFigure``: the value in the provider's unit (percent as 0–100, days,
counts) as a ``Decimal`` with a breakdown by dimension (e.g. per service), or ``None`` when there
is nothing to measure yet (no published service, no decided case).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["KpiFigure", "KpiProvider", "compute", "provider", "providers", "register"]


@dataclass(frozen=True)
class KpiFigure:
    value: Decimal | None
    breakdown: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class KpiProvider:
    key: str
    label: str
    unit: str  # one of rathaus.strategy.constants.KpiUnit values: percent, days, hours, count, euro
    direction: str  # "higher" or "lower" is better
    description: str
    compute: Callable[[dt.date | None], KpiFigure]


_providers: dict[str, KpiProvider] = {}


def register(key: str, *, label, unit: str, direction: str, description=""):
    """Decorator: offer ``func(as_of: date | None) -> KpiFigure`` as the figure ``key``."""

    def decorator(func: Callable[[dt.date | None], KpiFigure]):
        _providers[key] = KpiProvider(key, label, unit, direction, description, func)
        return func

    return decorator


def providers() -> dict[str, KpiProvider]:
    return dict(sorted(_providers.items()))


def provider(key: str) -> KpiProvider:
    try:
        return _providers[key]
    except KeyError as exc:
        raise LookupError(f"no key figure {key!r} is registered") from exc


def compute(key: str, *, as_of: dt.date | None = None) -> KpiFigure:
    """The figure ``key`` as of the end of ``as_of`` (today when None)."""
    return provider(key).compute(as_of)
