"""Pages of the measures plan (Maßnahmenplan) at /verwaltung/strategie/plan/.

Cockpit readers (strategy.view_plan: strategy office, city leadership, heads of department) see
the plans, their timeline, the years' use of budget and capacity, what was left out and why,
and download a plan as CSV. Only the strategy office (strategy.manage) creates plans, changes
limits, lets Rathaus suggest, moves or removes measures and adopts a plan; anyone else's POST is
refused (403, audited).
"""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.core.forms import add_service_error
from rathaus.core.permissions import access_object, audit_denial, login_required_for, permission_required

from ..constants import OPEN_MEASURE_STATUSES, PlanStatus
from ..forms_planning import EntryMoveForm, PlanCreateForm, PlanLimitsForm
from ..models import Measure, Plan
from ..scheduling import quarter_label
from ..selectors import planning as selectors
from ..services import planning as services

VIEW = "strategy.view_plan"
MANAGE = "strategy.manage"
TEMPLATES = "strategy/planning/"


def _plan(request, pk: int) -> Plan:
    return access_object(request, Plan.objects.all(), perm=VIEW, pk=pk)


def _measure(request, pk: int) -> Measure:
    return access_object(
        request, Measure.objects.select_related("department"), perm="strategy.view_measure", pk=pk
    )


def _require_manage(request) -> None:
    if not request.user.has_perm(MANAGE):
        audit_denial(request=request, perm=MANAGE)
        raise PermissionDenied


def _page(request, template: str, title: str, **context):
    context.update(title=title, can_manage=request.user.has_perm(MANAGE))
    return render(request, TEMPLATES + template, context)


def _usage_rows(plan: Plan) -> list[dict]:
    """Each year's use with the numbers rounded once for the page and the bar lengths (0–100)."""
    return [
        {
            "year": use.year,
            "budget": use.budget,
            "budget_used": use.budget_used_display,
            "budget_percent": use.budget_percent,
            "budget_bar": min(use.budget_percent, 100),
            "budget_over": use.budget_over,
            "capacity": use.capacity,
            "capacity_used": use.capacity_used_display,
            "capacity_percent": use.capacity_percent,
            "capacity_bar": min(use.capacity_percent, 100),
            "capacity_over": use.capacity_over,
        }
        for use in selectors.plan_usage(plan)
    ]


def _run(request, action, success: str) -> bool:
    """Run a service; show its refusal as messages (never a 500)."""
    try:
        action()
    except ValidationError as exc:  # one alert: the refusal and its reasons
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, success)
    return True


# --- list and create ---------------------------------------------------------------------------------


@permission_required(VIEW)
def plans(request):
    """The plans, newest period first, and (for the strategy office) a form for a new one."""
    form = None
    if request.method == "POST":
        _require_manage(request)
        form = PlanCreateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = services.plan_create(
                    name=data["name"],
                    first_year=data["first_year"],
                    last_year=data["last_year"],
                    limits=form.limits(),
                    actor=request.user,
                    request_token=form.cleaned_data.get("token"),
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The plan has been created. Let Rathaus suggest a schedule."))
                return redirect("strategy:plan_detail", pk=plan.pk)
    elif request.user.has_perm(MANAGE):
        form = PlanCreateForm()
    return _page(request, "plans.html", _("Measures plans"), plans=selectors.plans_overview(), form=form)


# --- the plan ------------------------------------------------------------------------------------------


@login_required_for(VIEW)
def plan_detail(request, pk: int):
    """The timeline by year and quarter, the years' use of budget and capacity, what was left out
    and why, the problems found, and the actions."""
    plan = _plan(request, pk)
    years, groups, rows = selectors.plan_timeline(plan)
    for row in rows:
        row.title = row.measure.translated("title")
        row.start_label = quarter_label(row.start)
        row.end_label = quarter_label(row.end)
    exclusions = list(selectors.plan_exclusions(plan))
    for exclusion in exclusions:
        exclusion.title = exclusion.measure.translated("title")
    return _page(
        request,
        "plan_detail.html",
        plan.name,
        plan=plan,
        years=years,
        groups=groups,
        rows=rows,
        column_count=len(years) * 4 + 3,
        usage=_usage_rows(plan),
        exclusions=exclusions,
        problems=selectors.problems_shown(plan.problems),
        editable=plan.status != PlanStatus.ARCHIVED,
        adoptable=plan.status != PlanStatus.ARCHIVED and plan.checked_at and not plan.problems and rows,
    )


@login_required_for(VIEW)
def plan_limits(request, pk: int):
    """Budget and staff capacity per year (read only for everyone but the strategy office)."""
    plan = _plan(request, pk)
    form = None
    if request.method == "POST":
        _require_manage(request)
        form = PlanLimitsForm(request.POST, plan=plan)
        if form.is_valid():
            try:
                services.plan_limits_update(plan=plan, limits=form.limits(), actor=request.user)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The limits have been saved and the plan checked again."))
                return redirect("strategy:plan_detail", pk=plan.pk)
    elif request.user.has_perm(MANAGE) and plan.status != PlanStatus.ARCHIVED:
        form = PlanLimitsForm(plan=plan)
    title = _("Budget and staff capacity: %(plan)s") % {"plan": plan.name}
    return _page(request, "plan_limits.html", title, plan=plan, form=form, usage=_usage_rows(plan))


@login_required_for(VIEW)
@require_POST
def plan_suggest(request, pk: int):
    plan = _plan(request, pk)
    _require_manage(request)
    holder = {}

    def action():
        holder["schedule"] = services.plan_suggest(plan=plan, actor=request.user)

    if _run(request, action, _("Rathaus has suggested a schedule.")) and not holder["schedule"].feasible:
        messages.warning(request, holder["schedule"].message)
    return redirect("strategy:plan_detail", pk=plan.pk)


@login_required_for(VIEW)
@require_POST
def plan_adopt(request, pk: int):
    plan = _plan(request, pk)
    _require_manage(request)
    _run(
        request,
        lambda: services.plan_adopt(plan=plan, actor=request.user),
        _("The plan has been adopted; its measures carry the planned start and end."),
    )
    return redirect("strategy:plan_detail", pk=plan.pk)


# --- one measure in the plan -------------------------------------------------------------------------


@login_required_for(VIEW)
def plan_entry(request, pk: int, measure_pk: int):
    """One measure in the plan: where it stands, why, and (strategy office) a form to move it."""
    plan = _plan(request, pk)
    measure = _measure(request, measure_pk)
    entry = plan.entries.filter(measure=measure).first()
    exclusion = plan.exclusions.filter(measure=measure).first()
    if entry is None and exclusion is None and measure.status not in OPEN_MEASURE_STATUSES:
        raise Http404  # a measure neither open nor in the plan has no page here
    editable = plan.status != PlanStatus.ARCHIVED and request.user.has_perm(MANAGE)
    form = None
    if request.method == "POST":
        _require_manage(request)
        form = EntryMoveForm(request.POST, plan=plan)
        if form.is_valid():
            year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
            moved = _run(
                request,
                lambda: services.plan_entry_move(
                    plan=plan, measure=measure, year=year, quarter=quarter, actor=request.user
                ),
                _("“%(measure)s” now starts in %(quarter)s.")
                % {"measure": measure.code, "quarter": quarter_label((year, quarter))},
            )
            if moved:
                return redirect(f"{_detail_url(plan)}#massnahme-{measure.pk}")
    elif editable:
        initial = {"year": entry.start_year, "quarter": entry.start_quarter} if entry else {}
        form = EntryMoveForm(plan=plan, initial=initial)
    requires = [link.requires for link in measure.dependency_links.select_related("requires")]
    return _page(
        request,
        "plan_entry.html",
        _("%(measure)s in the plan") % {"measure": f"{measure.code} {measure.translated('title')}"},
        plan=plan,
        measure=measure,
        entry=entry,
        start_label=quarter_label((entry.start_year, entry.start_quarter)) if entry else "",
        exclusion=exclusion,
        requires=requires,
        form=form if editable or request.method == "POST" else None,
    )


def _detail_url(plan: Plan) -> str:
    return reverse("strategy:plan_detail", kwargs={"pk": plan.pk})


@login_required_for(VIEW)
@require_POST
def plan_entry_remove(request, pk: int, measure_pk: int):
    plan = _plan(request, pk)
    measure = _measure(request, measure_pk)
    _require_manage(request)
    removed = _run(
        request,
        lambda: services.plan_entry_remove(plan=plan, measure=measure, actor=request.user),
        _("“%(measure)s” has been removed from the plan.") % {"measure": measure.code},
    )
    if removed:
        return redirect("strategy:plan_detail", pk=plan.pk)
    return redirect("strategy:plan_entry", pk=plan.pk, measure_pk=measure.pk)


# --- export ------------------------------------------------------------------------------------------


def _cell(value: str) -> str:
    """Keep spreadsheet programs from reading a text as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@login_required_for(VIEW)
def plan_export(request, pk: int):
    """The plan as CSV (semicolons, UTF-8 with BOM, as spreadsheet programs in Germany expect)."""
    plan = _plan(request, pk)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(
        [
            _("Code"),
            _("Measure"),
            _("Department"),
            _("Legal obligation"),
            _("Start"),
            _("End"),
            _("Duration (quarters)"),
            _("Investment (EUR)"),
            _("Running costs per year (EUR)"),
            _("Effort (person-days)"),
            _("Placed by hand"),
            _("Explanation"),
        ]
    )
    writer.writerows([_cell(str(value)) for value in row] for row in selectors.export_rows(plan))
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="massnahmenplan-{plan.pk}.csv"'
    return response
