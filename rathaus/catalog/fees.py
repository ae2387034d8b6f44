"""Fees of a service: fixed, or computed from the form answers by a small declarative rule.

A rule is JSON, e.g. ``{"base": "30.00", "per": {"field": "vehicles", "amount": "10.00"},
"choice": {"field": "duration", "amounts": {"1y": "0", "2y": "25.00"}}, "min": "30.00",
"max": "200.00"}``.

- ``per`` adds ``amount`` times a quantity from the answers. ``{"fields": ["days", "square_metres"]}``
  multiplies several answers (special road use: per day and square metre). ``per`` may also be a
  list of such items, which are added up.

  - An answer that is a list (the rows of a group, the options of a multiple choice) counts
    its entries: ``{"field": "companions", "add": 1}`` is one per companion plus the applicant.
  - ``{"days": ["start_date", "end_date"]}`` in ``fields`` is the number of days from the first
    to the last date, both counted (a later first date counts as 0).
  - ``amount`` may depend on a choice: ``{"field": "regensburg_pass", "amounts": {"yes": "5.00"},
    "default": "15.00"}`` (per person, reduced with the pass).
- ``choice`` adds the amount listed for the chosen answer.
- ``min`` and ``max`` bound the total.

Answers that are missing, not numbers, negative or absurdly large count as 0: a bad answer
never raises and never makes the fee negative. Money is Decimal with two places, never a float.
"""

from __future__ import annotations

import datetime as dt
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
    """A non-negative, finite quantity from an answer (a list: its number of entries);
    anything else counts as 0."""
    if value is None or isinstance(value, bool):
        return Decimal(0)
    if isinstance(value, list):
        return Decimal(min(len(value), MAX_QUANTITY))
    text = str(value).strip().replace(",", ".")  # German decimal comma: "2,5" m²
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return Decimal(0)
    if not number.is_finite() or number < 0 or number > MAX_QUANTITY:
        return Decimal(0)
    return number


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _days_names(factor) -> list[str] | None:
    """The two date questions of a ``{"days": [first, last]}`` factor, or None."""
    if not isinstance(factor, dict):
        return None
    names = factor.get("days")
    if isinstance(names, list) and len(names) == 2 and all(isinstance(name, str) for name in names):
        return names
    return None


def _factor(factor, answers: dict) -> Decimal:
    """One factor of a ``per`` item: an answer's quantity, or the days between two dates."""
    if isinstance(factor, str):
        return _quantity(answers.get(factor))
    names = _days_names(factor)
    if names is None:
        return Decimal(0)
    first, last = _date(answers.get(names[0])), _date(answers.get(names[1]))
    if first is None or last is None or last < first:
        return Decimal(0)
    return Decimal(min((last - first).days + 1, MAX_QUANTITY))


def _unit_amount(amount, answers: dict) -> Decimal:
    """A ``per`` item's amount: fixed, or by the chosen answer of a question."""
    if not isinstance(amount, dict):
        return _money(amount)
    amounts = amount.get("amounts") if isinstance(amount.get("amounts"), dict) else {}
    field = amount.get("field")
    chosen = str(answers.get(field)) if isinstance(field, str) else None
    return _money(amounts[chosen] if chosen in amounts else amount.get("default", "0"))


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
        for field in fields:
            if isinstance(field, str):
                names.add(field)
            elif (days := _days_names(field)) is not None:
                names.update(days)
        amount = item.get("amount")
        if isinstance(amount, dict) and isinstance(amount.get("field"), str):
            names.add(amount["field"])
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
            quantity *= _factor(field, answers)
        quantity += _quantity(item.get("add", 0))
        total += _unit_amount(item.get("amount", "0"), answers) * quantity
    choice = rule.get("choice")
    if isinstance(choice, dict) and isinstance(choice.get("field"), str):
        amounts = choice.get("amounts") if isinstance(choice.get("amounts"), dict) else {}
        total += _money(amounts.get(str(answers.get(choice["field"])), "0"))
    if "min" in rule:
        total = max(total, _money(rule["min"]))
    if "max" in rule:
        total = min(total, _money(rule["max"]))
    return max(total, ZERO).quantize(CENT, rounding=ROUND_HALF_UP)
