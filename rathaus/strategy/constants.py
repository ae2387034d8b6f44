from django.db import models
from django.utils.translation import gettext_lazy as _


class MeasureStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Under evaluation")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    ON_HOLD = "on_hold", _("On hold")
    DROPPED = "dropped", _("Dropped")


# Measures that still take part in evaluation and planning.
OPEN_MEASURE_STATUSES = (MeasureStatus.CANDIDATE, MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS)


class MeasureOrigin(models.TextChoices):
    STRATEGY_OFFICE = "strategy_office", _("Strategy office")
    DEPARTMENT = "department", _("Department proposal")
    CITIZEN = "citizen", _("Citizen idea")
    STAFF = "staff", _("Staff idea")


class ProposalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    MERGED = "merged", _("Merged into a measure")
    REJECTED = "rejected", _("Rejected")


class CriterionDirection(models.TextChoices):
    HIGHER_IS_BETTER = "higher", _("A higher score is better")
    LOWER_IS_BETTER = "lower", _("A lower score is better")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ADOPTED = "adopted", _("Adopted")
    ARCHIVED = "archived", _("Archived")


class ExclusionReason(models.TextChoices):
    BUDGET = "budget", _("Budget")
    CAPACITY = "capacity", _("Staff capacity")
    DEPENDENCY = "dependency", _("Dependency")
    HORIZON = "horizon", _("Does not fit into the plan period")
    NOT_EVALUATED = "not_evaluated", _("Not evaluated yet")
    MANUAL = "manual", _("Removed by hand")


class TrafficLight(models.TextChoices):
    GREEN = "green", _("On track")
    AMBER = "amber", _("At risk")
    RED = "red", _("Critical")


class ProjectPhase(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    ON_HOLD = "on_hold", _("On hold")
    CANCELLED = "cancelled", _("Cancelled")


class KpiUnit(models.TextChoices):
    PERCENT = "percent", _("Percent")
    DAYS = "days", _("Days")
    HOURS = "hours", _("Hours")
    COUNT = "count", _("Count")
    EURO = "euro", _("Euro")


class KpiDirection(models.TextChoices):
    HIGHER_IS_BETTER = "higher", _("Higher is better")
    LOWER_IS_BETTER = "lower", _("Lower is better")


class KpiSource(models.TextChoices):
    MANUAL = "manual", _("Manual entry")
    COMPUTED = "computed", _("Computed by Rathaus")
