"""The strategy cockpit in the back office (/verwaltung/strategie/). One URL module per concern;
all names live in the ``strategy`` namespace."""

from django.urls import include, path

app_name = "strategy"

urlpatterns = [
    path("", include("rathaus.strategy.urls_reports")),  # dashboard, status reports
    path("", include("rathaus.strategy.urls_structure")),  # guidelines, measures, proposals, versions
    path("bewertung/", include("rathaus.strategy.urls_evaluation")),  # criteria, scores, ranking
    path("plan/", include("rathaus.strategy.urls_planning")),  # measures plans
    path("projekte/", include("rathaus.strategy.urls_projects")),  # portfolio, projects
    path("kennzahlen/", include("rathaus.strategy.urls_kpis")),  # key figures
]
