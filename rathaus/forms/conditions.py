"""Conditions (visibility, requiredness) and cross-field rules of a form definition.

A condition is JSON: ``{"field": f, "equals": v}``, ``{"field": f, "in": [...]}``,
``{"field": f, "filled": true}``, ``{"all": [...]}``, ``{"any": [...]}``, ``{"not": {...}}``.
Conditions are evaluated on the server against the data that is *visible*; a hidden field
counts as empty, so a condition can never be satisfied by a value the person cannot see.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _


def is_empty(value: Any) -> bool:
    if value is None or value is False:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return all(is_empty(item) for item in value)
    if isinstance(value, dict):
        return all(is_empty(item) for item in value.values())
    return False


def evaluate(condition: Mapping | None, data: Mapping[str, Any]) -> bool:
    """True if ``condition`` holds for ``data`` (no condition holds always)."""
    if not condition:
        return True
    if "all" in condition:
        return all(evaluate(item, data) for item in condition["all"])
    if "any" in condition:
        return any(evaluate(item, data) for item in condition["any"])
    if "not" in condition:
        return not evaluate(condition["not"], data)
    value = data.get(condition["field"])
    if "filled" in condition:
        return (not is_empty(value)) == bool(condition["filled"])
    if "equals" in condition:
        return _matches(value, [condition["equals"]])
    return _matches(value, list(condition["in"]))


def _matches(value: Any, wanted: list) -> bool:
    if isinstance(value, list):
        return any(item in wanted for item in value)
    if isinstance(value, bool) or value is None:
        return value in wanted or (value is None and "" in wanted)
    return value in wanted or str(value) in [str(item) for item in wanted]


def referenced_fields(condition: Mapping | None) -> Iterator[str]:
    if not condition:
        return
    for key in ("all", "any"):
        for item in condition.get(key, ()):
            yield from referenced_fields(item)
    if "not" in condition:
        yield from referenced_fields(condition["not"])
    if "field" in condition:
        yield condition["field"]


# --- cross-field rules ----------------------------------------------------------------------

OPERATORS = {
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    ">": operator.gt,
}


def rule_fields(rule: Mapping) -> list[str]:
    """Top-level field names a rule reads (``group.child`` counts as ``group``)."""
    if rule["type"] == "date_order":
        return [rule["before"], rule["after"]]
    if rule["type"] == "at_least_one":
        return list(rule["fields"])
    names: list[str] = []
    for operand in (rule["left"], rule["right"]):
        if isinstance(operand, str):
            names.append(operand)
        elif isinstance(operand, dict) and "sum" in operand:
            names.extend(ref.split(".")[0] for ref in operand["sum"])
    return names


def _as_comparable(value: Any) -> Decimal | dt.date | None:
    if is_empty(value):
        return None
    if isinstance(value, dt.date):
        return value
    text = str(value)
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 and text[4] == "-" else Decimal(text)
    except (ValueError, InvalidOperation):
        return None


def _operand(operand: Any, data: Mapping[str, Any]) -> Decimal | dt.date | None:
    if isinstance(operand, str):
        return _as_comparable(data.get(operand))
    if "value" in operand:
        return Decimal(str(operand["value"]))
    total = Decimal(0)
    for ref in operand["sum"]:
        group, _dot, child = ref.partition(".")
        values = [row.get(child) for row in data.get(group) or []] if child else [data.get(group)]
        for value in values:
            number = _as_comparable(value)
            if isinstance(number, Decimal):
                total += number
    return total


def check_rule(rule: Mapping, data: Mapping[str, Any], label, text) -> tuple[str, str] | None:
    """``(field name, message)`` if ``rule`` is broken by ``data``; None if it holds or cannot
    be checked yet (an operand is empty or hidden). ``label(name)`` and ``text(value)`` give
    translated labels and texts."""
    message = text(rule["message"]) if rule.get("message") else None
    if rule["type"] == "date_order":
        before, after = _as_comparable(data.get(rule["before"])), _as_comparable(data.get(rule["after"]))
        if not isinstance(before, dt.date) or not isinstance(after, dt.date):
            return None
        if after > before or (rule.get("allow_equal", True) and after == before):
            return None
        return rule["after"], message or _("%(after)s must not be before %(before)s.") % {
            "after": label(rule["after"]),
            "before": label(rule["before"]),
        }
    if rule["type"] == "at_least_one":
        names = [name for name in rule["fields"] if name in data]
        if not names or any(not is_empty(data.get(name)) for name in names):
            return None
        return names[0], message or _("Please fill in at least one of: %(fields)s.") % {
            "fields": ", ".join(label(name) for name in names)
        }
    left, right = _operand(rule["left"], data), _operand(rule["right"], data)
    if left is None or right is None or type(left) is not type(right):
        return None
    if OPERATORS[rule["op"]](left, right):
        return None
    target = rule.get("error_field") or rule_fields(rule)[0]
    return target, message or _("%(field)s does not meet the condition %(op)s %(value)s.") % {
        "field": label(target),
        "op": rule["op"],
        "value": right,
    }
