"""Writes of the measures plan (Maßnahmenplan): create a plan with its yearly limits, let Rathaus
suggest a schedule, adjust it by hand, adopt it.

Decisions:

- A plan spans at most ten years and has a budget and a staff capacity for every year.
- The suggestion takes the ranking of the utility analysis (best first). Measures nobody has
  scored yet are left out as "not evaluated" unless a mandatory measure needs them; legal
  obligations are always planned first. Measures in progress stay at the quarter of their planned
  start when it lies in the plan period; measures placed by hand stay where they are.
- A move by hand that would break a dependency, a budget or a capacity limit, or leave the plan
  period is refused with the reason, and the old placement stays. Problems that were there
  before (say, after the limits were lowered) do not block a move that does not make them worse.
- A plan is adopted only without problems; adopting writes the planned start and end into its
  measures and archives the plan adopted before. Changing an adopted plan makes it a draft again
  (its measures keep the dates of the adoption until it is adopted again); archived plans are
  read only.

Every write locks the plan row first, so two clicks on "suggest" run one after the other and the
second simply produces the same plan again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy

from rathaus.core.audit import audit_record
from rathaus.core.audit_actions import audit_actions

from .. import scheduling
from ..constants import OPEN_MEASURE_STATUSES, ExclusionReason, MeasureStatus, PlanStatus
from ..models import Measure, Plan, PlanEntry, PlanExclusion, PlanYear
from ..notes import Date, Name, from_data, render, to_data
from ..notes import gettext as _  # a stored sentence keeps how to write it in another language
from ..selectors import planning as selectors

__all__ = [
    "MAX_PLAN_YEARS",
    "PlanAuditAction",
    "plan_adopt",
    "plan_check",
    "plan_create",
    "plan_entry_move",
    "plan_entry_remove",
    "plan_limits_update",
    "plan_suggest",
]

MAX_PLAN_YEARS = 10
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
MAX_BUDGET = Decimal("999999999999.99")  # what the money column holds
TEXT_MAX = 500  # PlanEntry.explanation, PlanExclusion.explanation
TOKEN_MAX = 64  # Plan.request_token
# Plan.problems: a schedule that cannot hold the mandatory measures is stored as this kind.
INFEASIBLE = "infeasible"
STATUS = "status"


@audit_actions
class PlanAuditAction(models.TextChoices):
    """Audit actions of the measures plan (the audit log stores the value)."""

    CREATED = "strategy_plan_created", gettext_lazy("Measures plan created")
    LIMITS_CHANGED = "strategy_plan_limits_changed", gettext_lazy("Plan limits changed")
    SUGGESTED = "strategy_plan_suggested", gettext_lazy("Plan suggested")
    ENTRY_MOVED = "strategy_plan_entry_moved", gettext_lazy("Measure moved in the plan")
    ENTRY_REMOVED = "strategy_plan_entry_removed", gettext_lazy("Measure taken out of the plan")
    ADOPTED = "strategy_plan_adopted", gettext_lazy("Plan adopted")


def _require_manager(actor) -> None:
    if actor is None or not actor.has_perm("strategy.manage"):
        raise PermissionDenied(_("You may not do this."))


def _lock(plan: Plan) -> Plan:
    return Plan.objects.select_for_update().get(pk=plan.pk)


def _editable(plan: Plan) -> None:
    """Refuse changes to an archived plan; an adopted plan becomes a draft again."""
    if plan.status == PlanStatus.ARCHIVED:
        raise ValidationError(_("This plan is archived and can no longer be changed."))
    if plan.status == PlanStatus.ADOPTED:
        plan.status = PlanStatus.DRAFT


def _text(value: str) -> str:
    return Truncator(value).chars(TEXT_MAX)


def _measure_name(measure: Measure) -> Name:
    english = f"{measure.code} {measure.title_en}" if measure.title_en else ""
    return Name(f"{measure.code} {measure.title}", english)


def _status_name(measure: Measure) -> Name:
    label = MeasureStatus(measure.status).label
    with translation.override("de"):
        german = str(label)
    with translation.override("en"):
        english = str(label)
    return Name(german, english)


# --- limits --------------------------------------------------------------------------------------


def _year(value, *, field: str) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a year such as 2027.")}) from None
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise ValidationError({field: _("Enter a year between 2000 and 2100.")})
    return year


def _clean_limits(years: range, limits: Mapping) -> dict[int, tuple[Decimal, int]]:
    """A budget (EUR, not negative) and a capacity (person-days) for every year of the period."""
    given = {int(year): value for year, value in limits.items()}
    missing = [str(year) for year in years if year not in given]
    if missing:
        raise ValidationError(
            _("Enter a budget and a staff capacity for every year of the plan (missing: %(years)s).")
            % {"years": ", ".join(missing)}
        )
    outside = sorted(year for year in given if year not in years)
    if outside:
        raise ValidationError(
            _("%(years)s is not a year of the plan.") % {"years": ", ".join(map(str, outside))}
        )
    cleaned = {}
    for year in years:
        budget, capacity = given[year]
        try:
            budget = Decimal(str(budget))
        except InvalidOperation:
            raise ValidationError(_("The budget %(year)s is not an amount.") % {"year": year}) from None
        if (
            not budget.is_finite()
            or budget < 0
            or budget > MAX_BUDGET
            or budget != budget.quantize(Decimal("0.01"))
        ):
            raise ValidationError(
                _("The budget %(year)s must be an amount in euros and cents, not negative.") % {"year": year}
            )
        try:
            capacity = int(capacity)
        except (TypeError, ValueError):
            raise ValidationError(
                _("The staff capacity %(year)s must be a whole number of person-days.") % {"year": year}
            ) from None
        if capacity < 0 or capacity > 2_000_000_000:
            raise ValidationError(
                _("The staff capacity %(year)s must be a whole number of person-days, not negative.")
                % {"year": year}
            )
        cleaned[year] = (budget, capacity)
    return cleaned


def _same_request(token: str, actor) -> Plan | None:
    """The plan an earlier sending of the same form made (a double click), if any."""
    if not token:
        return None
    plan = Plan.objects.filter(request_token=token).first()
    if plan is not None and plan.created_by_id != actor.pk:
        raise ValidationError(_("The form is no longer valid. Please load the page again."))
    return plan


def _duplicate_error(name: str, first: int, last: int) -> ValidationError:
    return ValidationError(
        {
            "name": _(
                "There is already a plan called “%(name)s” for %(first)s–%(last)s. Open it from the "
                "list of plans or choose another name."
            )
            % {"name": name, "first": first, "last": last}
        }
    )


@transaction.atomic
def plan_create(
    *,
    name: str,
    first_year: int,
    last_year: int,
    limits: Mapping[int, tuple],
    actor,
    request_token: str | None = None,
) -> Plan:
    """A new draft plan for ``first_year``..``last_year`` (at most ten years) with a budget and a
    staff capacity for each year.

    One plan per name (ignoring case) and period: a second one is refused with a message (the
    database holds the same rule, so parallel requests cannot both make one). ``request_token``
    is the form's one-time value: the same form sent again (a double click, a retried request)
    returns the plan the first sending made instead of refusing it."""
    _require_manager(actor)
    token = (request_token or "").strip()
    if len(token) > TOKEN_MAX:
        raise ValidationError(_("The form is no longer valid. Please load the page again."))
    existing = _same_request(token, actor)
    if existing is not None:
        return existing
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the plan a name.")})
    if len(name) > 200:
        raise ValidationError({"name": _("The name may have at most 200 characters.")})
    first = _year(first_year, field="first_year")
    last = _year(last_year, field="last_year")
    if last < first:
        raise ValidationError({"last_year": _("The last year cannot be before the first year.")})
    if last - first + 1 > MAX_PLAN_YEARS:
        raise ValidationError(
            {"last_year": _("A plan spans at most %(count)s years.") % {"count": MAX_PLAN_YEARS}}
        )
    cleaned = _clean_limits(range(first, last + 1), limits)
    if Plan.objects.filter(name__iexact=name, first_year=first, last_year=last).exists():
        raise _duplicate_error(name, first, last)
    plan = Plan(name=name, first_year=first, last_year=last, created_by=actor, request_token=token)
    plan.full_clean(validate_constraints=False)  # the constraints: the insert below, with a message
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        # a parallel request made it first: with the same token it is this request's plan
        existing = _same_request(token, actor)
        if existing is not None:
            return existing
        raise _duplicate_error(name, first, last) from None
    PlanYear.objects.bulk_create(
        PlanYear(plan=plan, year=year, budget=budget, capacity_person_days=capacity)
        for year, (budget, capacity) in cleaned.items()
    )
    audit_record(
        action=PlanAuditAction.CREATED,
        actor=actor,
        obj=plan,
        details={"period": [first, last], "limits": {y: [str(b), c] for y, (b, c) in cleaned.items()}},
    )
    return plan


@transaction.atomic
def plan_limits_update(*, plan: Plan, limits: Mapping[int, tuple], actor) -> Plan:
    """Change the budget and capacity of the plan's years; the plan is checked again."""
    _require_manager(actor)
    plan = _lock(plan)
    _editable(plan)
    cleaned = _clean_limits(range(plan.first_year, plan.last_year + 1), limits)
    for row in plan.years.all():
        row.budget, row.capacity_person_days = cleaned[row.year]
        row.save(update_fields=["budget", "capacity_person_days"])
    _store_check(plan)
    audit_record(
        action=PlanAuditAction.LIMITS_CHANGED,
        actor=actor,
        obj=plan,
        details={"limits": {y: [str(b), c] for y, (b, c) in cleaned.items()}},
    )
    return plan


# --- checking ------------------------------------------------------------------------------------


def _status_problems(measures: Sequence[Measure], placements: Mapping[str, tuple]) -> list[dict]:
    """Placed measures that are no longer open (completed, paused, dropped)."""
    return [
        {
            "kind": STATUS,
            "message": (
                note := _("“%(measure)s” is placed but its status is “%(status)s”; remove it from the plan.")
                % {"measure": _measure_name(m), "status": _status_name(m)}
            ),
            "note": to_data(note),
            "keys": [m.code],
            "year": None,
        }
        for m in measures
        if m.code in placements and m.status not in OPEN_MEASURE_STATUSES
    ]


def _current_problems(plan: Plan) -> tuple[list[scheduling.Problem], list[dict]]:
    measures, specs, limits, placements = selectors.plan_check_input(plan)
    return scheduling.check_schedule(specs, limits, placements), _status_problems(measures, placements)


def _store_check(plan: Plan, *, extra: Sequence[dict] = ()) -> list[dict]:
    problems, status = _current_problems(plan)
    plan.problems = [*extra, *[p.as_dict() for p in problems], *status]
    plan.checked_at = timezone.now()
    plan.save(update_fields=["problems", "checked_at", "status", "updated_at"])
    return plan.problems


@transaction.atomic
def plan_check(*, plan: Plan) -> list[dict]:
    """Check the plan as it stands and store the problems (a list of dicts with ``message``)."""
    return _store_check(_lock(plan))


# --- the suggestion ------------------------------------------------------------------------------


def _priority(order: Sequence[Measure] | None) -> tuple[list[str], set[str]]:
    """Measure codes best first, and the codes that have a rank (were evaluated)."""
    if order is not None:
        codes = [m.code for m in order]
        return codes, set(codes)
    from ..selectors.evaluation import ranked_measures

    ranked = ranked_measures()
    return [m.code for m, _rank in ranked], {m.code for m, rank in ranked if rank is not None}


def _fixed(plan: Plan, measures: Sequence[Measure]) -> tuple[dict[str, tuple], dict[str, str]]:
    """Placements that stay: entries placed by hand, measures in progress at their planned start
    when it lies in the plan period, and measures in progress since before the period from its
    first quarter (with their remaining quarters)."""
    fixed: dict[str, tuple] = {}
    why: dict[str, str] = {}
    for measure in measures:
        start = measure.planned_start
        if measure.status != MeasureStatus.IN_PROGRESS or not start:
            continue
        if plan.first_year <= start.year <= plan.last_year:
            fixed[measure.code] = selectors.quarter_of(start)
            why[measure.code] = _("In progress: stays at its planned start.")
        elif selectors.carried_over(measure, plan.first_year) and selectors.plan_duration(
            measure, plan.first_year
        ):
            fixed[measure.code] = (plan.first_year, 1)
            why[measure.code] = _(
                "In progress since %(start)s: its remaining quarters and their share of the costs are planned."
            ) % {"start": scheduling.quarter_label(selectors.quarter_of(start))}
    for code, year, quarter in plan.entries.filter(is_manual=True).values_list(
        "measure__code", "start_year", "start_quarter"
    ):
        fixed[code] = (year, quarter)
        why[code] = _("Placed by hand.")
    return fixed, why


@transaction.atomic
def plan_suggest(*, plan: Plan, actor, order: Sequence[Measure] | None = None) -> scheduling.Schedule:
    """Let Rathaus suggest the schedule: replaces the entries it placed before and the list of
    measures left out; entries placed by hand stay, and so do measures removed by hand. ``order`` (best first) replaces the ranking
    of the utility analysis; open measures missing from it count as not evaluated."""
    _require_manager(actor)
    plan = _lock(plan)
    _editable(plan)
    plan.entries.exclude(measure__status__in=OPEN_MEASURE_STATUSES).delete()
    by_code = {
        m.code: m
        for m in selectors.open_measures()
        if not (
            selectors.carried_over(m, plan.first_year) and not selectors.plan_duration(m, plan.first_year)
        )
    }
    codes, evaluated = _priority(order)
    ordered = [by_code[c] for c in codes if c in by_code]
    ordered += [m for c, m in by_code.items() if c not in set(codes)]
    fixed, why = _fixed(plan, ordered)
    removed = {
        code: from_data(note) if note else explanation
        for code, explanation, note in plan.exclusions.filter(reason=ExclusionReason.MANUAL).values_list(
            "measure__code", "explanation", "note"
        )
    }
    try:
        schedule = scheduling.suggest_schedule(
            selectors.specs_for(ordered, evaluated_codes=evaluated, first_year=plan.first_year),
            selectors.plan_limits(plan),
            fixed=fixed,
            removed=removed,
        )
    except ValueError as exc:  # a dependency cycle (the measures' service refuses them anyway)
        raise ValidationError(str(exc)) from exc
    plan.entries.filter(is_manual=False).delete()
    plan.exclusions.all().delete()
    manual = set(plan.entries.values_list("measure__code", flat=True))
    PlanEntry.objects.bulk_create(
        PlanEntry(
            plan=plan,
            measure=by_code[code],
            start_year=year,
            start_quarter=quarter,
            explanation=_text(explanation := why.get(code) or schedule.explanations.get(code, "")),
            note=to_data(explanation) or None,
        )
        for code, (year, quarter) in schedule.placements.items()
        if code not in manual
    )
    PlanExclusion.objects.bulk_create(
        PlanExclusion(
            plan=plan,
            measure=by_code[e.key],
            reason=ExclusionReason(str(e.reason)),
            explanation=_text(e.explanation),
            note=to_data(e.explanation) or None,
        )
        for e in schedule.exclusions
    )
    extra = (
        []
        if schedule.feasible
        else [
            {
                "kind": INFEASIBLE,
                "message": str(schedule.message),
                "note": to_data(schedule.message),
                "keys": [],
                "year": None,
            }
        ]
    )
    _store_check(plan, extra=extra)
    audit_record(
        action=PlanAuditAction.SUGGESTED,
        actor=actor,
        obj=plan,
        details={
            "placed": len(schedule.placements),
            "left_out": len(schedule.exclusions),
            "feasible": schedule.feasible,
        },
    )
    return schedule


# --- changes by hand -----------------------------------------------------------------------------


def _worse(before: list[scheduling.Problem], after: list[scheduling.Problem]) -> list[scheduling.Problem]:
    """Problems in ``after`` that were not in ``before`` or have grown."""
    known = {p.identity: p.excess for p in before}
    return [
        p
        for p in after
        if p.kind != scheduling.ProblemKind.MANDATORY
        and (p.identity not in known or p.excess > known[p.identity])
    ]


def _refuse(intro: str, problems: Sequence[scheduling.Problem]) -> None:
    raise ValidationError([intro, *[p.message for p in problems]])


def _open_measure(measure: Measure) -> Measure:
    measure = Measure.objects.get(pk=measure.pk)
    if measure.status not in OPEN_MEASURE_STATUSES:
        raise ValidationError(
            _("“%(measure)s” is “%(status)s” and cannot be planned.")
            % {"measure": _measure_name(measure), "status": measure.get_status_display()}
        )
    return measure


@transaction.atomic
def plan_entry_move(*, plan: Plan, measure: Measure, year: int, quarter: int, actor) -> PlanEntry:
    """Place ``measure`` by hand to start in ``year``/``quarter`` (also a measure the suggestion
    left out). Refused, with the reason, if that breaks a dependency, a limit or the period."""
    _require_manager(actor)
    plan = _lock(plan)
    _editable(plan)
    measure = _open_measure(measure)
    try:
        year, quarter = int(year), int(quarter)
    except (TypeError, ValueError):
        raise ValidationError(_("Choose a year and a quarter.")) from None
    if not plan.first_year <= year <= plan.last_year or not 1 <= quarter <= 4:
        raise ValidationError(
            _("Choose a quarter within the plan period %(first)s–%(last)s.")
            % {"first": plan.first_year, "last": plan.last_year}
        )
    _measures, specs, limits, placements = selectors.plan_check_input(plan)
    before = scheduling.check_schedule(specs, limits, placements)
    moved = {**placements, measure.code: (year, quarter)}
    worse = _worse(before, scheduling.check_schedule(specs, limits, moved))
    if worse:
        _refuse(
            _("“%(measure)s” was not moved to %(quarter)s; it stays where it was:")
            % {
                "measure": _measure_name(measure),
                "quarter": scheduling.quarter_label((year, quarter)),
            },
            worse,
        )
    try:
        entry, _created = PlanEntry.objects.update_or_create(
            plan=plan,
            measure=measure,
            defaults={
                "start_year": year,
                "start_quarter": quarter,
                "is_manual": True,
                "explanation": (placed := _("Placed by hand.")),
                "note": to_data(placed),
            },
        )
    except IntegrityError as exc:  # pragma: no cover - the plan row lock serialises writers
        raise ValidationError(_("The plan was changed at the same time; please try again.")) from exc
    plan.exclusions.filter(measure=measure).delete()
    _store_check(plan)
    audit_record(
        action=PlanAuditAction.ENTRY_MOVED,
        actor=actor,
        obj=plan,
        details={
            "measure": measure.code,
            "start": [year, quarter],
            "before": list(placements.get(measure.code, ())),
        },
    )
    return entry


@transaction.atomic
def plan_entry_remove(*, plan: Plan, measure: Measure, actor) -> None:
    """Take ``measure`` out of the plan. Refused for a legal obligation and for a measure that a
    placed measure requires. It is listed as removed by hand, and later suggestions leave it
    out, until it is placed by hand again."""
    _require_manager(actor)
    plan = _lock(plan)
    _editable(plan)
    measure = Measure.objects.get(pk=measure.pk)
    entry = plan.entries.filter(measure=measure).first()
    if entry is None:
        raise ValidationError(_("This measure is not in the plan."))
    name = _measure_name(measure)
    if measure.is_mandatory and measure.status in OPEN_MEASURE_STATUSES:
        raise ValidationError(
            _("“%(measure)s” is a legal obligation and cannot be removed from the plan.") % {"measure": name}
        )
    _measures, specs, limits, placements = selectors.plan_check_input(plan)
    before = scheduling.check_schedule(specs, limits, placements)
    after = scheduling.check_schedule(
        specs, limits, {k: v for k, v in placements.items() if k != measure.code}
    )
    worse = _worse(before, after)
    if worse:
        _refuse(_("“%(measure)s” was not removed; it stays in the plan:") % {"measure": name}, worse)
    entry.delete()
    removed = _(
        "Taken out of the plan by hand on %(date)s; suggestions leave it out until it is placed again."
    ) % {"date": Date(timezone.localdate())}
    PlanExclusion.objects.update_or_create(
        plan=plan,
        measure=measure,
        defaults={"reason": ExclusionReason.MANUAL, "explanation": _text(removed), "note": to_data(removed)},
    )
    _store_check(plan)
    audit_record(
        action=PlanAuditAction.ENTRY_REMOVED, actor=actor, obj=plan, details={"measure": measure.code}
    )


# --- adoption ------------------------------------------------------------------------------------


@transaction.atomic
def plan_adopt(*, plan: Plan, actor) -> Plan:
    """Adopt a plan without problems: each placed measure gets the first day of its start quarter
    as planned start and the last day of its end quarter as planned end; measures under
    evaluation become planned. The plan adopted before is archived."""
    _require_manager(actor)
    plan = _lock(plan)
    if plan.status == PlanStatus.ARCHIVED:
        raise ValidationError(_("This plan is archived and can no longer be changed."))
    problems = _store_check(plan)
    if problems:
        raise ValidationError(
            [
                _("The plan cannot be adopted while it has problems:"),
                *[render(p.get("note"), p["message"]) for p in problems],
            ]
        )
    entries = list(plan.entries.select_related("measure"))
    if not entries:
        raise ValidationError(_("The plan holds no measure yet: let Rathaus suggest a schedule first."))
    for entry in entries:
        measure = entry.measure
        start = (entry.start_year, entry.start_quarter)
        duration = max(selectors.plan_duration(measure, plan.first_year), 1)
        if not selectors.carried_over(measure, plan.first_year):
            measure.planned_start = selectors.quarter_first_day(start)
        measure.planned_end = selectors.quarter_last_day(scheduling.end_quarter(start, duration))
        fields = ["planned_start", "planned_end", "updated_at"]
        if measure.status == MeasureStatus.CANDIDATE:
            measure.status = MeasureStatus.PLANNED
            fields.append("status")
        measure.save(update_fields=fields)
    Plan.objects.filter(status=PlanStatus.ADOPTED).exclude(pk=plan.pk).update(
        status=PlanStatus.ARCHIVED, updated_at=timezone.now()
    )
    plan.status = PlanStatus.ADOPTED
    plan.save(update_fields=["status", "updated_at"])
    audit_record(
        action=PlanAuditAction.ADOPTED,
        actor=actor,
        obj=plan,
        details={"measures": sorted(entry.measure.code for entry in entries)},
    )
    return plan
