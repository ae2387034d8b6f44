"""The strategy office's cockpit: guidelines → fields of action → measures → evaluation → plan →
projects → key figures → status reports to the council.

One module per concern; this package re-exports every model so that ``strategy.models.X`` works.
"""

from .evaluation import Criterion, Score
from .kpis import Kpi, KpiTarget, KpiValue
from .planning import Plan, PlanEntry, PlanExclusion, PlanYear
from .projects import Milestone, Project, ProjectLogEntry
from .reports import StatusReport
from .structure import (
    Area,
    FieldOfAction,
    Guideline,
    Measure,
    MeasureDependency,
    MeasureProposal,
    Strategy,
    StrategyVersion,
)

__all__ = [
    "Area",
    "Criterion",
    "FieldOfAction",
    "Guideline",
    "Kpi",
    "KpiTarget",
    "KpiValue",
    "Measure",
    "MeasureDependency",
    "MeasureProposal",
    "Milestone",
    "Plan",
    "PlanEntry",
    "PlanExclusion",
    "PlanYear",
    "Project",
    "ProjectLogEntry",
    "Score",
    "StatusReport",
    "Strategy",
    "StrategyVersion",
]
