"""Writes of the utility analysis: criteria, their weights, and the evaluators' scores.

Each function is one use case in one transaction; it validates its input and raises
``ValidationError`` with translated messages (nothing is saved then), and writes its audit entry
in the same transaction.

Decision on weights: **we refuse, we do not normalise.** The active criteria's weights must add
up to exactly 100 %; any other sum is refused with the sum named. A saved weighting is therefore
always the one the committee agreed on. What-if questions (``ranking.utility_ranking`` with
``weights=``) normalise instead, because they are explorations, not decisions.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.core.audit import audit_record
from rathaus.core.audit_actions import audit_actions

from ..constants import OPEN_MEASURE_STATUSES, CriterionDirection
from ..models import Criterion, Measure, Score

__all__ = [
    "AuditActions",
    "criteria_weights_set",
    "criterion_create",
    "criterion_deactivate",
    "criterion_reactivate",
    "criterion_update",
    "score_set",
]

WEIGHT_TOTAL = Decimal(100)
CENT = Decimal("0.01")
COMMENT_MAX = 500
# Fields criterion_update may change; the weight has its own use case, activity too.
CRITERION_FIELDS = (
    "key",
    "name",
    "name_en",
    "description",
    "description_en",
    "scale_min",
    "scale_max",
    "direction",
    "order",
)


@audit_actions
class AuditActions(models.TextChoices):
    """Audit actions of the utility analysis (the audit log stores the value)."""

    WEIGHTS_SET = "strategy_weights_set", gettext_lazy("Criteria weights set")
    CRITERION_CREATED = "strategy_criterion_created", gettext_lazy("Evaluation criterion created")
    CRITERION_CHANGED = "strategy_criterion_changed", gettext_lazy("Evaluation criterion changed")
    CRITERION_DEACTIVATED = "strategy_criterion_deactivated", gettext_lazy("Evaluation criterion deactivated")
    CRITERION_REACTIVATED = "strategy_criterion_reactivated", gettext_lazy("Evaluation criterion reactivated")
    SCORES_SET = "strategy_scores_set", gettext_lazy("Measure scores set")


def _require(user, perm: str) -> None:
    if user is None or not user.has_perm(perm):
        raise PermissionDenied(_("You may not do this."))


def _percent(value: Decimal) -> str:
    return number_format(value, decimal_pos=2)


# --- weights --------------------------------------------------------------------------------------


def _parse_weight(raw, criterion: Criterion) -> tuple[Decimal | None, str | None]:
    """The weight as a Decimal with at most two places, or the message why it is refused."""
    name = criterion.translated("name")
    try:
        weight = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None, _("The weight of „%(criterion)s“ is not a number.") % {"criterion": name}
    if not weight.is_finite():
        return None, _("The weight of „%(criterion)s“ is not a number.") % {"criterion": name}
    if weight < 0 or weight > WEIGHT_TOTAL:
        return None, _("The weight of „%(criterion)s“ must lie between 0 and 100 %%.") % {"criterion": name}
    if weight != weight.quantize(CENT):
        return None, _("The weight of „%(criterion)s“ may have at most two decimal places.") % {
            "criterion": name
        }
    return weight.quantize(CENT), None


@transaction.atomic
def criteria_weights_set(*, weights: Mapping[int, Decimal], acting_user) -> list[Criterion]:
    """Set the weights of active criteria (criterion id → percent); the others keep theirs.

    Refused, and nothing saved, unless every weight lies within 0..100 with at most two decimal
    places and all active weights together add up to exactly 100. Returns the active criteria.
    """
    _require(acting_user, "strategy.manage")
    active = {c.pk: c for c in Criterion.objects.select_for_update().filter(is_active=True).order_by("pk")}
    errors: list[str] = []
    new: dict[int, Decimal] = {}
    for pk, raw in weights.items():
        criterion = active.get(_as_int(pk))
        if criterion is None:
            errors.append(_("One of the criteria is unknown or no longer active; reload the page."))
            continue
        weight, error = _parse_weight(raw, criterion)
        if error:
            errors.append(error)
        else:
            new[criterion.pk] = weight
    if errors:
        raise ValidationError(errors)
    total = sum((new.get(pk, c.weight) for pk, c in active.items()), Decimal(0))
    if total != WEIGHT_TOTAL:
        raise ValidationError(
            _(
                "The weights add up to %(sum)s %%, but they must add up to exactly 100 %%. "
                "Other sums are refused, not normalised. Nothing was saved."
            ),
            code="weight_sum",
            params={"sum": _percent(total)},
        )
    changed = {}
    for pk, weight in new.items():
        criterion = active[pk]
        if criterion.weight != weight:
            criterion.weight = weight
            criterion.full_clean()
            criterion.save(update_fields=["weight"])
            changed[criterion.key] = str(weight)
    audit_record(
        action=AuditActions.WEIGHTS_SET,
        actor=acting_user,
        details={"changed": changed, "weights": {c.key: str(c.weight) for c in active.values()}},
    )
    return sorted(active.values(), key=lambda c: (c.order, c.key))


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- criteria -------------------------------------------------------------------------------------


def _check_scale(scale_min: int, scale_max: int) -> None:
    if scale_min >= scale_max:
        raise ValidationError(
            {"scale_max": _("The highest score must be greater than the lowest score.")}, code="scale"
        )


def _check_key_free(key: str, *, exclude_pk: int | None = None) -> None:
    if Criterion.objects.filter(key=key).exclude(pk=exclude_pk).exists():
        raise ValidationError(
            {"key": _("A criterion with the key „%(key)s“ already exists.") % {"key": key}}, code="key"
        )


def _save_criterion(criterion: Criterion) -> None:
    criterion.full_clean()
    try:
        with transaction.atomic():
            criterion.save()
    except IntegrityError as exc:  # a parallel request took the key
        raise ValidationError(
            {"key": _("A criterion with the key „%(key)s“ already exists.") % {"key": criterion.key}}
        ) from exc


@transaction.atomic
def criterion_create(
    *,
    key: str,
    name: str,
    acting_user,
    name_en: str = "",
    description: str = "",
    description_en: str = "",
    scale_min: int = 0,
    scale_max: int = 5,
    direction: str = CriterionDirection.HIGHER_IS_BETTER,
    order: int | None = None,
) -> Criterion:
    """A new active criterion with weight 0, so the agreed weights still add up to 100; the
    strategy office then distributes the weights anew."""
    _require(acting_user, "strategy.manage")
    _check_scale(scale_min, scale_max)
    _check_key_free(key)
    if order is None:
        order = (Criterion.objects.order_by("-order").values_list("order", flat=True).first() or 0) + 10
    criterion = Criterion(
        key=key,
        name=name,
        name_en=name_en,
        description=description,
        description_en=description_en,
        weight=Decimal(0),
        scale_min=scale_min,
        scale_max=scale_max,
        direction=direction,
        order=order,
    )
    _save_criterion(criterion)
    audit_record(
        action=AuditActions.CRITERION_CREATED,
        actor=acting_user,
        obj=criterion,
        details={"key": key, "scale": [scale_min, scale_max], "direction": direction},
    )
    return criterion


@transaction.atomic
def criterion_update(*, criterion: Criterion, acting_user, **fields) -> Criterion:
    """Change a criterion's key, names, description, scale, direction or order.

    Once measures have been scored on it, its scale and direction are fixed: a saved score must
    keep the meaning its evaluator gave it (create a new criterion instead).
    """
    _require(acting_user, "strategy.manage")
    unknown = set(fields) - set(CRITERION_FIELDS)
    if unknown:
        raise ValueError(f"criterion_update cannot change {', '.join(sorted(unknown))}")
    criterion = Criterion.objects.select_for_update().get(pk=criterion.pk)
    before = {name: getattr(criterion, name) for name in CRITERION_FIELDS}
    for name, value in fields.items():
        setattr(criterion, name, value)
    _check_scale(criterion.scale_min, criterion.scale_max)
    if criterion.key != before["key"]:
        _check_key_free(criterion.key, exclude_pk=criterion.pk)
    meaning = ("scale_min", "scale_max", "direction")
    if any(getattr(criterion, name) != before[name] for name in meaning):
        scored = criterion.scores.count()
        if scored:
            raise ValidationError(
                _(
                    "Measures have already been scored on this criterion (scores so far: %(count)s), so its "
                    "scale and direction can no longer change. Create a new criterion instead."
                ),
                code="scored",
                params={"count": scored},
            )
    _save_criterion(criterion)
    changed = {
        name: str(getattr(criterion, name))
        for name in CRITERION_FIELDS
        if getattr(criterion, name) != before[name]
    }
    if changed:
        audit_record(
            action=AuditActions.CRITERION_CHANGED,
            actor=acting_user,
            obj=criterion,
            details={"key": criterion.key, "changed": sorted(changed)},
        )
    return criterion


@transaction.atomic
def criterion_deactivate(*, criterion: Criterion, acting_user) -> Criterion:
    """Take a criterion out of the evaluation; its scores are kept but no longer count.

    Only a criterion with weight 0 can go, so the remaining weights still add up to 100: the
    strategy office first moves its weight to the others.
    """
    _require(acting_user, "strategy.manage")
    criterion = Criterion.objects.select_for_update().get(pk=criterion.pk)
    if not criterion.is_active:
        return criterion
    if criterion.weight != 0:
        raise ValidationError(
            _(
                "„%(criterion)s“ still has a weight of %(weight)s %%. Set its weight to 0 and "
                "distribute it to the other criteria first, so that the weights still add up to 100 %%."
            ),
            code="weighted",
            params={"criterion": criterion.translated("name"), "weight": _percent(criterion.weight)},
        )
    criterion.is_active = False
    criterion.save(update_fields=["is_active"])
    audit_record(
        action=AuditActions.CRITERION_DEACTIVATED,
        actor=acting_user,
        obj=criterion,
        details={"key": criterion.key},
    )
    return criterion


@transaction.atomic
def criterion_reactivate(*, criterion: Criterion, acting_user) -> Criterion:
    """Bring a criterion back with weight 0 (the agreed weights stay as they are)."""
    _require(acting_user, "strategy.manage")
    criterion = Criterion.objects.select_for_update().get(pk=criterion.pk)
    if criterion.is_active:
        return criterion
    criterion.is_active = True
    criterion.weight = Decimal(0)
    criterion.save(update_fields=["is_active", "weight"])
    audit_record(
        action=AuditActions.CRITERION_REACTIVATED,
        actor=acting_user,
        obj=criterion,
        details={"key": criterion.key},
    )
    return criterion


# --- scores ---------------------------------------------------------------------------------------


def _score_errors(
    values: Mapping[int, int], comments: Mapping[int, str], criteria: Mapping[int, Criterion]
) -> list[str]:
    errors: list[str] = []
    for raw_pk, value in values.items():
        criterion = criteria.get(_as_int(raw_pk))
        if criterion is None:
            errors.append(_("A score was given for an unknown criterion; reload the page."))
            continue
        name = criterion.translated("name")
        if not criterion.is_active:
            errors.append(
                _("The criterion „%(criterion)s“ is no longer used; reload the page.") % {"criterion": name}
            )
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(_("The score for „%(criterion)s“ must be a whole number.") % {"criterion": name})
        elif not criterion.scale_min <= value <= criterion.scale_max:
            errors.append(
                _(
                    "The score for „%(criterion)s“ must lie between %(min)s and %(max)s; "
                    "%(value)s is outside the scale."
                )
                % {"criterion": name, "min": criterion.scale_min, "max": criterion.scale_max, "value": value}
            )
    for raw_pk, comment in comments.items():
        if _as_int(raw_pk) not in {_as_int(pk) for pk in values}:
            errors.append(_("A comment belongs to a criterion without a score."))
        elif len(comment or "") > COMMENT_MAX:
            errors.append(_("A comment may have at most %(max)s characters.") % {"max": COMMENT_MAX})
    return errors


@transaction.atomic
def score_set(
    *,
    measure: Measure,
    evaluator,
    values: Mapping[int, int],
    comments: Mapping[int, str] | None = None,
) -> list[Score]:
    """Save ``evaluator``'s own scores of ``measure`` (criterion id → score), all or nothing.

    Every evaluator scores independently; this never touches another evaluator's scores. Refused
    when the measure is no longer open for evaluation, a criterion is unknown or inactive, or a
    score lies outside its criterion's scale (the allowed range is named). ``comments``
    (criterion id → text) replace the comments of the criteria they name.
    """
    _require(evaluator, "strategy.evaluate")
    comments = dict(comments or {})
    # Lock the measure: two submissions of one sheet queue here instead of racing for the rows.
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    if measure.status not in OPEN_MEASURE_STATUSES:
        raise ValidationError(
            _("%(measure)s is %(status)s and can no longer be scored.")
            % {"measure": measure.code, "status": measure.get_status_display()},
            code="closed",
        )
    if not values:
        raise ValidationError(_("Enter at least one score."), code="empty")
    ids = {pk for pk in map(_as_int, values) if pk is not None}
    criteria = {c.pk: c for c in Criterion.objects.filter(pk__in=ids)}
    errors = _score_errors(values, comments, criteria)
    if errors:
        raise ValidationError(errors)
    saved = []
    for raw_pk, value in values.items():
        criterion = criteria[_as_int(raw_pk)]
        defaults = {"value": value}
        if raw_pk in comments:
            defaults["comment"] = (comments[raw_pk] or "").strip()
        score, _created = Score.objects.update_or_create(
            measure=measure, criterion=criterion, evaluator=evaluator, defaults=defaults
        )
        saved.append(score)
    audit_record(
        action=AuditActions.SCORES_SET,
        actor=evaluator,
        obj=measure,
        details={"measure": measure.code, "criteria": sorted(c.key for c in criteria.values())},
    )
    return saved
