"""Status reports (Statusberichte) to the council committee: one action makes the report, as HTML
and as PDF, from figures it freezes; reports are kept and two of them can be compared.

``status_report_create`` gathers everything the report shows into ``StatusReport.data`` (plain
JSON: numbers as strings, dates as ISO strings, keyed by stable codes), renders the document from
that data alone (``strategy/reports/report_document.html``), turns it into a PDF with WeasyPrint
and saves data, HTML and PDF in one transaction. If the PDF cannot be made, nothing is saved and
the caller gets a ``ValidationError`` with a message for the user: there is never half a report.
The PDF lives in the private storage (outside the web root) and is streamed only after a
permission check.

The report is an official German document for the council; its wording does not depend on the
UI language of the person who makes it (as the letters in ``cases/pdf.py``).

A double click is harmless: the form carries a one-time token, kept in ``data["request_token"]``;
the same person sending the same token again gets the report the first request made. Requests
are serialised on the strategy row, so two simultaneous ones cannot both create a report.

``status_report_compare`` reads only the frozen data of two reports, so a comparison shows what
the council was told then, not what the figures say today.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.core.audit import audit_record
from rathaus.core.audit_actions import audit_actions
from rathaus.core.context_processors import current_branding
from rathaus.core.pdf import render_pdf

from ..charts import bar_chart_svg, line_chart_svg, progress_bar_svg
from ..constants import KpiDirection, MeasureStatus, PlanStatus, ProjectPhase, TrafficLight
from ..models import Kpi, Measure, Plan, StatusReport, Strategy
from ..selectors.kpis import kpi_series, kpi_target_series, kpi_unit_symbol, kpi_value_display
from ..selectors.progress import area_progress, current_strategy, overall_progress
from ..selectors.projects import portfolio, portfolio_summary

__all__ = [
    "BODY_END",
    "BODY_START",
    "EARLIEST_REPORT_DATE",
    "REPORT_CREATED",
    "Change",
    "ReportComparison",
    "earliest_report_date",
    "report_body",
    "status_report_compare",
    "status_report_create",
    "traffic_light_symbol",
]

logger = logging.getLogger(__name__)

SCHEMA = 1


@audit_actions
class ReportAuditAction(models.TextChoices):
    CREATED = "strategy_report_created", gettext_lazy("Report to the council created")


REPORT_CREATED = ReportAuditAction.CREATED
MANAGE = "strategy.manage"
# The part of the stored document that the report page shows inside the back office.
BODY_START = "<!-- report-body -->"
BODY_END = "<!-- /report-body -->"
TOKEN_MAX = 64
# no report before e-government strategies existed (and no typo like 1900 or 0202)
EARLIEST_REPORT_DATE = dt.date(2000, 1, 1)

# Traffic lights as a symbol and a word, never by colour alone.
TRAFFIC_LIGHT_SYMBOLS = {TrafficLight.GREEN: "●", TrafficLight.AMBER: "▲", TrafficLight.RED: "■"}


def traffic_light_symbol(value: str) -> str:
    return TRAFFIC_LIGHT_SYMBOLS.get(value, "○")


# --- gathering the data -----------------------------------------------------------------------


def _s(value: Decimal | int | None) -> str | None:
    return None if value is None else str(value)


def _cents(value: Decimal | int | None) -> str:
    """Money as a string with two places, whatever the database returned for a sum."""
    return str(Decimal(value or 0).quantize(Decimal("0.01")))


def _d(value: str | None) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError):
        return None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _strategy_data() -> dict[str, Any]:
    try:
        from ..versioning import current_version
    except ImportError:  # pragma: no cover - versioning is part of the app
        version = None
    else:
        version = current_version()
    strategy = current_strategy()
    return {
        "city": current_branding().city_name,
        "title": strategy.title,
        "mission_statement": strategy.mission_statement,
        "council_reference": strategy.council_reference,
        "adopted_on": strategy.adopted_on.isoformat() if strategy.adopted_on else None,
        "version": version.number if version else None,
        "version_label": version.label if version else "",
        "version_date": timezone.localdate(version.created_at).isoformat() if version else None,
    }


def _areas_data() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    from ..models import Guideline

    guidelines: dict[int, list[dict[str, Any]]] = {}
    for g in Guideline.objects.order_by("number"):
        guidelines.setdefault(g.area_id, []).append(
            {"number": g.number, "title": g.title, "motto": g.motto, "text": g.text}
        )
    areas = []
    for area in area_progress():
        areas.append(
            {
                "number": area.area.number,
                "name": area.area.name,
                "guidelines": guidelines.get(area.area.pk, []),
                "progress": area.progress.as_data(),
                "fields": [
                    {"code": f.field.code, "title": f.field.title, "progress": f.progress.as_data()}
                    for f in area.fields
                ],
            }
        )
    return areas, overall_progress().as_data()


def _kpi_data(kpi: Kpi, as_of: dt.date) -> dict[str, Any]:
    """The figure as the report states it: values up to ``as_of``, the target of that year."""
    series = [(day, value) for day, value in kpi_series(kpi) if day <= as_of]
    targets = kpi_target_series(kpi)
    target = next((value for day, value in targets if day.year == as_of.year), None)
    latest = series[-1] if series else None
    previous = series[-2] if len(series) > 1 else None
    higher_better = kpi.direction == KpiDirection.HIGHER_IS_BETTER
    on_track = None
    if latest is not None and target is not None:
        on_track = latest[1] >= target if higher_better else latest[1] <= target
    trend = None
    if latest is not None and previous is not None:
        trend = "up" if latest[1] > previous[1] else "down" if latest[1] < previous[1] else "flat"
    return {
        "key": kpi.key,
        "name": kpi.name,
        "description": kpi.description,
        "unit": kpi.unit,
        "direction": kpi.direction,
        "is_public": kpi.is_public,
        "baseline": _s(kpi.baseline_value),
        "baseline_year": kpi.baseline_year,
        "latest": {"date": latest[0].isoformat(), "value": _s(latest[1])} if latest else None,
        "target_year": as_of.year,
        "target": _s(target),
        "on_track": on_track,
        "trend": trend,
        "series": [[day.isoformat(), _s(value)] for day, value in series],
        "targets": [[day.year, _s(value)] for day, value in targets],
    }


def _projects_data(as_of: dt.date) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rows = []
    for project in portfolio(today=as_of):
        measure = project.measure
        rows.append(
            {
                "code": measure.code,
                "title": measure.title,
                "field": measure.field_of_action.code,
                "department": measure.department.code,
                "phase": project.phase,
                "traffic_light": project.traffic_light,
                "reason": project.status_reason,
                "progress": project.progress_percent,
                "budget_planned": _cents(project.budget_planned),
                "budget_spent": _cents(project.budget_spent),
                "overdue_milestones": project.overdue_count,
                "end_date": project.end_date.isoformat() if project.end_date else None,
            }
        )
    summary = portfolio_summary(today=as_of)
    return rows, {
        "total": summary["total"],
        "by_traffic_light": summary["by_traffic_light"],
        "by_phase": summary["by_phase"],
        "budget_planned": _cents(summary["budget_planned"]),
        "budget_spent": _cents(summary["budget_spent"]),
        "over_budget": summary["over_budget"],
        "overdue_milestones": summary["overdue_milestones"],
    }


def _plan_data() -> dict[str, Any] | None:
    """The adopted measures plan (the newest, when several were adopted), or None."""
    plan = (
        Plan.objects.filter(status=PlanStatus.ADOPTED)
        .prefetch_related("years", "entries__measure", "exclusions")
        .order_by("-first_year", "-updated_at", "-pk")
        .first()
    )
    if plan is None:
        return None
    entries = sorted(plan.entries.all(), key=lambda e: (e.start_year, e.start_quarter, e.measure.code))
    years = []
    for year in plan.years.all():
        starting = [e for e in entries if e.start_year == year.year]
        years.append(
            {
                "year": year.year,
                "budget": _cents(year.budget),
                "capacity": year.capacity_person_days,
                "starting": len(starting),
                "investment": _cents(sum((e.measure.investment_cost for e in starting), Decimal(0))),
            }
        )
    return {
        "name": plan.name,
        "first_year": plan.first_year,
        "last_year": plan.last_year,
        "years": years,
        "entries": [
            {
                "code": e.measure.code,
                "title": e.measure.title,
                "start_year": e.start_year,
                "start_quarter": e.start_quarter,
                "duration": e.measure.duration_quarters,
                "mandatory": e.measure.is_mandatory,
            }
            for e in entries
        ],
        "excluded": len(plan.exclusions.all()),
    }


def _gather(as_of: dt.date) -> dict[str, Any]:
    areas, overall = _areas_data()
    projects, portfolio_totals = _projects_data(as_of)
    return {
        "schema": SCHEMA,
        "as_of": as_of.isoformat(),
        "strategy": _strategy_data(),
        "areas": areas,
        "overall": overall,
        "kpis": [
            _kpi_data(kpi, as_of) for kpi in Kpi.objects.prefetch_related("targets").order_by("order", "key")
        ],
        "projects": projects,
        "portfolio": portfolio_totals,
        "measures": [
            {"code": m.code, "title": m.title, "status": m.status, "field": m.field_of_action.code}
            for m in Measure.objects.select_related("field_of_action").order_by("code")
        ],
        "plan": _plan_data(),
    }


# --- rendering --------------------------------------------------------------------------------


def _percent(value: Decimal | int | None) -> str:
    if value is None:
        return "–"
    return f"{formats.number_format(Decimal(value), decimal_pos=None, use_l10n=True)}\u00a0%"


def _money(value: str | None) -> str:
    amount = _d(value) or Decimal(0)
    return f"{formats.number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)}\u00a0€"


def _status_label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _kpi_context(kpi: dict[str, Any]) -> dict[str, Any]:
    unit = kpi["unit"]
    series = [(_date(day), _d(value)) for day, value in kpi["series"]]
    targets = [(dt.date(int(year), 12, 31), _d(value)) for year, value in kpi["targets"]]
    latest = kpi["latest"]
    latest_text = kpi_value_display(_d(latest["value"]), unit) if latest else "–"
    target_text = kpi_value_display(_d(kpi["target"]), unit)
    description = _("%(name)s: %(count)s values; latest value %(latest)s; target %(year)s: %(target)s.") % {
        "name": kpi["name"],
        "count": len(series),
        "latest": latest_text,
        "year": kpi["target_year"],
        "target": target_text,
    }
    on_track = kpi["on_track"]
    return {
        **kpi,
        "latest_text": latest_text,
        "latest_date": _date(latest["date"]) if latest else None,
        "target_text": target_text,
        "baseline_text": kpi_value_display(_d(kpi["baseline"]), unit),
        "on_track_text": (
            (_("no target") if kpi["target"] is None else _("no value yet"))
            if on_track is None
            else (_("on track") if on_track else _("not on track"))
        ),
        "on_track_symbol": "–" if on_track is None else ("✓" if on_track else "✗"),
        "trend_text": {"up": _("rising"), "down": _("falling"), "flat": _("unchanged")}.get(
            kpi["trend"] or "", "–"
        ),
        "chart": line_chart_svg(
            series, targets, unit=kpi_unit_symbol(unit), title=kpi["name"], description=description
        ),
        "rows": [
            (formats.date_format(day, "SHORT_DATE_FORMAT"), kpi_value_display(value, unit))
            for day, value in series
        ],
        "target_rows": [(year, kpi_value_display(_d(value), unit)) for year, value in kpi["targets"]],
    }


def document_context(data: dict[str, Any], *, title: str) -> dict[str, Any]:
    """What the report template needs, rebuilt from the frozen data alone."""
    areas = []
    for area in data["areas"]:
        fields = [
            {
                **f,
                "percent_text": _percent(_d(f["progress"]["percent"])),
                "bar": progress_bar_svg(_d(f["progress"]["percent"]) or 0, label=f"{f['code']} {f['title']}"),
            }
            for f in area["fields"]
        ]
        areas.append({**area, "fields": fields, "percent_text": _percent(_d(area["progress"]["percent"]))})
    area_items = [
        (f"{a['number']}. {a['name']}", _d(a["progress"]["percent"]) or Decimal(0)) for a in data["areas"]
    ]
    overall = data["overall"]
    projects = [
        {
            **p,
            "symbol": traffic_light_symbol(p["traffic_light"]),
            "traffic_light_label": _status_label(TrafficLight, p["traffic_light"]),
            "phase_label": _status_label(ProjectPhase, p["phase"]),
            "budget_planned_text": _money(p["budget_planned"]),
            "budget_spent_text": _money(p["budget_spent"]),
            "progress_text": _percent(p["progress"]),
        }
        for p in data["projects"]
    ]
    kpis = [_kpi_context(k) for k in data["kpis"]]
    portfolio_totals = data["portfolio"]
    plan = data.get("plan")
    if plan:
        plan = {
            **plan,
            "years": [
                {**y, "budget_text": _money(y["budget"]), "investment_text": _money(y["investment"])}
                for y in plan["years"]
            ],
        }
    return {
        "title": title,
        "data": data,
        "as_of": _date(data["as_of"]),
        "strategy": data["strategy"],
        "adopted_on": _date(data["strategy"]["adopted_on"]),
        "areas": areas,
        "areas_chart": bar_chart_svg(
            area_items,
            unit="%",
            title=_("Progress per area"),
            description=_("Average progress of the measures in each of the five areas."),
        ),
        "overall_text": _percent(_d(overall["percent"])),
        "overall": overall,
        "status_rows": [
            (_status_label(MeasureStatus, status), count) for status, count in overall["by_status"].items()
        ],
        "kpis": kpis,
        "kpis_on_track": sum(1 for k in kpis if k["on_track"] is True),
        "kpis_assessed": sum(1 for k in kpis if k["on_track"] is not None),
        "projects": projects,
        "portfolio": portfolio_totals,
        "traffic_light_rows": [
            (traffic_light_symbol(value), label, portfolio_totals["by_traffic_light"].get(value, 0))
            for value, label in TrafficLight.choices
        ],
        "budget_planned_text": _money(portfolio_totals["budget_planned"]),
        "budget_spent_text": _money(portfolio_totals["budget_spent"]),
        "plan": plan,
        "upcoming": [m for m in data["measures"] if m["status"] == MeasureStatus.PLANNED],
    }


def _render_html(data: dict[str, Any], *, title: str) -> str:
    with translation.override("de"):
        return render_to_string("strategy/reports/report_document.html", document_context(data, title=title))


def report_body(report: StatusReport) -> SafeString:
    """The stored document's body (title page excluded), for showing inside the back office.

    The HTML is our own template's output, escaped when it was rendered; only the part between
    the body markers is returned, so the document's ``<style>`` never reaches the page.
    """
    html = report.html or ""
    start, end = html.find(BODY_START), html.find(BODY_END)
    if start < 0 or end < start:
        return mark_safe("")
    return mark_safe(html[start + len(BODY_START) : end])  # our own escaped template output


# --- the use case -----------------------------------------------------------------------------


def _clean_token(token: str | None) -> str:
    token = (token or "").strip()
    if len(token) > TOKEN_MAX:
        raise ValidationError(_("The form is no longer valid. Please load the page again."))
    return token


def _existing(token: str, actor) -> StatusReport | None:
    if not token:
        return None
    report = StatusReport.objects.filter(data__request_token=token).first()
    if report is not None and report.created_by_id != actor.pk:
        raise ValidationError(_("The form is no longer valid. Please load the page again."))
    return report


def status_report_create(
    *, actor, as_of: dt.date | None = None, title: str | None = None, request_token: str | None = None
) -> StatusReport:
    """Make, render and keep a status report; all of it or nothing.

    ``as_of`` (default today, never in the future) dates the report; key-figure values of later
    periods are left out. Progress, projects and the plan are taken as they stand now.
    ``request_token``: the form's one-time token (double-click protection).
    """
    if not actor.has_perm(MANAGE):
        raise PermissionDenied
    today = timezone.localdate()
    as_of = as_of or today
    _check_as_of(as_of, today)
    token = _clean_token(request_token)
    existing = _existing(token, actor)
    if existing is not None:
        return existing
    title = (title or "").strip() or _default_title(as_of)
    if len(title) > StatusReport._meta.get_field("title").max_length:
        raise ValidationError({"title": _("The title is too long.")})

    data = _gather(as_of)
    if token:
        data["request_token"] = token
    html = _render_html(data, title=title)
    try:
        pdf = render_pdf(html)
    except Exception as exc:  # WeasyPrint raises many kinds; none may leave half a report
        logger.exception("status report PDF failed")
        raise ValidationError(
            _(
                "The PDF of the status report could not be produced, so no report was saved. Please try again later."
            )
        ) from exc
    return _save(actor=actor, as_of=as_of, title=title, data=data, html=html, pdf=pdf, token=token)


def _check_as_of(as_of: dt.date, today: dt.date) -> None:
    """A report is dated between the strategy's adoption (or, before that is recorded,
    ``EARLIEST_REPORT_DATE``) and today."""
    if as_of > today:
        raise ValidationError({"as_of": _("A status report cannot be dated in the future.")})
    adopted_on = current_strategy().adopted_on
    if adopted_on is not None and as_of < adopted_on:
        raise ValidationError(
            {
                "as_of": _(
                    "A status report cannot be dated before the council adopted the strategy (%(date)s)."
                )
                % {"date": formats.date_format(adopted_on, "SHORT_DATE_FORMAT")}
            }
        )
    if as_of < EARLIEST_REPORT_DATE:
        raise ValidationError(
            {
                "as_of": _("A status report cannot be dated before %(date)s.")
                % {"date": formats.date_format(EARLIEST_REPORT_DATE, "SHORT_DATE_FORMAT")}
            }
        )


def earliest_report_date() -> dt.date:
    """The first day a report may be dated: the strategy's adoption, or ``EARLIEST_REPORT_DATE``."""
    adopted_on = current_strategy().adopted_on
    return max(adopted_on, EARLIEST_REPORT_DATE) if adopted_on else EARLIEST_REPORT_DATE


def _default_title(as_of: dt.date) -> str:
    with translation.override("de"):
        return _("Status report on the E-Government strategy, %(date)s") % {
            "date": formats.date_format(as_of, "SHORT_DATE_FORMAT")
        }


def _save(*, actor, as_of, title, data, html, pdf, token) -> StatusReport:
    storage_name = None
    report = None
    try:
        with transaction.atomic():
            # one report at a time: a second request with the same token waits here, then finds
            # the first one's report
            Strategy.objects.get_or_create(pk=1)
            Strategy.objects.select_for_update().get(pk=1)
            existing = _existing(token, actor)
            if existing is not None:
                return existing
            report = StatusReport(
                title=title,
                as_of=as_of,
                strategy_version=data["strategy"]["version"],
                created_by=actor,
                data=data,
                html=html,
            )
            report.pdf.save(f"{uuid.uuid4().hex}.pdf", ContentFile(pdf), save=False)
            storage_name = report.pdf.name
            report.save()
            audit_record(
                action=REPORT_CREATED,
                actor=actor,
                obj=report,
                details={"as_of": data["as_of"], "strategy_version": data["strategy"]["version"]},
            )
    except BaseException:
        if storage_name:
            report.pdf.storage.delete(storage_name)
        raise
    return report


# --- comparing two reports ----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One difference: what (``subject``), which aspect, its value in report A and in report B."""

    subject: str
    aspect: str
    old: str
    new: str


@dataclass(frozen=True)
class ReportComparison:
    a: StatusReport
    b: StatusReport
    kpis: list[Change] = field(default_factory=list)
    projects: list[Change] = field(default_factory=list)
    measures: list[Change] = field(default_factory=list)
    fields: list[Change] = field(default_factory=list)

    @property
    def sections(self) -> list[tuple[str, str, list[Change]]]:
        return [
            ("kpis", _("Key figures"), self.kpis),
            ("projects", _("Projects"), self.projects),
            ("measures", _("Measures"), self.measures),
            ("fields", _("Progress per field of action"), self.fields),
        ]

    @property
    def has_changes(self) -> bool:
        return any(changes for _key, _label, changes in self.sections)


MISSING = "—"


def _by(items: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {str(item[key]): item for item in items}


def _kpi_value(kpi: dict[str, Any] | None) -> str:
    if kpi is None:
        return MISSING
    latest = kpi.get("latest")
    return kpi_value_display(_d(latest["value"]), kpi["unit"]) if latest else "–"


def _kpi_changes(old: dict, new: dict) -> list[Change]:
    changes = []
    for key in dict.fromkeys([*old, *new]):
        a, b = old.get(key), new.get(key)
        subject = (b or a)["name"]
        value_a = _d(a["latest"]["value"]) if a and a.get("latest") else None
        value_b = _d(b["latest"]["value"]) if b and b.get("latest") else None
        if a is None or b is None or value_a != value_b:
            changes.append(Change(subject, _("latest value"), _kpi_value(a), _kpi_value(b)))
        if a and b and a.get("on_track") != b.get("on_track"):
            changes.append(
                Change(
                    subject,
                    _("on track"),
                    _kpi_context_label(a["on_track"]),
                    _kpi_context_label(b["on_track"]),
                )
            )
    return changes


def _kpi_context_label(on_track: bool | None) -> str:
    return "–" if on_track is None else (_("on track") if on_track else _("not on track"))


def _light(project: dict[str, Any] | None) -> str:
    if project is None:
        return MISSING
    value = project["traffic_light"]
    return f"{traffic_light_symbol(value)} {_status_label(TrafficLight, value)}"


def _project_changes(old: dict, new: dict) -> list[Change]:
    changes = []
    for code in dict.fromkeys([*old, *new]):
        a, b = old.get(code), new.get(code)
        subject = f"{code} {(b or a)['title']}"
        if a is None or b is None or a["traffic_light"] != b["traffic_light"]:
            changes.append(Change(subject, _("traffic light"), _light(a), _light(b)))
        if a is None or b is None or a["progress"] != b["progress"]:
            changes.append(
                Change(
                    subject,
                    _("progress"),
                    _percent(a["progress"]) if a else MISSING,
                    _percent(b["progress"]) if b else MISSING,
                )
            )
    return changes


def _measure_changes(old: dict, new: dict) -> list[Change]:
    changes = []
    for code in dict.fromkeys([*old, *new]):
        a, b = old.get(code), new.get(code)
        if a is None or b is None or a["status"] != b["status"]:
            changes.append(
                Change(
                    f"{code} {(b or a)['title']}",
                    _("status"),
                    _status_label(MeasureStatus, a["status"]) if a else MISSING,
                    _status_label(MeasureStatus, b["status"]) if b else MISSING,
                )
            )
    return changes


def _fields(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["code"]: f for area in data.get("areas", []) for f in area["fields"]}


def _field_changes(old: dict, new: dict) -> list[Change]:
    changes = []
    for code in dict.fromkeys([*old, *new]):
        a, b = old.get(code), new.get(code)
        pa = _d(a["progress"]["percent"]) if a else None
        pb = _d(b["progress"]["percent"]) if b else None
        if a is None or b is None or pa != pb:
            changes.append(
                Change(
                    f"{code} {(b or a)['title']}",
                    _("progress"),
                    _percent(pa) if a else MISSING,
                    _percent(pb) if b else MISSING,
                )
            )
    return changes


def status_report_compare(a: StatusReport, b: StatusReport) -> ReportComparison:
    """What changed from report ``a`` to report ``b``: key-figure values (and whether they are
    on track), project traffic lights and progress, measure statuses, field progress. Items only
    in one of the reports appear with "—" on the other side."""
    da, db = a.data or {}, b.data or {}
    return ReportComparison(
        a=a,
        b=b,
        kpis=_kpi_changes(_by(da.get("kpis", []), "key"), _by(db.get("kpis", []), "key")),
        projects=_project_changes(_by(da.get("projects", []), "code"), _by(db.get("projects", []), "code")),
        measures=_measure_changes(_by(da.get("measures", []), "code"), _by(db.get("measures", []), "code")),
        fields=_field_changes(_fields(da), _fields(db)),
    )
