"""Reads of the strategy's structure: the guidelines by area, fields of action, measures with
their filters, proposals a person may see, and versions."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from rathaus.accounts.constants import DEPARTMENT_ROLES, StaffRoleKind
from rathaus.accounts.models import Department

from ..constants import ProposalStatus
from ..models import (
    Area,
    FieldOfAction,
    Guideline,
    Measure,
    MeasureProposal,
    Strategy,
    StrategyVersion,
)

__all__ = [
    "areas_with_guidelines",
    "fields_of_action",
    "measure_totals",
    "measures_filtered",
    "measures_for_detail",
    "proposal_counts",
    "proposal_departments",
    "proposals_for_detail",
    "proposals_visible_to",
    "strategy_or_none",
    "suggest_measure_code",
    "versions",
]


def strategy_or_none() -> Strategy | None:
    return Strategy.objects.filter(pk=1).first()


def areas_with_guidelines() -> QuerySet[Area]:
    """The areas in order, each with its guidelines, their fields of action and measure counts."""
    guidelines = Guideline.objects.annotate(measure_count=Count("measures", distinct=True)).prefetch_related(
        Prefetch("fields_of_action", queryset=FieldOfAction.objects.order_by("order", "code"))
    )
    return Area.objects.order_by("number").prefetch_related(Prefetch("guidelines", queryset=guidelines))


def fields_of_action() -> QuerySet[FieldOfAction]:
    return (
        FieldOfAction.objects.select_related("area")
        .annotate(measure_count=Count("measures", distinct=True))
        .prefetch_related(Prefetch("guidelines", queryset=Guideline.objects.order_by("number")))
        .order_by("area__number", "order", "code")
    )


def measures_filtered(
    *,
    area: Area | None = None,
    field_of_action: FieldOfAction | None = None,
    department: Department | None = None,
    status: str = "",
    mandatory: bool | None = None,
    public: bool | None = None,
) -> QuerySet[Measure]:
    """Measures matching every given filter, with what the table shows."""
    measures = Measure.objects.select_related("field_of_action__area", "department").prefetch_related(
        Prefetch("guidelines", queryset=Guideline.objects.order_by("number"))
    )
    if area is not None:
        measures = measures.filter(field_of_action__area=area)
    if field_of_action is not None:
        measures = measures.filter(field_of_action=field_of_action)
    if department is not None:
        measures = measures.filter(department=department)
    if status:
        measures = measures.filter(status=status)
    if mandatory is not None:
        measures = measures.filter(is_mandatory=mandatory)
    if public is not None:
        measures = measures.filter(is_public=public)
    return measures.order_by("code")


def measure_totals(measures: QuerySet[Measure]) -> dict[str, Decimal]:
    totals = measures.order_by().aggregate(investment=Sum("investment_cost"), running=Sum("running_cost"))
    return {key: value or Decimal("0") for key, value in totals.items()}


def measures_for_detail() -> QuerySet[Measure]:
    """A measure with everything its page shows (dependencies both ways, proposals)."""
    return Measure.objects.select_related("field_of_action__area", "department").prefetch_related(
        Prefetch("guidelines", queryset=Guideline.objects.order_by("number")),
        Prefetch("dependencies", queryset=Measure.objects.order_by("code")),
        Prefetch("dependents", queryset=Measure.objects.order_by("code")),
        Prefetch("proposals", queryset=MeasureProposal.objects.select_related("department")),
    )


def _is_strategy_office(user) -> bool:
    return StaffRoleKind.STRATEGY_OFFICE in user.role_kinds()


def proposals_visible_to(user, *, status: str = "") -> QuerySet[MeasureProposal]:
    """All proposals for the strategy office; a department's own proposals for its staff."""
    proposals = MeasureProposal.objects.select_related("department", "measure", "proposed_by")
    if not _is_strategy_office(user):
        proposals = proposals.filter(department_id__in=user.department_ids(*DEPARTMENT_ROLES))
    if status:
        proposals = proposals.filter(status=status)
    return proposals.order_by("-created_at", "-pk")


def proposals_for_detail() -> QuerySet[MeasureProposal]:
    return MeasureProposal.objects.select_related(
        "department", "measure", "field_of_action", "proposed_by", "decided_by"
    ).prefetch_related(Prefetch("guidelines", queryset=Guideline.objects.order_by("number")))


def proposal_departments(user) -> QuerySet[Department]:
    """The departments ``user`` may propose for: their own; every one for the strategy office."""
    departments = Department.objects.order_by("code")
    if _is_strategy_office(user):
        return departments
    return departments.filter(pk__in=user.department_ids(*DEPARTMENT_ROLES))


def proposal_counts() -> dict[str, int]:
    rows = MeasureProposal.objects.order_by().values("status").annotate(n=Count("pk"))
    counts = {status: 0 for status in ProposalStatus.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def versions() -> QuerySet[StrategyVersion]:
    return StrategyVersion.objects.select_related("created_by").order_by("-number")


def suggest_measure_code() -> str:
    """The next free code of the form M-NN."""
    used = set(Measure.objects.filter(Q(code__startswith="M-")).values_list("code", flat=True))
    numbers = [int(code[2:]) for code in used if code[2:].isdigit()]
    number = max(numbers, default=0) + 1
    while f"M-{number:02d}" in used:
        number += 1
    return f"M-{number:02d}"
