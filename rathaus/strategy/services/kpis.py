"""Writes of the key figures (Kennzahlen): defining a KPI and its targets, recording a manual
value, and snapshotting the computed ones.

A computed KPI names a figure of ``rathaus.core.kpi_registry`` (the strategy app imports no
other app) and must be measured in that figure's unit. A manual value is typed as people write
it ("45 %", "45,5 Prozent", "12 Tage", "1.200 €", "3 h"): a unit that is not the KPI's unit is
refused naming both, so that days never end up in a percentage. Recording a period again
replaces its value and says so; who recorded it and when stays on the value and in the audit log.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.core import kpi_registry
from rathaus.core.audit import audit_record
from rathaus.core.audit_actions import audit_actions

from ..constants import KpiDirection, KpiSource, KpiUnit
from ..models import Kpi, KpiTarget, KpiValue
from ..periods import parse_period

__all__ = [
    "AuditActions",
    "kpi_create",
    "kpi_snapshot_all",
    "kpi_target_set",
    "kpi_update",
    "kpi_value_parse",
    "kpi_value_record",
]

logger = logging.getLogger(__name__)

PLACES = Decimal("0.0001")
LARGEST = Decimal("999999999999")  # 16 digits, 4 of them decimal places (KpiValue.value)
TARGET_YEARS = (2000, 2100)


@audit_actions
class AuditActions(models.TextChoices):
    """Audit actions of key figures (the audit log stores the value)."""

    KPI_CREATED = "strategy_kpi_created", gettext_lazy("Key figure created")
    KPI_CHANGED = "strategy_kpi_changed", gettext_lazy("Key figure changed")
    VALUE_RECORDED = "strategy_kpi_value_recorded", gettext_lazy("Key figure value recorded")
    VALUE_REPLACED = "strategy_kpi_value_replaced", gettext_lazy("Key figure value corrected")
    SNAPSHOT = "strategy_kpi_snapshot", gettext_lazy("Key figures measured")


# --- values as people type them ---------------------------------------------------------------

# Words and signs for each unit, lower case; a value without one is taken in the KPI's unit.
UNIT_WORDS: dict[str, tuple[str, ...]] = {
    KpiUnit.PERCENT: ("%", "prozent", "percent", "per cent", "v. h.", "v.h.", "vh"),
    KpiUnit.DAYS: ("tag", "tage", "tagen", "d", "day", "days", "kalendertage", "arbeitstage"),
    KpiUnit.HOURS: ("h", "std", "std.", "stunde", "stunden", "hour", "hours"),
    KpiUnit.COUNT: ("stück", "stk", "stk.", "anzahl", "fälle", "mal", "count"),
    KpiUnit.EURO: ("€", "eur", "euro", "euros"),
}
_WORD_UNITS = {word: unit for unit, words in UNIT_WORDS.items() for word in words}
_NUMBER = re.compile(r"[+\-−]?\s*\d[\d.\s\u00a0\u202f]*(?:,\d*)?")
_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+")
_SPACED = re.compile(r"\d{1,3}(?: \d{3})+(?:,\d*)?")


def _unit_label(unit: str) -> str:
    return str(KpiUnit(unit).label) if unit in KpiUnit.values else unit


def _parse_number(raw: str) -> Decimal:
    text = re.sub(r"[\s\u00a0\u202f]+", " ", raw.replace("−", "-")).strip()
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-").strip()
    if " " in text:
        # "1 200" groups thousands with spaces; "12 5" is no number
        if not _SPACED.fullmatch(text):
            raise ValueError(raw)
        text = text.replace(" ", "")
    whole, comma, fraction = text.partition(",")
    if "." in whole and comma:
        if not _GROUPED.fullmatch(whole):
            raise ValueError(raw)
        whole = whole.replace(".", "")
    elif "." in whole:
        # "1.200" is twelve hundred (German thousands dots); a lone "45.5" is a decimal point.
        whole = whole.replace(".", "") if _GROUPED.fullmatch(whole) else whole
        if whole.count(".") > 1:
            raise ValueError(raw)
    number = Decimal(f"{whole}.{fraction or 0}") if comma else Decimal(whole)
    return sign * number


def kpi_value_parse(text: str, *, unit: str, kpi_name: str = "") -> Decimal:
    """The number ``text`` gives in ``unit``: German decimal comma and thousands dots, an
    optional unit before or after it. ValidationError for a different unit, a percentage outside
    0–100, a negative value or a count that is not whole."""
    text = " ".join(str(text or "").split())
    if not text:
        raise ValidationError(_("Please enter a value."), code="required")
    match = _NUMBER.search(text)
    written = (text[: match.start()] + " " + text[match.end() :]).strip() if match else ""
    rest = written.lower()
    if match is None or (rest and rest not in _WORD_UNITS):
        if match is not None and rest:
            raise ValidationError(
                _("“%(unit)s” is not a unit Rathaus knows. This key figure is measured in %(expected)s.")
                % {"unit": written, "expected": _unit_label(unit)},
                code="unknown_unit",
            )
        raise ValidationError(
            _("“%(text)s” is not a number. Write it as in 45,5 or 1.200.") % {"text": text}, code="invalid"
        )
    given = _WORD_UNITS.get(rest, unit)
    if given != unit:
        raise ValidationError(
            _("The value has the unit “%(given)s”, but “%(kpi)s” is measured in “%(expected)s”.")
            % {
                "given": _unit_label(given),
                "kpi": kpi_name or _("this key figure"),
                "expected": _unit_label(unit),
            },
            code="wrong_unit",
        )
    try:
        value = _parse_number(match.group())
    except (ValueError, InvalidOperation):
        raise ValidationError(
            _("“%(text)s” is not a number. Write it as in 45,5 or 1.200.") % {"text": text}, code="invalid"
        ) from None
    return _checked(value, unit)


def _checked(value: Decimal, unit: str) -> Decimal:
    if value < 0:
        raise ValidationError(_("A key figure cannot be negative."), code="negative")
    if unit == KpiUnit.PERCENT and value > 100:
        raise ValidationError(_("A percentage lies between 0 and 100."), code="percent_range")
    if unit == KpiUnit.COUNT and value != value.to_integral_value():
        raise ValidationError(_("A count is a whole number."), code="whole")
    if value > LARGEST:
        raise ValidationError(_("The value is too large."), code="too_large")
    return value.quantize(PLACES, rounding=ROUND_HALF_UP)


def _coerce(value, unit: str, kpi_name: str = "") -> Decimal:
    if isinstance(value, Decimal | int):
        return _checked(Decimal(value), unit)
    return kpi_value_parse(str(value), unit=unit, kpi_name=kpi_name)


# --- defining key figures -----------------------------------------------------------------------

KPI_FIELDS = (
    "key",
    "name",
    "name_en",
    "description",
    "description_en",
    "unit",
    "direction",
    "source",
    "provider_key",
    "baseline_value",
    "baseline_year",
    "field_of_action",
    "is_public",
    "order",
)


def _check_definition(kpi: Kpi) -> None:
    """Source and provider agree; a computed KPI is measured in its figure's unit."""
    errors: dict[str, list[str]] = {}
    if kpi.unit not in KpiUnit.values:
        errors["unit"] = [_("Please choose a unit.")]
    if kpi.direction not in KpiDirection.values:
        errors["direction"] = [_("Please say whether a higher or a lower value is better.")]
    if kpi.source == KpiSource.COMPUTED:
        try:
            figure = kpi_registry.provider(kpi.provider_key)
        except LookupError:
            errors["provider_key"] = [
                _("No installed part of Rathaus computes a figure “%(key)s”. Choose one from the list.")
                % {"key": kpi.provider_key}
                if kpi.provider_key
                else _("A computed key figure needs the figure it is computed from.")
            ]
        else:
            if kpi.unit in KpiUnit.values and figure.unit != kpi.unit:
                errors["unit"] = [
                    _("The figure “%(figure)s” is measured in %(given)s, not in %(expected)s.")
                    % {
                        "figure": figure.label,
                        "given": _unit_label(figure.unit),
                        "expected": _unit_label(kpi.unit),
                    }
                ]
    elif kpi.source == KpiSource.MANUAL:
        kpi.provider_key = ""
    else:
        errors["source"] = [_("Please choose where the values come from.")]
    if (kpi.baseline_value is None) != (kpi.baseline_year is None):
        errors["baseline_year" if kpi.baseline_year is None else "baseline_value"] = [
            _("Please give the baseline together with its year.")
        ]
    if errors:
        raise ValidationError(errors)


def _apply_fields(kpi: Kpi, fields: Mapping) -> None:
    unknown = set(fields) - set(KPI_FIELDS)
    if unknown:
        raise TypeError(f"unknown key-figure fields: {sorted(unknown)}")
    for name, value in fields.items():
        if name == "baseline_value":
            empty = value is None or (isinstance(value, str) and not value.strip())
            value = None if empty else value
        elif value is None and name not in ("field_of_action", "baseline_year"):
            value = ""
        setattr(kpi, name, value)
    if kpi.baseline_value is not None and kpi.unit in KpiUnit.values:
        try:
            kpi.baseline_value = _coerce(kpi.baseline_value, kpi.unit, kpi.name)
        except ValidationError as exc:
            raise ValidationError({"baseline_value": exc.messages}) from None
    if not kpi.key:
        kpi.key = _free_key(slugify(kpi.name)[:50] or "kennzahl")


def _free_key(base: str) -> str:
    key, number = base, 2
    while Kpi.objects.filter(key=key).exists():
        key, number = f"{base}-{number}", number + 1
    return key


def _save(kpi: Kpi, *, guidelines, targets, acting_user, action: str) -> Kpi:
    _check_definition(kpi)
    kpi.full_clean(exclude=["guidelines"])
    try:
        with transaction.atomic():
            kpi.save()
    except IntegrityError:
        raise ValidationError({"key": [_("A key figure with this key exists already.")]}) from None
    if guidelines is not None:
        kpi.guidelines.set(guidelines)
    if targets is not None:
        _set_targets(kpi, targets)
    audit_record(action=action, actor=acting_user, obj=kpi, details={"key": kpi.key})
    return kpi


@transaction.atomic
def kpi_create(
    *, acting_user, guidelines: Iterable | None = None, targets: Mapping | None = None, **fields
) -> Kpi:
    """Define a key figure. ``fields`` are Kpi fields (``key`` is made from the name when empty);
    ``targets`` maps years to target values (numbers or texts with a unit)."""
    fields.setdefault("source", KpiSource.MANUAL)
    kpi = Kpi()
    _apply_fields(kpi, fields)
    return _save(
        kpi, guidelines=guidelines, targets=targets, acting_user=acting_user, action=AuditActions.KPI_CREATED
    )


@transaction.atomic
def kpi_update(
    *, kpi: Kpi, acting_user, guidelines: Iterable | None = None, targets: Mapping | None = None, **fields
) -> Kpi:
    """Change a key figure; ``targets`` (when given) replaces all its targets: a year left out
    loses its target."""
    locked = Kpi.objects.select_for_update().get(pk=kpi.pk)
    old_unit = locked.unit
    _apply_fields(locked, fields)
    if locked.unit != old_unit and locked.values.exists():
        raise ValidationError(
            {"unit": [_("The unit cannot change once values have been recorded: they would be misread.")]}
        )
    _save(
        locked,
        guidelines=guidelines,
        targets=targets,
        acting_user=acting_user,
        action=AuditActions.KPI_CHANGED,
    )
    for field in Kpi._meta.concrete_fields:
        setattr(kpi, field.attname, getattr(locked, field.attname))
    return kpi


def _check_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError(_("Please enter the year as four digits."), code="year") from None
    if not TARGET_YEARS[0] <= year <= TARGET_YEARS[1]:
        raise ValidationError(
            _("A target year lies between %(first)s and %(last)s.")
            % {"first": TARGET_YEARS[0], "last": TARGET_YEARS[1]},
            code="year",
        )
    return year


def _set_targets(kpi: Kpi, targets: Mapping) -> None:
    checked: dict[int, Decimal] = {}
    errors = []
    for year, value in targets.items():
        try:
            checked[_check_year(year)] = _coerce(value, kpi.unit, kpi.name)
        except ValidationError as exc:
            errors.append(
                _("Target %(year)s: %(message)s") % {"year": year, "message": " ".join(exc.messages)}
            )
    if errors:
        raise ValidationError({"targets": errors})
    kpi.targets.exclude(year__in=list(checked)).delete()
    for year, value in checked.items():
        KpiTarget.objects.update_or_create(kpi=kpi, year=year, defaults={"value": value})


@transaction.atomic
def kpi_target_set(kpi: Kpi, year: int, value, *, acting_user=None) -> KpiTarget | None:
    """Set the target of ``kpi`` for ``year`` (a number or a text with a unit); ``None`` or an
    empty text removes it."""
    year = _check_year(year)
    if value is None or (isinstance(value, str) and not value.strip()):
        KpiTarget.objects.filter(kpi=kpi, year=year).delete()
        target = None
    else:
        target, _created = KpiTarget.objects.update_or_create(
            kpi=kpi, year=year, defaults={"value": _coerce(value, kpi.unit, kpi.name)}
        )
    audit_record(
        action=AuditActions.KPI_CHANGED,
        actor=acting_user,
        obj=kpi,
        details={"key": kpi.key, "target_year": year, "target": str(target.value) if target else ""},
    )
    return target


# --- manual values ------------------------------------------------------------------------------


@transaction.atomic
def kpi_value_record(kpi: Kpi, *, period: str, value: str, actor, note: str = "", request=None) -> KpiValue:
    """Record the value of a manual key figure for a period ("Q3 2026", "11/2026" …).

    Recording a period again replaces its value: the returned value's ``previous_value`` is the
    value it replaced (None for a new period). ValidationError with a message per field
    (``period``, ``value``) for anything wrong."""
    if kpi.source != KpiSource.MANUAL:
        raise ValidationError(
            _("The values of %(kpi)s are computed by Rathaus and cannot be entered.") % {"kpi": kpi.name},
            code="computed",
        )
    errors: dict[str, list[str]] = {}
    parsed_period = parsed_value = None
    try:
        parsed_period = parse_period(period)
    except ValidationError as exc:
        errors["period"] = exc.messages
    try:
        parsed_value = kpi_value_parse(value, unit=kpi.unit, kpi_name=kpi.name)
    except ValidationError as exc:
        errors["value"] = exc.messages
    if len(note or "") > 500:
        errors["note"] = [_("The note may have at most 500 characters.")]
    if errors:
        raise ValidationError(errors)
    existing = (
        KpiValue.objects.select_for_update()
        .filter(kpi=kpi, period_start=parsed_period.start, period_end=parsed_period.end)
        .first()
    )
    previous = existing.value if existing else None
    record = existing or KpiValue(kpi=kpi, period_start=parsed_period.start, period_end=parsed_period.end)
    record.value = parsed_value
    record.source = KpiSource.MANUAL
    record.recorded_by = actor
    record.note = note or ""
    record.breakdown = {}
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        # someone recorded the same period at the same moment: theirs stays, ours is refused
        raise ValidationError(
            {
                "period": [
                    _("A value for this period was recorded at the same moment. Please check and try again.")
                ]
            }
        ) from None
    audit_record(
        action=AuditActions.VALUE_REPLACED if existing else AuditActions.VALUE_RECORDED,
        actor=actor,
        obj=kpi,
        request=request,
        details={
            "key": kpi.key,
            "period": parsed_period.label,
            "value": str(parsed_value),
            "previous": "" if previous is None else str(previous),
        },
    )
    record.previous_value = previous
    record.period_label = parsed_period.label
    return record


# --- computed values ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Measured:
    kpi: Kpi
    figure: kpi_registry.KpiFigure


def _measure(kpi: Kpi, day: dt.date) -> _Measured | None:
    try:
        figure = kpi_registry.compute(kpi.provider_key, as_of=day)
    except Exception:
        # One broken or switched-off figure must not stop the others.
        logger.exception("key figure %s (%s) could not be computed", kpi.key, kpi.provider_key)
        return None
    if figure.value is None:
        return None
    return _Measured(kpi, figure)


def kpi_snapshot_all(as_of: dt.date | None = None, *, acting_user=None) -> list[KpiValue]:
    """Record every computed key figure for the day ``as_of`` (today when None).

    One value per KPI and day (period_start = period_end = the day); a later run on the same day
    replaces it, so the hourly job keeps today's value fresh. A figure whose provider fails is
    logged and skipped, one with nothing to measure is skipped; the others are recorded."""
    day = as_of or timezone.localdate()
    # measured outside the transaction: a provider's failing query must not poison the writes
    measured = [
        m for kpi in Kpi.objects.filter(source=KpiSource.COMPUTED) if (m := _measure(kpi, day)) is not None
    ]
    with transaction.atomic():
        recorded = [_store_snapshot(m, day) for m in measured]
        if acting_user is not None:
            audit_record(
                action=AuditActions.SNAPSHOT,
                actor=acting_user,
                details={"day": day.isoformat(), "recorded": [v.kpi.key for v in recorded]},
            )
    return recorded


def _store_snapshot(measured: _Measured, day: dt.date) -> KpiValue:
    value = measured.figure.value.quantize(PLACES, rounding=ROUND_HALF_UP)
    breakdown = {str(k): str(v) for k, v in measured.figure.breakdown.items() if v is not None}
    record, _created = KpiValue.objects.update_or_create(
        kpi=measured.kpi,
        period_start=day,
        period_end=day,
        defaults={
            "value": value,
            "breakdown": breakdown,
            "source": KpiSource.COMPUTED,
            "recorded_by": None,
            "note": "",
        },
    )
    return record
