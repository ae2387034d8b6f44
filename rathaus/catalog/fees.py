"""Fees of a service: fixed, or computed from the form answers by a small declarative rule.

A rule is JSON, e.g. ``{"base": "30.00", "per": {"field": "vehicles", "amount": "10.00"},
"choice": {"field": "duration", "amounts": {"1y": "0", "2y": "25.00"}}, "max": "200.00"}``.
Money is Decimal with two places, never a float.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .constants import FeeKind

CENT = Decimal("0.01")


def _money(value) -> Decimal:
    try:
        return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        return Decimal("0.00")


def compute_fee(service, answers: dict | None = None) -> Decimal | None:
    """The fee for these answers; None when the service is free of charge."""
    if service.fee_kind == FeeKind.NONE:
        return None
    if service.fee_kind == FeeKind.FIXED:
        return _money(service.fee_amount)
    rule = service.fee_rule or {}
    answers = answers or {}
    total = _money(rule.get("base", "0"))
    per = rule.get("per")
    if isinstance(per, dict):
        try:
            count = max(0, int(answers.get(per.get("field"), 0) or 0))
        except (TypeError, ValueError):
            count = 0
        total += _money(per.get("amount", "0")) * count
    choice = rule.get("choice")
    if isinstance(choice, dict):
        total += _money((choice.get("amounts") or {}).get(str(answers.get(choice.get("field"))), "0"))
    if "max" in rule:
        total = min(total, _money(rule["max"]))
    return total.quantize(CENT)
