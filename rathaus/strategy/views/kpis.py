"""Key-figure pages of the strategy cockpit (/verwaltung/strategie/kennzahlen/).

Readers of the cockpit (``strategy.view_kpi``) see the list and each KPI with its chart, data
table, history and breakdown; the strategy office (``strategy.manage``) defines KPIs and their
targets, records manual values and takes a snapshot of the computed ones on demand.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from rathaus.core import kpi_registry
from rathaus.core.permissions import access_object, permission_required

from ..constants import KpiSource, KpiUnit
from ..forms_kpis import KpiForm, KpiValueForm, apply_errors, target_formset
from ..models import Kpi
from ..periods import period_label
from ..selectors import kpis as selectors
from ..services import kpis as services

VIEW = "strategy.view_kpi"
MANAGE = "strategy.manage"


def _kpi(request, pk: int, perm: str = VIEW) -> Kpi:
    return access_object(request, Kpi.objects.select_related("field_of_action"), perm=perm, pk=pk)


@permission_required(VIEW)
def kpi_list(request):
    """Every KPI with unit, source, latest value, this year's target and whether it is on track."""
    year = timezone.localdate().year
    overview = selectors.kpis_overview(year)
    return render(
        request,
        "strategy/kpis/list.html",
        {
            "title": _("Key figures"),
            "rows": overview,
            "year": year,
            "can_manage": request.user.has_perm(MANAGE),
        },
    )


def _chart(kpi: Kpi, series, targets):
    """The SVG chart, or None while the chart module is not there (the table shows the data)."""
    try:
        from ..charts import line_chart_svg
    except ImportError:  # pragma: no cover - only while the chart module is being written
        return None
    unit = selectors.kpi_unit_symbol(kpi.unit)
    if series:
        description = ngettext(
            "%(count)s value from %(first)s to %(last)s; the latest is %(latest)s.",
            "%(count)s values from %(first)s to %(last)s; the latest is %(latest)s.",
            len(series),
        ) % {
            "count": len(series),
            "first": period_label(series[0][0], series[0][0]),
            "last": period_label(series[-1][0], series[-1][0]),
            "latest": selectors.kpi_value_display(series[-1][1], kpi.unit),
        }
    else:
        description = _("No values have been recorded yet.")
    if targets:
        description += " " + _("Targets: %(targets)s.") % {
            "targets": "; ".join(f"{d.year}: {selectors.kpi_value_display(v, kpi.unit)}" for d, v in targets)
        }
    return line_chart_svg(
        series,
        targets,
        unit=unit,
        title=_("%(kpi)s over time, with targets") % {"kpi": kpi.translated("name")},
        description=description,
    )


def _breakdown(kpi: Kpi, latest):
    if latest is None or not latest.breakdown:
        return []
    rows = []
    for label, raw in latest.breakdown.items():
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            continue
        rows.append((label, value, selectors.kpi_value_display(value, kpi.unit)))
    return sorted(rows, key=lambda row: row[0].casefold())


def _breakdown_chart(kpi: Kpi, rows):
    if not rows:
        return None
    try:
        from ..charts import bar_chart_svg
    except ImportError:  # pragma: no cover - only while the chart module is being written
        return None
    return bar_chart_svg(
        [(label, value) for label, value, _display in rows],
        unit=selectors.kpi_unit_symbol(kpi.unit),
        title=_("%(kpi)s: breakdown of the latest value") % {"kpi": kpi.translated("name")},
        description=_("One bar per entry; the table below lists the same values."),
    )


@permission_required(VIEW)
def kpi_detail(request, pk: int):
    kpi = _kpi(request, pk)
    assessment = selectors.kpi_assessment(kpi)
    series = selectors.kpi_series(kpi)
    targets = selectors.kpi_target_series(kpi)
    values = list(kpi.values.select_related("recorded_by").order_by("-period_end", "-period_start"))
    for value in values:
        value.label = period_label(value.period_start, value.period_end)
        value.display = selectors.kpi_value_display(value.value, kpi.unit)
    breakdown = _breakdown(kpi, assessment.latest if kpi.source == KpiSource.COMPUTED else None)
    provider = None
    if kpi.provider_key:
        try:
            provider = kpi_registry.provider(kpi.provider_key)
        except LookupError:
            provider = None
    return render(
        request,
        "strategy/kpis/detail.html",
        {
            "title": kpi.translated("name"),
            "kpi": kpi,
            "kpi_name": kpi.translated("name"),
            "kpi_description": kpi.translated("description"),
            "assessment": assessment,
            "chart": _chart(kpi, series, targets),
            "targets": [
                (t.year, selectors.kpi_value_display(t.value, kpi.unit)) for t in kpi.targets.order_by("year")
            ],
            "values": values,
            "breakdown": breakdown,
            "breakdown_chart": _breakdown_chart(kpi, breakdown),
            "provider": provider,
            "provider_missing": bool(kpi.provider_key) and provider is None,
            "can_manage": request.user.has_perm(MANAGE),
            "unit_label": KpiUnit(kpi.unit).label if kpi.unit in KpiUnit.values else kpi.unit,
        },
    )


@permission_required(MANAGE)
def kpi_record(request, pk: int):
    """Enter the value of a manual KPI for a period; a period entered again is replaced."""
    kpi = _kpi(request, pk, MANAGE)
    if kpi.source != KpiSource.MANUAL:
        messages.info(
            request, _("The values of this key figure are computed by Rathaus; they cannot be entered.")
        )
        return redirect("strategy:kpi_detail", pk=kpi.pk)
    form = KpiValueForm(request.POST or None, unit=kpi.unit)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.kpi_value_record(
                kpi,
                period=form.cleaned_data["period"],
                value=form.cleaned_data["value"],
                note=form.cleaned_data["note"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            shown = selectors.kpi_value_display(record.value, kpi.unit)
            if record.previous_value is None:
                messages.success(
                    request,
                    _("%(value)s has been recorded for %(period)s.")
                    % {"value": shown, "period": record.period_label},
                )
            else:
                messages.success(
                    request,
                    _("The value for %(period)s was %(previous)s and has been replaced by %(value)s.")
                    % {
                        "period": record.period_label,
                        "previous": selectors.kpi_value_display(record.previous_value, kpi.unit),
                        "value": shown,
                    },
                )
            return redirect("strategy:kpi_detail", pk=kpi.pk)
    return render(
        request,
        "strategy/kpis/record.html",
        {
            "title": _("Record a value: %(kpi)s") % {"kpi": kpi.translated("name")},
            "kpi": kpi,
            "kpi_name": kpi.translated("name"),
            "form": form,
        },
    )


def _edit(request, kpi: Kpi | None):
    if request.method == "POST":
        form = KpiForm(request.POST)
        targets = target_formset(request.POST, kpi)
    else:
        form = KpiForm(initial=KpiForm.initial_for(kpi) if kpi else {"source": KpiSource.MANUAL, "order": 0})
        targets = target_formset(None, kpi)
    if request.method == "POST" and form.is_valid() & targets.is_valid():
        fields = form.service_fields()
        try:
            if kpi is None:
                kpi = services.kpi_create(
                    acting_user=request.user,
                    guidelines=form.chosen_guidelines(),
                    targets=targets.targets(),
                    **fields,
                )
                messages.success(request, _("The key figure has been created."))
            else:
                services.kpi_update(
                    kpi=kpi,
                    acting_user=request.user,
                    guidelines=form.chosen_guidelines(),
                    targets=targets.targets(),
                    **fields,
                )
                messages.success(request, _("The key figure has been saved."))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("strategy:kpi_detail", pk=kpi.pk)
    title = _("Edit %(kpi)s") % {"kpi": kpi.translated("name")} if kpi else _("New key figure")
    return render(
        request,
        "strategy/kpis/form.html",
        {
            "title": title,
            "kpi": kpi,
            "kpi_name": kpi.translated("name") if kpi else "",
            "form": form,
            "targets": targets,
        },
    )


@permission_required(MANAGE)
def kpi_new(request):
    return _edit(request, None)


@permission_required(MANAGE)
def kpi_edit(request, pk: int):
    return _edit(request, _kpi(request, pk, MANAGE))


@require_POST
@permission_required(MANAGE)
def kpi_snapshot_now(request):
    """Record today's value of every computed KPI now instead of waiting for the hourly job."""
    computed = Kpi.objects.filter(source=KpiSource.COMPUTED).count()
    recorded = services.kpi_snapshot_all(acting_user=request.user)
    if len(recorded) == computed:
        messages.success(
            request,
            ngettext(
                "Today's value of %(count)s computed key figure has been recorded.",
                "Today's values of %(count)s computed key figures have been recorded.",
                computed,
            )
            % {"count": computed},
        )
    else:
        messages.warning(
            request,
            _(
                "%(recorded)s of %(count)s computed key figures have been recorded; the others have "
                "nothing to measure yet or could not be computed (see the server log)."
            )
            % {"recorded": len(recorded), "count": computed},
        )
    return redirect("strategy:kpis")
