"""The leadership dashboard and the status reports (Statusberichte) of the strategy cockpit.

The dashboard reads the cockpit (``strategy.view_cockpit``); the reports need
``strategy.view_report`` to read and ``strategy.manage`` to make one. A report is fetched only
through ``access_object`` (404 for the unauthorised, audited), its PDF streamed from the private
storage after that check.
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.core.forms import KernForm, add_service_error
from rathaus.core.permissions import access_object, audit_denial, login_required_for, permission_required

from ..charts import bar_chart_svg, line_chart_svg, progress_bar_svg
from ..constants import MeasureStatus, TrafficLight
from ..models import StatusReport
from ..selectors.kpis import kpi_series, kpi_target_series, kpi_unit_symbol, kpi_value_display, kpis_overview
from ..selectors.progress import area_progress, overall_progress
from ..selectors.projects import overdue_milestones, portfolio_summary
from ..services.reports import (
    earliest_report_date,
    report_body,
    status_report_compare,
    status_report_create,
    traffic_light_symbol,
)

VIEW_COCKPIT = "strategy.view_cockpit"
VIEW_REPORT = "strategy.view_report"
MANAGE = "strategy.manage"
LATEST_REPORTS = 5
OVERDUE_SHOWN = 10


# --- forms ------------------------------------------------------------------------------------


class StatusReportForm(KernForm):
    """Make a report. ``token`` is a one-time value of this form: sent twice, one report."""

    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Without a title the report is called “Statusbericht …” with its date."),
    )
    as_of = forms.DateField(
        label=gettext_lazy("As of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Default: today. Key-figure values after this day are left out."),
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


class CompareForm(KernForm):
    a = forms.TypedChoiceField(label=gettext_lazy("Earlier report (A)"), coerce=int)
    b = forms.TypedChoiceField(label=gettext_lazy("Later report (B)"), coerce=int)

    def __init__(self, *args, reports=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(r.pk, f"{r.title} ({_created(r)})") for r in reports]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices


def _created(report: StatusReport) -> str:
    """When the report was made, in local time and the reader's format (as the table shows it)."""
    return formats.date_format(timezone.localtime(report.created_at), "SHORT_DATETIME_FORMAT")


def _reports():
    return StatusReport.objects.defer("html", "data").select_related("created_by")


# --- dashboard --------------------------------------------------------------------------------


def kpi_cards(queryset=None) -> list[dict]:
    """Each key figure (of ``queryset``, default all) with its assessment, chart and data rows."""
    cards = []
    for assessment in kpis_overview(queryset=queryset):
        kpi = assessment.kpi
        series = kpi_series(kpi)
        targets = kpi_target_series(kpi)
        description = _(
            "%(name)s: %(count)s values; latest value %(latest)s; target %(year)s: %(target)s."
        ) % {
            "name": kpi.translated("name"),
            "count": len(series),
            "latest": assessment.value_display,
            "year": assessment.year,
            "target": assessment.target_display,
        }
        cards.append(
            {
                "assessment": assessment,
                "kpi": kpi,
                "chart": line_chart_svg(
                    series,
                    targets,
                    unit=kpi_unit_symbol(kpi.unit),
                    title=kpi.translated("name"),
                    description=description,
                ),
                "rows": [(day, kpi_value_display(value, kpi.unit)) for day, value in series],
                "target_rows": [(day.year, kpi_value_display(value, kpi.unit)) for day, value in targets],
            }
        )
    return cards


def area_chart_items(areas) -> list[tuple[str, object]]:
    """The bars of the progress-per-area chart, named in the reader's language."""
    return [(f"{a.area.number}. {a.area.translated('name')}", a.progress.percent or 0) for a in areas]


def area_rows(areas) -> list[dict]:
    """Areas for the templates: each field of action with its progress bar."""
    return [
        {
            "area": area.area,
            "progress": area.progress,
            "fields": [
                {
                    "field": f.field,
                    "progress": f.progress,
                    "bar": progress_bar_svg(
                        f.progress.percent, label=f"{f.field.code} {f.field.translated('title')}"
                    ),
                }
                for f in area.fields
            ],
        }
        for area in areas
    ]


@permission_required(VIEW_COCKPIT)
def dashboard(request):
    areas = area_progress()
    overall = overall_progress()
    summary = portfolio_summary()
    context = {
        "title": _("Strategy dashboard"),
        "areas": area_rows(areas),
        "overall": overall,
        "status_rows": [(label, overall.by_status.get(value, 0)) for value, label in MeasureStatus.choices],
        "areas_chart": bar_chart_svg(
            area_chart_items(areas),
            unit="%",
            title=_("Progress per area"),
            description=_("Average progress of the measures in each of the five areas."),
        ),
        "kpi_cards": kpi_cards(),
        "portfolio": summary,
        "traffic_lights": [
            {**row, "symbol": traffic_light_symbol(row["value"])} for row in summary["traffic_lights"]
        ],
        "budget_percent": (
            round(summary["budget_spent"] * 100 / summary["budget_planned"])
            if summary["budget_planned"]
            else None
        ),
        "overdue": list(overdue_milestones()[:OVERDUE_SHOWN]),
        "reports": list(_reports()[:LATEST_REPORTS]) if request.user.has_perm(VIEW_REPORT) else [],
        "TrafficLight": TrafficLight,
    }
    return render(request, "strategy/reports/dashboard.html", context)


# --- reports ----------------------------------------------------------------------------------


def _list_page(request, *, form=None, status=200):
    reports = list(_reports())
    if form is None and request.user.has_perm(MANAGE):
        form = StatusReportForm(initial={"token": uuid.uuid4().hex})
    if form is not None:
        # the browser's date picker offers only the days a report may be dated (the service checks)
        form.fields["as_of"].widget.attrs.update(
            min=earliest_report_date().isoformat(), max=timezone.localdate().isoformat()
        )
    compare = CompareForm(reports=reports, initial=_compare_initial(reports)) if len(reports) > 1 else None
    context = {"title": _("Status reports"), "reports": reports, "form": form, "compare_form": compare}
    return render(request, "strategy/reports/report_list.html", context, status=status)


def _compare_initial(reports) -> dict:
    return {"b": reports[0].pk, "a": reports[1].pk} if len(reports) > 1 else {}


@permission_required(VIEW_REPORT)
def reports(request):
    """GET: the kept reports. POST (strategy office): make a new one, then show it."""
    if request.method != "POST":
        return _list_page(request)
    if not request.user.has_perm(MANAGE):
        audit_denial(request=request, perm=MANAGE)
        raise PermissionDenied
    form = StatusReportForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form=form, status=400)
    try:
        report = status_report_create(
            actor=request.user,
            as_of=form.cleaned_data["as_of"],
            title=form.cleaned_data["title"],
            request_token=form.cleaned_data["token"],
        )
    except ValidationError as exc:
        add_service_error(form, exc)
        form.data = form.data.copy()
        form.data["token"] = uuid.uuid4().hex  # a fresh try is a new request
        return _list_page(request, form=form, status=400)
    messages.success(request, _("The status report “%(title)s” was created.") % {"title": report.title})
    return redirect("strategy:report_detail", pk=report.pk)


@login_required_for(VIEW_REPORT)
def report_detail(request, pk: int):
    report = access_object(
        request, StatusReport.objects.select_related("created_by"), perm=VIEW_REPORT, pk=pk
    )
    previous = _reports().filter(created_at__lt=report.created_at).order_by("-created_at", "-id").first()
    context = {"title": report.title, "report": report, "body": report_body(report), "previous": previous}
    return render(request, "strategy/reports/report_detail.html", context)


@login_required_for(VIEW_REPORT)
def report_pdf(request, pk: int):
    report = access_object(request, StatusReport.objects.defer("html", "data"), perm=VIEW_REPORT, pk=pk)
    if not report.pdf:
        raise Http404
    try:
        handle = report.pdf.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"statusbericht-{report.as_of:%Y-%m-%d}-{report.pk}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@permission_required(VIEW_REPORT)
def report_compare(request):
    """Differences between two reports, chosen with ``?a=&b=``; unknown ids are a 404."""
    reports_list = list(_reports())
    if not request.GET:
        form = CompareForm(reports=reports_list, initial=_compare_initial(reports_list))
        return _compare_page(request, form, None)
    form = CompareForm(request.GET, reports=reports_list)
    if not form.is_valid():
        # an id that is not a number or names no report the list offers
        raw = [request.GET.get("a", ""), request.GET.get("b", "")]
        if all(v.isdigit() for v in raw):
            raise Http404
        return _compare_page(request, form, None, status=400)
    a = access_object(request, StatusReport.objects.all(), perm=VIEW_REPORT, pk=form.cleaned_data["a"])
    b = access_object(request, StatusReport.objects.all(), perm=VIEW_REPORT, pk=form.cleaned_data["b"])
    return _compare_page(request, form, status_report_compare(a, b))


def _compare_page(request, form, comparison, *, status=200):
    context = {"title": _("Compare status reports"), "form": form, "comparison": comparison}
    return render(request, "strategy/reports/report_compare.html", context, status=status)
