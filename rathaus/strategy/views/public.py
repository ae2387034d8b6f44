"""The public transparency page of the strategy (/transparenz/strategie/), open to everybody.

It shows what the city plans and how far it is, limited to what the strategy office marked
public (the paper's guideline on transparency): the mission and the guidelines (adopted by the
council in public session), the fields of action with the progress of their public measures,
the public measures with their status and their project's traffic light, and the public key
figures with chart, table and targets. It names no person and shows no costs; the reasons given
for a traffic light stay internal, since they may speak of people.
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _

from ..charts import bar_chart_svg
from ..selectors.progress import public_kpis, public_overview
from ..services.reports import traffic_light_symbol
from .reports import area_chart_items, area_rows, kpi_cards


def _project(measure):
    try:
        return measure.project
    except measure.__class__.project.RelatedObjectDoesNotExist:
        return None


def index(request):
    overview = public_overview()
    measures = []
    for measure in overview.measures:
        project = _project(measure)
        measures.append(
            {
                "measure": measure,
                "project": project,
                "symbol": traffic_light_symbol(project.traffic_light) if project else "",
            }
        )
    guidelines = {area.pk: items for area, items in overview.guidelines_by_area}
    context = {
        "title": _("E-Government strategy: plans and progress"),
        "overview": overview,
        "strategy": overview.strategy,
        "areas": [
            {**row, "guidelines": guidelines.get(row["area"].pk, [])} for row in area_rows(overview.areas)
        ],
        "areas_chart": bar_chart_svg(
            area_chart_items(overview.areas),
            unit="%",
            title=_("Progress per area"),
            description=_("Average progress of the published measures in each area."),
        ),
        "measures": measures,
        "kpi_cards": kpi_cards(public_kpis()),
    }
    return render(request, "strategy/public/index.html", context)
