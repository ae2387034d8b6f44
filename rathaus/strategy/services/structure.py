"""Writes to the strategy's structure: measures, their dependencies, and proposals for measures.

Each function is one use case in one transaction; it validates its input, raises
``ValidationError`` with translated messages (the views show them with the form), and writes its
audit entry in the same transaction. The database constraints back the checks up.

Proposals come from departments (``proposal_submit``) and, through ``proposal_submit_idea``, from
other modules such as the participation module (ideas of citizens or staff, no account needed).
The strategy office decides each one exactly once: accept (a new measure), merge into an existing
measure, or reject, always with a reason the proposer can read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.accounts.constants import DEPARTMENT_ROLES, StaffRoleKind
from rathaus.accounts.models import Department
from rathaus.core.audit import audit_record
from rathaus.core.audit_actions import audit_actions

from ..constants import MeasureOrigin, MeasureStatus, ProposalStatus
from ..graph import find_cycle
from ..models import FieldOfAction, Guideline, Measure, MeasureDependency, MeasureProposal, Strategy

__all__ = [
    "IDEA_ORIGINS",
    "MEASURE_FIELDS",
    "StructureAuditAction",
    "measure_create",
    "measure_dependencies_set",
    "measure_status_set",
    "measure_update",
    "proposal_accept",
    "proposal_merge",
    "proposal_reject",
    "proposal_submit",
    "proposal_submit_idea",
]


@audit_actions
class StructureAuditAction(models.TextChoices):
    """Audit action values of the strategy's structure (stored as plain strings)."""

    MEASURE_CREATED = "strategy_measure_created", gettext_lazy("Measure created")
    MEASURE_CHANGED = "strategy_measure_changed", gettext_lazy("Measure changed")
    MEASURE_STATUS_SET = "strategy_measure_status_set", gettext_lazy("Measure status set")
    DEPENDENCIES_SET = "strategy_measure_dependencies_set", gettext_lazy("Measure dependencies set")
    PROPOSAL_SUBMITTED = "strategy_proposal_submitted", gettext_lazy("Measure proposed")
    PROPOSAL_ACCEPTED = "strategy_proposal_accepted", gettext_lazy("Proposal accepted")
    PROPOSAL_MERGED = "strategy_proposal_merged", gettext_lazy("Proposal merged into a measure")
    PROPOSAL_REJECTED = "strategy_proposal_rejected", gettext_lazy("Proposal rejected")


# Plain attributes of a measure a caller may pass in ``data`` (relations are handled apart).
MEASURE_FIELDS = (
    "code",
    "title",
    "title_en",
    "description",
    "description_en",
    "investment_cost",
    "running_cost",
    "expected_benefit",
    "effort_person_days",
    "duration_quarters",
    "planned_start",
    "planned_end",
    "status",
    "is_mandatory",
    "legal_basis",
    "risks",
    "is_public",
)
_MONEY_FIELDS = ("investment_cost", "running_cost")
IDEA_ORIGINS = (MeasureOrigin.CITIZEN, MeasureOrigin.STAFF)
REFERENCE_MAX = MeasureProposal._meta.get_field("external_reference").max_length


# --- helpers ---------------------------------------------------------------------------------------


def _pk(value) -> Any:
    return getattr(value, "pk", value)


def _resolve(model, value, *, field: str, message: str):
    """An instance of ``model`` from an instance or a primary key; ValidationError if unknown."""
    if value in (None, ""):
        return None
    if isinstance(value, model):
        return value
    try:
        return model.objects.get(pk=value)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise ValidationError({field: message}) from exc


def _guidelines(values: Iterable, *, required: bool) -> list[Guideline]:
    """The guidelines named by instances or ids; every one must exist."""
    ids = []
    for value in values or ():
        pk = _pk(value)
        try:
            ids.append(int(pk))
        except (TypeError, ValueError) as exc:
            raise ValidationError({"guidelines": _("Please choose existing guidelines.")}) from exc
    found = list(Guideline.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({"guidelines": _("Please choose existing guidelines.")})
    if required and not found:
        raise ValidationError({"guidelines": _("Please link the measure to at least one guideline.")})
    return found


def _money(value, *, field: str) -> Decimal:
    if value in (None, ""):
        return Decimal("0.00")
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: _("Please enter an amount in euros.")}) from exc
    if not amount.is_finite():
        raise ValidationError({field: _("Please enter an amount in euros.")})
    if amount < 0:
        raise ValidationError({field: _("Costs cannot be negative.")})
    return amount


def _services(values: Iterable) -> list:
    """Catalogue services by instance or id, through the lazy relation (no catalogue import)."""
    service_model = Measure._meta.get_field("services").related_model
    ids = [_pk(v) for v in values or ()]
    found = list(service_model.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({"services": _("Please choose existing catalogue services.")})
    return found


def _apply_measure_data(measure: Measure, data: Mapping[str, Any]) -> dict[str, Any]:
    """Set the plain fields and the foreign keys from ``data``; return the related sets to store."""
    for name in MEASURE_FIELDS:
        if name in data:
            value = data[name]
            if name in _MONEY_FIELDS:
                value = _money(value, field=name)
            elif isinstance(value, str) and name not in ("planned_start", "planned_end"):
                value = value.strip()
            setattr(measure, name, value)
    if "field_of_action" in data:
        measure.field_of_action = _resolve(
            FieldOfAction,
            data["field_of_action"],
            field="field_of_action",
            message=_("Please choose an existing field of action."),
        )
    if "department" in data:
        measure.department = _resolve(
            Department,
            data["department"],
            field="department",
            message=_("Please choose an existing department."),
        )
    relations = {}
    if "guidelines" in data or measure.pk is None:
        relations["guidelines"] = _guidelines(data.get("guidelines", ()), required=True)
    if "services" in data:
        relations["services"] = _services(data["services"])
    return relations


def _validate_measure(measure: Measure) -> None:
    errors: dict[str, list[str]] = {}
    try:  # the model's own checks (lengths, choices, duration 1–20, non-negative numbers)
        measure.full_clean(
            exclude=["code", "field_of_action", "department"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    measure.code = (measure.code or "").strip()
    if not measure.code:
        errors.setdefault("code", []).append(_("Please enter a code, for example M-07."))
    elif len(measure.code) > Measure._meta.get_field("code").max_length:
        errors.setdefault("code", []).append(_("The code is too long."))
    elif Measure.objects.filter(code__iexact=measure.code).exclude(pk=measure.pk).exists():
        errors.setdefault("code", []).append(
            _("The code %(code)s is already used by another measure.") % {"code": measure.code}
        )
    if measure.field_of_action_id is None:
        errors.setdefault("field_of_action", []).append(_("Please choose a field of action."))
    if measure.department_id is None:
        errors.setdefault("department", []).append(_("Please choose the owning department."))
    start, end = measure.planned_start, measure.planned_end
    if "planned_start" not in errors and "planned_end" not in errors and start and end and end < start:
        errors.setdefault("planned_end", []).append(_("The planned end cannot be before the planned start."))
    if errors:
        raise ValidationError(errors)


def _save_measure(measure: Measure, relations: dict[str, Any]) -> None:
    try:
        with transaction.atomic():
            measure.save()
    except IntegrityError as exc:  # a second office saved the same code at the same moment
        raise ValidationError(
            {"code": _("The code %(code)s is already used by another measure.") % {"code": measure.code}}
        ) from exc
    for name, values in relations.items():
        getattr(measure, name).set(values)


def _measure_state(measure: Measure) -> dict[str, Any]:
    """The fields worth recording in the audit log when they change."""
    return {
        "code": measure.code,
        "status": measure.status,
        "investment_cost": f"{Decimal(measure.investment_cost):.2f}",
        "running_cost": f"{Decimal(measure.running_cost):.2f}",
        "planned_start": measure.planned_start.isoformat() if measure.planned_start else None,
        "planned_end": measure.planned_end.isoformat() if measure.planned_end else None,
        "is_mandatory": measure.is_mandatory,
        "is_public": measure.is_public,
        "department": measure.department_id,
    }


def _audit(action: str, *, actor, obj, **details) -> None:
    audit_record(action=action, actor=actor, obj=obj, details=details)


# --- measures --------------------------------------------------------------------------------------


@transaction.atomic
def measure_create(data: Mapping[str, Any], actor) -> Measure:
    """Create a measure. ``data`` holds the model's fields; ``field_of_action``, ``department``,
    ``guidelines`` (at least one) and ``services`` as instances or ids. Codes are unique, the
    planned end is not before the start, and costs are not negative."""
    measure = Measure(origin=data.get("origin") or MeasureOrigin.STRATEGY_OFFICE)
    relations = _apply_measure_data(measure, data)
    _validate_measure(measure)
    _save_measure(measure, relations)
    _audit(StructureAuditAction.MEASURE_CREATED, actor=actor, obj=measure, **_measure_state(measure))
    return measure


@transaction.atomic
def measure_update(measure: Measure, data: Mapping[str, Any], actor) -> Measure:
    """Change a measure with the same checks as ``measure_create``; the origin never changes."""
    locked = Measure.objects.select_for_update().get(pk=measure.pk)
    before = _measure_state(locked)
    relations = _apply_measure_data(locked, {k: v for k, v in data.items() if k != "origin"})
    _validate_measure(locked)
    _save_measure(locked, relations)
    after = _measure_state(locked)
    changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    _audit(StructureAuditAction.MEASURE_CHANGED, actor=actor, obj=locked, code=locked.code, changed=changed)
    return locked


@transaction.atomic
def measure_status_set(measure: Measure, status: str, actor) -> Measure:
    """Set the status of a measure (e.g. planned, in progress, completed)."""
    if status not in MeasureStatus.values:
        raise ValidationError({"status": _("Please choose a valid status.")})
    locked = Measure.objects.select_for_update().get(pk=measure.pk)
    old = locked.status
    if old != status:
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        _audit(
            StructureAuditAction.MEASURE_STATUS_SET,
            actor=actor,
            obj=locked,
            code=locked.code,
            old=old,
            new=status,
        )
    return locked


def _dependency_edges() -> dict[str, list[str]]:
    edges: dict[str, list[str]] = {}
    for code, required in MeasureDependency.objects.values_list("measure__code", "requires__code"):
        edges.setdefault(code, []).append(required)
    return edges


def _reachable(edges: Mapping[str, Iterable[str]], start: str) -> dict[str, list[str]]:
    """The part of the graph reachable from ``start``, ``start`` first (its cycle is found first)."""
    sub: dict[str, list[str]] = {}
    stack = [start]
    while stack:
        node = stack.pop()
        if node in sub:
            continue
        sub[node] = list(edges.get(node, ()))
        stack.extend(sub[node])
    return sub


@transaction.atomic
def measure_dependencies_set(measure: Measure, requires: Iterable[Measure], actor) -> Measure:
    """Replace what ``measure`` requires. A dependency on itself or one that closes a cycle is
    refused, and the message names the cycle by codes ("M-03 → M-07 → M-03").

    Dependency edits are serialised: the strategy's row is locked first (a cycle can be closed by
    two edits of unrelated measures at once), then the measure rows involved, in id order.
    """
    wanted = {int(_pk(m)) for m in requires}
    Strategy.objects.select_for_update().get_or_create(pk=1)
    locked = {
        m.pk: m
        for m in Measure.objects.select_for_update().filter(pk__in=wanted | {measure.pk}).order_by("pk")
    }
    if measure.pk not in locked:
        raise ValidationError(_("This measure no longer exists."))
    if len(locked) != len(wanted | {measure.pk}):
        raise ValidationError({"requires": _("Please choose existing measures.")})
    me = locked[measure.pk]
    if me.pk in wanted:
        raise ValidationError({"requires": _("A measure cannot depend on itself.")})
    edges = _dependency_edges()
    edges[me.code] = sorted(locked[pk].code for pk in wanted)
    cycle = find_cycle(_reachable(edges, me.code))
    if cycle is not None:
        raise ValidationError(
            {
                "requires": _(
                    "This would create a dependency cycle: %(cycle)s. Please remove one of these links."
                )
                % {"cycle": " → ".join(cycle)}
            }
        )
    current = set(MeasureDependency.objects.filter(measure=me).values_list("requires_id", flat=True))
    MeasureDependency.objects.filter(measure=me).exclude(requires_id__in=wanted).delete()
    MeasureDependency.objects.bulk_create(
        [MeasureDependency(measure=me, requires_id=pk) for pk in sorted(wanted - current)]
    )
    if current != wanted:
        _audit(
            StructureAuditAction.DEPENDENCIES_SET,
            actor=actor,
            obj=me,
            code=me.code,
            requires=edges[me.code],
        )
    return me


# --- proposals -------------------------------------------------------------------------------------


def _may_propose_for(actor, department: Department) -> bool:
    kinds = actor.role_kinds() if actor is not None and actor.is_authenticated else set()
    if StaffRoleKind.STRATEGY_OFFICE in kinds:
        return True
    return department.pk in actor.department_ids(*DEPARTMENT_ROLES) if kinds else False


def _proposal_fields(proposal: MeasureProposal, data: Mapping[str, Any]) -> list[Guideline]:
    proposal.title = (data.get("title") or "").strip()
    proposal.description = (data.get("description") or "").strip()
    proposal.expected_benefit = (data.get("expected_benefit") or "").strip()
    cost = data.get("estimated_cost")
    proposal.estimated_cost = None if cost in (None, "") else _money(cost, field="estimated_cost")
    proposal.estimated_effort_person_days = data.get("estimated_effort_person_days") or None
    proposal.is_legal_obligation = bool(data.get("is_legal_obligation"))
    proposal.legal_basis = (data.get("legal_basis") or "").strip()
    proposal.field_of_action = _resolve(
        FieldOfAction,
        data.get("field_of_action"),
        field="field_of_action",
        message=_("Please choose an existing field of action."),
    )
    errors = {}
    if not proposal.title:
        errors["title"] = _("Please give the proposal a title.")
    if not proposal.description:
        errors["description"] = _("Please describe the proposed measure.")
    if errors:
        raise ValidationError(errors)
    guidelines = _guidelines(data.get("guidelines", ()), required=False)
    proposal.full_clean(exclude=["department", "proposed_by", "decided_by", "measure", "field_of_action"])
    return guidelines


@transaction.atomic
def proposal_submit(data: Mapping[str, Any], department: Department, actor) -> MeasureProposal:
    """A department proposes a measure. Staff with a department role propose for one of their own
    departments; the strategy office for any."""
    department = _resolve(
        Department, department, field="department", message=_("Please choose an existing department.")
    )
    if department is None:
        raise ValidationError({"department": _("Please choose the proposing department.")})
    if not _may_propose_for(actor, department):
        raise ValidationError({"department": _("You can propose measures only for your own department.")})
    proposal = MeasureProposal(origin=MeasureOrigin.DEPARTMENT, department=department, proposed_by=actor)
    guidelines = _proposal_fields(proposal, data)
    proposal.save()
    proposal.guidelines.set(guidelines)
    _audit(
        StructureAuditAction.PROPOSAL_SUBMITTED,
        actor=actor,
        obj=proposal,
        department=department.code,
        origin=proposal.origin,
    )
    return proposal


@transaction.atomic
def proposal_submit_idea(
    *,
    title: str,
    description: str,
    origin: str,
    external_reference: str,
    guidelines: Iterable = (),
) -> MeasureProposal:
    """The seam for other modules (the participation module): an idea of a citizen or a member of
    staff becomes a proposal the strategy office decides like any other. No account is needed.

    ``origin`` is ``MeasureOrigin.CITIZEN`` or ``MeasureOrigin.STAFF``. ``external_reference`` is
    the caller's own key (e.g. ``"participation:idea:42"``); submitting the same reference again
    returns the first proposal unchanged, so a retried call never creates a duplicate.
    """
    reference = (external_reference or "").strip()
    if not reference:
        raise ValidationError({"external_reference": _("An idea needs the reference of its source.")})
    if len(reference) > REFERENCE_MAX:
        raise ValidationError({"external_reference": _("The reference of the source is too long.")})
    if origin not in IDEA_ORIGINS:
        raise ValidationError({"origin": _("An idea comes from a citizen or from a member of staff.")})
    # Serialise submissions of ideas so that two retries at once cannot both create a proposal.
    Strategy.objects.select_for_update().get_or_create(pk=1)
    existing = MeasureProposal.objects.filter(external_reference=reference).order_by("pk").first()
    if existing is not None:
        return existing
    proposal = MeasureProposal(origin=origin, external_reference=reference)
    linked = _proposal_fields(
        proposal, {"title": title, "description": description, "guidelines": guidelines}
    )
    proposal.save()
    proposal.guidelines.set(linked)
    _audit(
        StructureAuditAction.PROPOSAL_SUBMITTED,
        actor=None,
        obj=proposal,
        origin=origin,
        external_reference=reference,
    )
    return proposal


def _lock_undecided(proposal: MeasureProposal) -> MeasureProposal:
    """The proposal locked for the decision; refused when it has been decided already."""
    locked = MeasureProposal.objects.select_for_update().filter(pk=proposal.pk).first()
    if locked is None:
        raise ValidationError(_("This proposal no longer exists."))
    if locked.status != ProposalStatus.SUBMITTED:
        raise ValidationError(
            _("This proposal has already been decided (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


def _decide(locked: MeasureProposal, *, status: str, reason: str, measure: Measure | None, actor) -> None:
    """Write the decision only if nobody decided in the meantime (conditional UPDATE)."""
    now = timezone.now()
    updated = MeasureProposal.objects.filter(pk=locked.pk, status=ProposalStatus.SUBMITTED).update(
        status=status,
        decision_reason=reason,
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
        decided_at=now,
        measure=measure,
    )
    if updated != 1:
        raise ValidationError(_("This proposal has already been decided."))
    locked.refresh_from_db()


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please give a reason the proposer can read.")})
    return reason


@transaction.atomic
def proposal_accept(
    proposal: MeasureProposal, measure_data: Mapping[str, Any], actor, reason: str = ""
) -> Measure:
    """Accept a proposal as a new measure (its origin taken from the proposal)."""
    locked = _lock_undecided(proposal)
    measure = measure_create({**measure_data, "origin": locked.origin}, actor)
    _decide(
        locked,
        status=ProposalStatus.ACCEPTED,
        reason=(reason or "").strip(),
        measure=measure,
        actor=actor,
    )
    _audit(StructureAuditAction.PROPOSAL_ACCEPTED, actor=actor, obj=locked, measure=measure.code)
    return measure


@transaction.atomic
def proposal_merge(proposal: MeasureProposal, into: Measure, reason: str, actor) -> MeasureProposal:
    """Merge a proposal into an existing measure; the reason is required."""
    reason = _reason(reason)
    locked = _lock_undecided(proposal)
    target = Measure.objects.filter(pk=_pk(into)).first()
    if target is None:
        raise ValidationError({"into": _("Please choose an existing measure.")})
    _decide(locked, status=ProposalStatus.MERGED, reason=reason, measure=target, actor=actor)
    _audit(StructureAuditAction.PROPOSAL_MERGED, actor=actor, obj=locked, measure=target.code)
    return locked


@transaction.atomic
def proposal_reject(proposal: MeasureProposal, reason: str, actor) -> MeasureProposal:
    """Reject a proposal; the reason is required."""
    reason = _reason(reason)
    locked = _lock_undecided(proposal)
    _decide(locked, status=ProposalStatus.REJECTED, reason=reason, measure=None, actor=actor)
    _audit(StructureAuditAction.PROPOSAL_REJECTED, actor=actor, obj=locked)
    return locked
