"""Public read-only API of the strategy (/api/v1/strategy/)."""

from django.urls import path

from . import api

app_name = "strategy_api"

urlpatterns = [
    path("public/overview/", api.PublicOverviewView.as_view(), name="public-overview"),
    path("public/measures/", api.PublicMeasureListView.as_view(), name="public-measures"),
    path("public/kpis/", api.PublicKpiListView.as_view(), name="public-kpis"),
]
