"""Fees of a service: fixed, or computed from the form answers by a small declarative rule.

A rule is JSON, e.g. ``{"base": "30.00", "per": {"field": "vehicles", "amount": "10.00"},
"choice": {"field": "duration", "amounts": {"1y": "0", "2y": "25.00"}}, "min": "30.00",
"max": "200.00"}``.

- ``per`` adds ``amount`` times a quantity from the answers. ``{"fields": ["days", "square_metres"]}``
  multiplies several answers (special road use: per day and square metre). ``per`` may also be a
  list of such items, which are added up.
- ``choice`` adds the amount listed for the chosen answer.
- ``min`` and ``max`` bound the total.

Answers that are missing, not numbers, negative or absurdly large count as 0: a bad answer
never raises and never makes the fee negative. Money is Decimal with two places, never a float.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .constants import FeeKind

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# No form asks for more than this of anything (days, square metres, vehicles …).
MAX_QUANTITY = Decimal("1000000")


def _money(value) -> Decimal:
    try:
        amount = Decimal(str(value))
        if not amount.is_finite():
            return ZERO
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        return ZERO


def _quantity(value) -> Decimal:
    """A non-negative, finite quantity from an answer; anything else counts as 0."""
    if value is None or isinstance(value, bool):
        return Decimal(0)
    text = str(value).strip().replace(",", ".")  # German decimal comma: "2,5" m²
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return Decimal(0)
    if not number.is_finite() or number < 0 or number > MAX_QUANTITY:
        return Decimal(0)
    return number


def _per_items(per) -> list[dict]:
    if isinstance(per, dict):
        return [per]
    if isinstance(per, list):
        return [item for item in per if isinstance(item, dict)]
    return []


def rule_fields(rule: dict) -> set[str]:
    """The answer fields a rule reads (for the form engine to check its questions)."""
    names: set[str] = set()
    rule = rule if isinstance(rule, dict) else {}
    for item in _per_items(rule.get("per")):
        fields = item.get("fields") or [item.get("field")]
        if not isinstance(fields, list):
            continue
        names.update(field for field in fields if isinstance(field, str))
    choice = rule.get("choice")
    if isinstance(choice, dict) and isinstance(choice.get("field"), str):
        names.add(choice["field"])
    return names


def compute_fee(service, answers: dict | None = None) -> Decimal | None:
    """The fee for these answers; None when the service is free of charge."""
    if service.fee_kind == FeeKind.NONE:
        return None
    if service.fee_kind == FeeKind.FIXED:
        return _money(service.fee_amount)
    rule = service.fee_rule if isinstance(service.fee_rule, dict) else {}
    answers = answers if isinstance(answers, dict) else {}
    total = _money(rule.get("base", "0"))
    for item in _per_items(rule.get("per")):
        fields = item.get("fields") or [item.get("field")]
        if not isinstance(fields, list) or not fields:
            continue
        quantity = Decimal(1)
        for field in fields:
            quantity *= _quantity(answers.get(field) if isinstance(field, str) else None)
        total += _money(item.get("amount", "0")) * quantity
    choice = rule.get("choice")
    if isinstance(choice, dict) and isinstance(choice.get("field"), str):
        amounts = choice.get("amounts") if isinstance(choice.get("amounts"), dict) else {}
        total += _money(amounts.get(str(answers.get(choice["field"])), "0"))
    if "min" in rule:
        total = max(total, _money(rule["min"]))
    if "max" in rule:
        total = min(total, _money(rule["max"]))
    return max(total, ZERO).quantize(CENT, rounding=ROUND_HALF_UP)
