"""Multi-project management pages: the portfolio (filters, totals, CSV), a project with its
milestones and change log, editing with optimistic locking, and turning a measure into a project.

Who: cockpit readers see the portfolio and every project; a project's lead sees (and updates)
their own project, also without being a cockpit reader, and finds it under "Meine Projekte".
The strategy office starts projects and changes everything. Objects come only through
``access_object``: somebody else's project reads as missing (404), audited.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from rathaus.core.errors import error_text
from rathaus.core.forms import add_service_error
from rathaus.core.permissions import access_object, audit_denial, login_required_for, permission_required

from ..constants import MeasureStatus, ProjectPhase, TrafficLight
from ..forms_projects import (
    TRAFFIC_LIGHT_COLOURS,
    MilestoneCompleteForm,
    MilestoneForm,
    PortfolioFilterForm,
    ProjectEditForm,
    ProjectStartForm,
    person_label,
)
from ..models import Measure, Milestone, Project
from ..selectors import projects as selectors
from ..services import projects as services

VIEW_COCKPIT = "strategy.view_cockpit"
VIEW = "strategy.view_project"
CHANGE = "strategy.change_project"
MANAGE = "strategy.manage"

# How the change log names each field.
LOG_FIELDS = {
    "created": gettext_lazy("Project started"),
    "lead": gettext_lazy("Project lead"),
    "phase": gettext_lazy("Phase"),
    "traffic_light": gettext_lazy("Traffic light"),
    "status_reason": gettext_lazy("Reason for the status"),
    "progress_percent": gettext_lazy("Progress"),
    "budget_planned": gettext_lazy("Budget planned"),
    "budget_spent": gettext_lazy("Budget spent"),
    "start_date": gettext_lazy("Start date"),
    "end_date": gettext_lazy("Planned end"),
    "note": gettext_lazy("Note"),
    "measure_status": gettext_lazy("Status of the measure"),
    "milestone_added": gettext_lazy("Milestone added"),
    "milestone_completed": gettext_lazy("Milestone reached"),
    "milestone_reopened": gettext_lazy("Milestone reopened"),
    "milestone_deleted": gettext_lazy("Milestone deleted"),
}
LOG_CHOICES = {
    "traffic_light": dict(TrafficLight.choices),
    "phase": dict(ProjectPhase.choices),
    "measure_status": dict(MeasureStatus.choices),
}


def _projects():
    return Project.objects.select_related("measure__department", "measure__field_of_action__area", "lead")


def _money(value) -> str:
    return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


# --- portfolio --------------------------------------------------------------------------------


@permission_required(VIEW_COCKPIT)
def portfolio(request):
    """All projects with filters, traffic lights as text and icon, totals and the CSV export."""
    form = PortfolioFilterForm(request.GET or None)
    filters = form.filters()
    projects = selectors.portfolio(filters)
    query = request.GET.urlencode()
    summary = selectors.portfolio_summary(projects)
    context = {
        "form": form,
        "projects": list(projects),
        "summary": summary,
        "phase_counts": [row for row in summary["phases"] if row["count"]],
        "filtered": bool(filters),
        "export_url": reverse("strategy:portfolio_export") + (f"?{query}" if query else ""),
        "title": _("Project portfolio"),
    }
    return render(request, "strategy/projects/portfolio.html", context)


def _csv_cell(value) -> str:
    """A cell that a spreadsheet program will not run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@permission_required(VIEW_COCKPIT)
def portfolio_export(request):
    """The filtered portfolio as CSV (semicolons, UTF-8 with BOM, German number format)."""
    projects = selectors.portfolio(PortfolioFilterForm(request.GET or None).filters())
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(
        [
            _("Code"),
            _("Measure"),
            _("Area"),
            _("Field of action"),
            _("Department"),
            _("Project lead"),
            _("Phase"),
            _("Traffic light"),
            _("Reason for the status"),
            _("Progress (%)"),
            _("Budget planned (EUR)"),
            _("Budget spent (EUR)"),
            _("Over budget"),
            _("Next milestone"),
            _("Due on"),
            _("Overdue milestones"),
        ]
    )
    for project in projects:
        measure = project.measure
        writer.writerow(
            _csv_cell(cell)
            for cell in [
                measure.code,
                measure.translated("title"),
                measure.field_of_action.area.translated("name"),
                measure.field_of_action.translated("title"),
                measure.department.display_name,
                person_label(project.lead) if project.lead else "",
                project.get_phase_display(),
                f"{project.get_traffic_light_display()} ({TRAFFIC_LIGHT_COLOURS[project.traffic_light]})",
                project.status_reason,
                project.progress_percent,
                _money(project.budget_planned),
                _money(project.budget_spent),
                _("yes") if project.over_budget else _("no"),
                project.next_milestone_title or "",
                formats.date_format(project.next_milestone_due, "SHORT_DATE_FORMAT")
                if project.next_milestone_due
                else "",
                project.overdue_count,
            ]
        )
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="projektportfolio-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    return response


@login_required_for(VIEW)
def my_projects(request):
    """The projects the caller leads (for leads who do not read the whole cockpit)."""
    if not request.user.is_staff_member:
        audit_denial(request=request, perm=VIEW)
        raise PermissionDenied
    context = {
        "projects": list(selectors.projects_led_by(request.user)),
        "can_see_portfolio": request.user.has_perm(VIEW_COCKPIT),
        "title": _("My projects"),
    }
    return render(request, "strategy/projects/mine.html", context)


# --- one project ------------------------------------------------------------------------------


# a milestone in the change log: "title (2026-11-28)", before 2026 "title (28.11.2026)"
MILESTONE_LABEL = re.compile(r"^(?P<title>.*) \((?P<day>\d{4}-\d{2}-\d{2}|\d{2}\.\d{2}\.\d{4})\)$", re.S)
MILESTONE_FIELDS = ("milestone_added", "milestone_completed", "milestone_reopened", "milestone_deleted")


def _milestone_display(value: str) -> str:
    """A milestone's title with its due date in the reader's format."""
    match = MILESTONE_LABEL.match(value)
    if not match:
        return value
    raw = match["day"]
    day = parse_date(raw) if "-" in raw else _german_date(raw)
    if day is None:
        return value
    return f"{match['title']} ({formats.date_format(day, 'SHORT_DATE_FORMAT')})"


def _german_date(raw: str):
    day, month, year = (int(part) for part in raw.split("."))
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _log_display(field: str, value: str) -> str:
    if not value:
        return ""
    if field in MILESTONE_FIELDS and MILESTONE_LABEL.match(value):
        return _milestone_display(value)
    if field in LOG_CHOICES:
        return str(LOG_CHOICES[field].get(value, value))
    if field in ("start_date", "end_date", "milestone_reopened", "milestone_completed"):
        day = parse_date(value)
        return formats.date_format(day, "SHORT_DATE_FORMAT") if day else value
    if field in ("budget_planned", "budget_spent"):
        return f"{_money(Decimal(value))} €"
    if field == "progress_percent":
        return f"{value} %"
    return value


def _log_rows(project: Project) -> list[dict]:
    return [
        {
            "entry": entry,
            "label": LOG_FIELDS.get(entry.field, entry.field),
            "old": _log_display(entry.field, entry.old_value),
            "new": _log_display(entry.field, entry.new_value),
            "actor": person_label(entry.actor) if entry.actor else _("unknown"),
        }
        for entry in project.log.select_related("actor")
    ]


def _detail(request, project: Project, *, add_form=None, complete_form=None, status: int = 200):
    """The project page; a bound form with errors is shown in place (input kept)."""
    can_change = request.user.has_perm(CHANGE, project)
    today = timezone.localdate()
    milestones = []
    for milestone in project.milestones.all():
        form = None
        if can_change and milestone.completed_on is None:
            form = (
                complete_form
                if complete_form is not None and complete_form.prefix == f"m{milestone.pk}"
                else MilestoneCompleteForm(prefix=f"m{milestone.pk}")
            )
        overdue = (
            milestone.completed_on is None
            and milestone.due_on < today
            and project.phase not in selectors.INACTIVE_PHASES
        )
        milestones.append({"milestone": milestone, "overdue": overdue, "form": form})
    context = {
        "project": project,
        "measure": project.measure,
        "milestones": milestones,
        "log_rows": _log_rows(project),
        "can_change": can_change,
        "can_see_portfolio": request.user.has_perm(VIEW_COCKPIT),
        "over_budget": project.budget_spent > project.budget_planned,
        "add_form": (add_form or MilestoneForm(prefix="milestone")) if can_change else None,
        "title": _("Project %(code)s") % {"code": project.measure.code},
    }
    return render(request, "strategy/projects/detail.html", context, status=status)


@login_required_for(VIEW)
def project_detail(request, pk: int):
    return _detail(request, access_object(request, _projects(), perm=VIEW, pk=pk))


@login_required_for(CHANGE)
def project_edit(request, pk: int):
    """Edit a project. A stale edit (someone saved in between) is refused and the input kept;
    the current state is shown next to it and the form then carries the current version."""
    project = access_object(request, _projects(), perm=CHANGE, pk=pk)
    can_manage = request.user.has_perm(MANAGE)
    form = ProjectEditForm(request.POST or None, project=project, can_manage=can_manage)
    status, stale = 200, False
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(
                project,
                expected_version=form.cleaned_data["version"],
                actor=request.user,
                request=request,
                **form.changes(),
            )
        except services.StaleProjectError as exc:
            project = _projects().get(pk=project.pk)
            data = request.POST.copy()
            data["version"] = str(project.version)
            form = ProjectEditForm(data, project=project, can_manage=can_manage)
            form.is_valid()
            form.add_error(None, exc.messages)
            status, stale = 409, True
        except PermissionDenied as exc:
            form.add_error(None, error_text(exc))
            status = 403
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The project has been saved."))
            if project.budget_spent > project.budget_planned:
                messages.warning(request, _("The project spends more than its planned budget."))
            return redirect("strategy:project_detail", pk=project.pk)
    context = {
        "project": project,
        "form": form,
        "stale": stale,
        "title": _("Edit project %(code)s") % {"code": project.measure.code},
    }
    return render(request, "strategy/projects/edit.html", context, status=status)


@permission_required(MANAGE)
def project_start(request, measure_pk: int):
    """Turn a measure into a project. The measure's page posts ``lead`` and ``status_reason``
    (or ``reason``) here; the GET page offers the same form on its own."""
    measure = access_object(
        request,
        Measure.objects.select_related("department", "field_of_action"),
        perm="strategy.view_measure",
        pk=measure_pk,
    )
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        if not data.get("status_reason") and data.get("reason"):
            data["status_reason"] = data["reason"]
    form = ProjectStartForm(data)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_start(
                measure,
                lead=form.cleaned_data["lead"],
                status_reason=form.cleaned_data["status_reason"],
                budget_planned=form.cleaned_data["budget_planned"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The project has been started."))
            return redirect("strategy:project_detail", pk=project.pk)
    context = {
        "measure": measure,
        "existing": Project.objects.filter(measure=measure).first(),
        "startable": measure.status in services.STARTABLE_MEASURE_STATUSES,
        "form": form,
        "title": _("Start a project for %(code)s") % {"code": measure.code},
    }
    return render(request, "strategy/projects/start.html", context)


# --- milestones -------------------------------------------------------------------------------


def _changeable(request, pk: int) -> Project:
    return access_object(request, _projects(), perm=CHANGE, pk=pk)


def _back(project: Project):
    return redirect(reverse("strategy:project_detail", kwargs={"pk": project.pk}) + "#meilensteine")


@require_POST
@login_required_for(CHANGE)
def milestone_add(request, pk: int):
    project = _changeable(request, pk)
    form = MilestoneForm(request.POST, prefix="milestone")
    if form.is_valid():
        try:
            services.milestone_add(
                project,
                form.cleaned_data["title"],
                form.cleaned_data["due_on"],
                request.user,
                request=request,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The milestone has been added."))
            return _back(project)
    return _detail(request, project, add_form=form)


@require_POST
@login_required_for(CHANGE)
def milestone_complete(request, pk: int, milestone_pk: int):
    project = _changeable(request, pk)
    milestone = get_object_or_404(Milestone, pk=milestone_pk, project=project)
    form = MilestoneCompleteForm(request.POST, prefix=f"m{milestone.pk}")
    if form.is_valid():
        try:
            services.milestone_complete(
                milestone, form.cleaned_data["completed_on"], request.user, request=request
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # already reached (a second click)
                messages.error(request, error_text(exc))
                return _back(project)
            add_service_error(form, exc)
        else:
            messages.success(request, _("The milestone has been marked as reached."))
            return _back(project)
    return _detail(request, project, complete_form=form)


@require_POST
@login_required_for(CHANGE)
def milestone_reopen(request, pk: int, milestone_pk: int):
    project = _changeable(request, pk)
    milestone = get_object_or_404(Milestone, pk=milestone_pk, project=project)
    try:
        services.milestone_reopen(milestone, request.user, request=request)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The milestone is open again."))
    return _back(project)


@require_POST
@login_required_for(CHANGE)
def milestone_delete(request, pk: int, milestone_pk: int):
    project = _changeable(request, pk)
    milestone = get_object_or_404(Milestone, pk=milestone_pk, project=project)
    services.milestone_delete(milestone, request.user, request=request)
    messages.success(request, _("The milestone has been deleted."))
    return _back(project)
