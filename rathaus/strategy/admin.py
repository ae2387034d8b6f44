"""Admin of the strategy cockpit (behind the second factor like every admin page).

Operators maintain the strategy's master data here: the mission statement, areas, guidelines,
fields of action. Criteria, measures, proposals, versions, plans, projects, key-figure values
and status reports are shown read-only: they change only through the cockpit's services, which
check cycles, decide proposals once, number versions and write the audit log.
"""

from django.contrib import admin

from .models import (
    Area,
    Criterion,
    FieldOfAction,
    Guideline,
    Kpi,
    KpiTarget,
    KpiValue,
    Measure,
    MeasureDependency,
    MeasureProposal,
    Milestone,
    Plan,
    PlanEntry,
    PlanExclusion,
    PlanYear,
    Project,
    ProjectLogEntry,
    Score,
    StatusReport,
    Strategy,
    StrategyVersion,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Visible for operators, changed only through the services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ["title", "council_reference", "adopted_on"]

    def has_add_permission(self, request):
        return not Strategy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["number", "name"]
    ordering = ["number"]


@admin.register(Guideline)
class GuidelineAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "motto", "area"]
    list_filter = ["area"]
    search_fields = ["title", "motto", "text"]
    ordering = ["number"]


@admin.register(FieldOfAction)
class FieldOfActionAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "area", "order"]
    list_filter = ["area"]
    search_fields = ["code", "title"]
    filter_horizontal = ["guidelines"]


@admin.register(Criterion)
class CriterionAdmin(ReadOnlyAdmin):  # weights must add up to 100: the evaluation service checks
    list_display = ["key", "name", "weight", "scale_min", "scale_max", "direction", "is_active"]
    list_filter = ["is_active"]


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "field_of_action", "department", "status", "is_mandatory", "is_public"]
    list_filter = ["status", "is_mandatory", "is_public", "field_of_action__area", "department"]
    search_fields = ["code", "title", "description"]


@admin.register(MeasureProposal)
class MeasureProposalAdmin(ReadOnlyAdmin):
    list_display = ["title", "origin", "department", "status", "created_at", "decided_at"]
    list_filter = ["status", "origin", "department"]
    search_fields = ["title", "external_reference"]


@admin.register(StrategyVersion)
class StrategyVersionAdmin(ReadOnlyAdmin):
    list_display = ["number", "label", "created_at", "created_by"]


@admin.register(MeasureDependency)
class MeasureDependencyAdmin(ReadOnlyAdmin):  # cycles are refused by measure_dependencies_set
    list_display = ["measure", "requires"]


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdmin):
    list_display = ["measure", "criterion", "evaluator", "value"]
    list_filter = ["criterion"]


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["name", "first_year", "last_year", "status"]


@admin.register(PlanEntry)
class PlanEntryAdmin(ReadOnlyAdmin):
    list_display = ["plan", "measure"]


@admin.register(PlanExclusion)
class PlanExclusionAdmin(ReadOnlyAdmin):
    list_display = ["plan", "measure", "reason"]


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["measure", "lead", "phase", "traffic_light", "progress_percent"]
    list_filter = ["phase", "traffic_light"]


@admin.register(PlanYear)
class PlanYearAdmin(ReadOnlyAdmin):
    list_display = ["plan", "year", "budget", "capacity_person_days"]


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    list_display = ["project", "title", "due_on", "completed_on"]


@admin.register(ProjectLogEntry)
class ProjectLogEntryAdmin(ReadOnlyAdmin):
    list_display = ["project", "at", "actor", "field"]


@admin.register(Kpi)
class KpiAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "source"]


@admin.register(KpiTarget)
class KpiTargetAdmin(ReadOnlyAdmin):
    list_display = ["__str__"]


@admin.register(KpiValue)
class KpiValueAdmin(ReadOnlyAdmin):
    list_display = ["__str__"]


@admin.register(StatusReport)
class StatusReportAdmin(ReadOnlyAdmin):
    list_display = ["__str__"]
