"""Key figures: list, detail with chart and history, manual entry, definition with targets."""

from django.urls import path

from .views import kpis as views

urlpatterns = [
    path("", views.kpi_list, name="kpis"),
    path("neu/", views.kpi_new, name="kpi_new"),
    path("jetzt-messen/", views.kpi_snapshot_now, name="kpi_snapshot_now"),
    path("<int:pk>/", views.kpi_detail, name="kpi_detail"),
    path("<int:pk>/erfassen/", views.kpi_record, name="kpi_record"),
    path("<int:pk>/bearbeiten/", views.kpi_edit, name="kpi_edit"),
]
