"""Versions of the strategy: a review freezes the strategy as it stands, and the differences
between two versions (or a version and the current working state) stay visible.

A snapshot is plain JSON keyed by stable codes and numbers (guideline 7, "HF-03", "M-12"), not by
database ids, so it can be compared with any later state and outlives deleted rows. Decimals are
stored as strings with two places and dates as ISO strings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Prefetch
from django.utils.formats import date_format, number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.core.audit import audit_record
from rathaus.core.audit_actions import audit_actions

from .constants import MeasureOrigin, MeasureStatus
from .models import Area, FieldOfAction, Guideline, Measure, Strategy, StrategyVersion

__all__ = [
    "SECTIONS",
    "SNAPSHOT_SCHEMA",
    "Change",
    "current_version",
    "display_value",
    "field_label",
    "strategy_diff",
    "strategy_snapshot",
    "strategy_version_create",
]

SNAPSHOT_SCHEMA = 1
CENT = Decimal("0.01")


@audit_actions
class VersionAuditAction(models.TextChoices):
    CREATED = "strategy_version_created", gettext_lazy("Strategy version saved")


VERSION_CREATED = VersionAuditAction.CREATED

# The parts of a snapshot that are compared, in the order a reader expects them.
SECTIONS = {
    "mission": gettext_lazy("Mission statement"),
    "areas": gettext_lazy("Areas"),
    "guidelines": gettext_lazy("Guidelines"),
    "fields_of_action": gettext_lazy("Fields of action"),
    "measures": gettext_lazy("Measures"),
}
_SECTION_MODELS = {
    "mission": Strategy,
    "areas": Area,
    "guidelines": Guideline,
    "fields_of_action": FieldOfAction,
    "measures": Measure,
}
_CHOICES = {"status": MeasureStatus, "origin": MeasureOrigin}
_MONEY_FIELDS = ("investment_cost", "running_cost")
_DATE_FIELDS = ("planned_start", "planned_end", "adopted_on")


# --- snapshot --------------------------------------------------------------------------------------


def _money(value: Decimal | None) -> str:
    return str(Decimal(value or 0).quantize(CENT))


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _mission() -> dict[str, Any]:
    strategy = Strategy.objects.filter(pk=1).first() or Strategy()
    return {
        "title": strategy.title,
        "mission_statement": strategy.mission_statement,
        "council_reference": strategy.council_reference,
        "adopted_on": _date(strategy.adopted_on),
    }


def _measure(measure: Measure) -> dict[str, Any]:
    return {
        "title": measure.title,
        "description": measure.description,
        "field_of_action": measure.field_of_action.code,
        "department": measure.department.code,
        "guidelines": sorted(g.number for g in measure.guidelines.all()),
        "dependencies": sorted(m.code for m in measure.dependencies.all()),
        "investment_cost": _money(measure.investment_cost),
        "running_cost": _money(measure.running_cost),
        "expected_benefit": measure.expected_benefit,
        "effort_person_days": measure.effort_person_days,
        "duration_quarters": measure.duration_quarters,
        "planned_start": _date(measure.planned_start),
        "planned_end": _date(measure.planned_end),
        "status": measure.status,
        "is_mandatory": measure.is_mandatory,
        "legal_basis": measure.legal_basis,
        "risks": measure.risks,
        "is_public": measure.is_public,
        "origin": measure.origin,
    }


def strategy_snapshot() -> dict[str, Any]:
    """The strategy as it stands now, as JSON-serialisable data keyed by codes and numbers."""
    areas = {
        str(area.number): {"name": area.name, "summary": area.summary}
        for area in Area.objects.order_by("number")
    }
    guidelines = {
        str(g.number): {"area": g.area.number, "title": g.title, "motto": g.motto, "text": g.text}
        for g in Guideline.objects.select_related("area").order_by("number")
    }
    fields = {
        f.code: {
            "title": f.title,
            "description": f.description,
            "area": f.area.number,
            "guidelines": sorted(g.number for g in f.guidelines.all()),
        }
        for f in FieldOfAction.objects.select_related("area")
        .prefetch_related(Prefetch("guidelines", queryset=Guideline.objects.only("pk", "number")))
        .order_by("code")
    }
    measures = {
        m.code: _measure(m)
        for m in Measure.objects.select_related("field_of_action", "department")
        .prefetch_related(
            Prefetch("guidelines", queryset=Guideline.objects.only("pk", "number")),
            Prefetch("dependencies", queryset=Measure.objects.only("pk", "code")),
        )
        .order_by("code")
    }
    return {
        "schema": SNAPSHOT_SCHEMA,
        "mission": _mission(),
        "areas": areas,
        "guidelines": guidelines,
        "fields_of_action": fields,
        "measures": measures,
    }


# --- versions --------------------------------------------------------------------------------------


def current_version() -> StrategyVersion | None:
    """The latest version, or None before the first review."""
    return StrategyVersion.objects.order_by("-number").first()


def strategy_version_create(label: str, reason: str, actor, *, attempts: int = 5) -> StrategyVersion:
    """Freeze the strategy as it stands as the next version. Two reviews at once get consecutive
    numbers: the number is unique in the database and a collision is retried."""
    label = (label or "").strip()
    reason = (reason or "").strip()
    if not label:
        raise ValidationError({"label": _("Please give the version a label, for example the review's name.")})
    if len(label) > StrategyVersion._meta.get_field("label").max_length:
        raise ValidationError({"label": _("The label is too long.")})
    for _attempt in range(attempts):
        try:
            with transaction.atomic():
                number = (StrategyVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
                version = StrategyVersion.objects.create(
                    number=number,
                    label=label,
                    reason=reason,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                    snapshot=strategy_snapshot(),
                )
                audit_record(
                    action=VERSION_CREATED,
                    actor=actor,
                    obj=version,
                    details={"number": number, "measures": len(version.snapshot["measures"])},
                )
                return version
        except IntegrityError:
            continue
    raise ValidationError(_("Another version was saved at the same moment. Please try again."))


# --- differences -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One difference between two snapshots.

    ``kind`` is "added", "removed" or "changed"; ``field`` is set for "changed" only. ``old`` and
    ``new`` are snapshot values (a whole item for "removed"/"added").
    """

    section: str
    key: str
    label: str
    kind: str
    field: str = ""
    old: Any = None
    new: Any = None

    @property
    def section_label(self) -> str:
        return str(SECTIONS.get(self.section, self.section))

    @property
    def field_label(self) -> str:
        return field_label(self.section, self.field) if self.field else ""

    @property
    def old_display(self) -> str:
        return display_value(self.field, self.old) if self.kind == "changed" else ""

    @property
    def new_display(self) -> str:
        return display_value(self.field, self.new) if self.kind == "changed" else ""


def _item_label(section: str, key: str, item: dict[str, Any]) -> str:
    if section == "mission":
        return str(SECTIONS["mission"])
    name = item.get("title") or item.get("name") or ""
    if section == "guidelines":
        return _("Guideline %(number)s: %(title)s") % {"number": key, "title": name}
    if section == "areas":
        return f"{key}. {name}"
    return f"{key} {name}".strip()


def _sort_key(key: str):
    return (0, int(key), "") if key.isdigit() else (1, 0, key)


def _compare_items(section: str, key: str, old: dict, new: dict) -> list[Change]:
    label = _item_label(section, key, new)
    changes = []
    for name in [*old, *(k for k in new if k not in old)]:
        if old.get(name) != new.get(name):
            changes.append(Change(section, key, label, "changed", name, old.get(name), new.get(name)))
    return changes


def strategy_diff(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """The changes from snapshot ``old`` to ``new``: items added, removed, and each changed field
    (with its old and new value), for the mission, areas, guidelines, fields of action and measures."""
    changes: list[Change] = []
    if (old.get("mission") or {}) != (new.get("mission") or {}):
        changes += _compare_items("mission", "", old.get("mission") or {}, new.get("mission") or {})
    for section in ("areas", "guidelines", "fields_of_action", "measures"):
        before, after = old.get(section) or {}, new.get(section) or {}
        for key in sorted(set(before) | set(after), key=_sort_key):
            if key not in after:
                changes.append(
                    Change(section, key, _item_label(section, key, before[key]), "removed", old=before[key])
                )
            elif key not in before:
                changes.append(
                    Change(section, key, _item_label(section, key, after[key]), "added", new=after[key])
                )
            elif before[key] != after[key]:
                changes += _compare_items(section, key, before[key], after[key])
    return changes


def field_label(section: str, field: str) -> str:
    """The reader's name of a snapshot field (the model's verbose name where there is one)."""
    model = _SECTION_MODELS.get(section)
    try:
        return capfirst(str(model._meta.get_field(field).verbose_name))
    except (AttributeError, FieldDoesNotExist):  # an unknown key of an older snapshot
        return field


def display_value(field: str, value: Any) -> str:
    """A snapshot value as a reader sees it: choices by their label, amounts and dates in the
    reader's format, yes/no, lists joined."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field in _CHOICES and value in _CHOICES[field].values:
        return str(_CHOICES[field](value).label)
    if field in _MONEY_FIELDS:
        try:
            return f"{number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)} €"
        except (InvalidOperation, ValueError, TypeError):
            return str(value)
    if field in _DATE_FIELDS and isinstance(value, str):
        try:
            return date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {display_value(k, v)}" for k, v in value.items())
    return str(value)
