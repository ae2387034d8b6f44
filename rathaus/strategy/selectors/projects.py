"""Reads of multi-project management: the portfolio with its filters, its summary, overdue milestones.

A milestone is *overdue* when it was due before today (Europe/Berlin) and is not completed, in a
project that is still active (neither completed nor cancelled).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..constants import ProjectPhase, TrafficLight
from ..models import Milestone, Project

__all__ = [
    "INACTIVE_PHASES",
    "overdue_milestones",
    "portfolio",
    "portfolio_summary",
    "projects_led_by",
]

INACTIVE_PHASES = (ProjectPhase.COMPLETED, ProjectPhase.CANCELLED)
PORTFOLIO_FILTERS = ("area", "field_of_action", "department", "traffic_light", "phase", "overdue", "lead")
ZERO = Decimal("0.00")


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def overdue_milestones(today: dt.date | None = None) -> QuerySet[Milestone]:
    """Open milestones of active projects that were due before ``today``, the oldest first."""
    return (
        Milestone.objects.filter(due_on__lt=_today(today), completed_on__isnull=True)
        .exclude(project__phase__in=INACTIVE_PHASES)
        .select_related("project__measure__department", "project__lead")
        .order_by("due_on", "id")
    )


def _annotated(today: dt.date) -> QuerySet[Project]:
    open_milestones = Milestone.objects.filter(project=OuterRef("pk"), completed_on__isnull=True).order_by(
        "due_on", "id"
    )
    overdue = Q(milestones__due_on__lt=today, milestones__completed_on__isnull=True) & ~Q(
        phase__in=INACTIVE_PHASES
    )
    return (
        Project.objects.select_related("measure__department", "measure__field_of_action__area", "lead")
        .annotate(
            overdue_count=Count("milestones", filter=overdue, distinct=True),
            next_milestone_title=Subquery(open_milestones.values("title")[:1]),
            next_milestone_due=Subquery(open_milestones.values("due_on")[:1]),
            over_budget=ExpressionWrapper(
                Q(budget_spent__gt=F("budget_planned")), output_field=BooleanField()
            ),
        )
        .order_by("measure__code")
    )


def portfolio(filters: Mapping[str, Any] | None = None, *, today: dt.date | None = None) -> QuerySet[Project]:
    """All projects, narrowed by ``filters`` (each optional; empty values are ignored).

    ``area``, ``field_of_action``, ``department``, ``lead``: an object or its id; ``traffic_light``
    and ``phase``: a choice value; ``overdue``: true for projects with an overdue milestone.
    Each project carries ``overdue_count``, ``next_milestone_title``/``_due`` and ``over_budget``.
    """
    today = _today(today)
    filters = {
        k: v for k, v in (filters or {}).items() if k in PORTFOLIO_FILTERS and v not in (None, "", False)
    }
    projects = _annotated(today)
    lookups = {
        "area": "measure__field_of_action__area",
        "field_of_action": "measure__field_of_action",
        "department": "measure__department",
        "lead": "lead",
        "traffic_light": "traffic_light",
        "phase": "phase",
    }
    for name, lookup in lookups.items():
        if name in filters:
            projects = projects.filter(**{lookup: _pk(filters[name])})
    if filters.get("overdue"):
        projects = projects.filter(overdue_count__gt=0)
    return projects


def projects_led_by(user) -> QuerySet[Project]:
    """The projects ``user`` leads (what a lead who does not read the cockpit may see)."""
    if not getattr(user, "is_authenticated", False):
        return Project.objects.none()
    return _annotated(timezone.localdate()).filter(lead_id=user.pk)


def _counts(projects: QuerySet[Project], field: str, choices) -> list[dict[str, Any]]:
    counted = dict(projects.order_by().values_list(field).annotate(n=Count("pk")))
    return [{"value": value, "label": label, "count": counted.get(value, 0)} for value, label in choices]


def portfolio_summary(
    projects: QuerySet[Project] | None = None, *, today: dt.date | None = None
) -> dict[str, Any]:
    """Counts per traffic light and phase, budget planned vs spent, overdue milestones.

    Of ``projects`` (default: all). Keys: ``total``, ``traffic_lights`` and ``phases`` (lists of
    ``{"value", "label", "count"}`` in choice order), ``by_traffic_light`` and ``by_phase``
    (value → count), ``budget_planned``, ``budget_spent`` (Decimal), ``over_budget`` (projects
    spending above plan), ``overdue_milestones`` (count) and ``projects_overdue``.
    """
    today = _today(today)
    base = Project.objects.all() if projects is None else projects
    ids = base.order_by().values("pk")
    plain = Project.objects.filter(pk__in=ids)
    money = DecimalField(max_digits=16, decimal_places=2)
    totals = plain.aggregate(
        total=Count("pk"),
        planned=Coalesce(Sum("budget_planned"), Value(ZERO), output_field=money),
        spent=Coalesce(Sum("budget_spent"), Value(ZERO), output_field=money),
        over_budget=Count("pk", filter=Q(budget_spent__gt=F("budget_planned"))),
    )
    overdue = overdue_milestones(today).filter(project__in=ids)
    traffic_lights = _counts(plain, "traffic_light", TrafficLight.choices)
    phases = _counts(plain, "phase", ProjectPhase.choices)
    return {
        "total": totals["total"],
        "traffic_lights": traffic_lights,
        "phases": phases,
        "by_traffic_light": {row["value"]: row["count"] for row in traffic_lights},
        "by_phase": {row["value"]: row["count"] for row in phases},
        "budget_planned": totals["planned"],
        "budget_spent": totals["spent"],
        "over_budget": totals["over_budget"],
        "overdue_milestones": overdue.count(),
        "projects_overdue": overdue.values("project").distinct().count(),
    }
