"""The dashboard and the status reports (names in the ``strategy`` namespace)."""

from django.urls import path

from .views import reports

urlpatterns = [
    path("", reports.dashboard, name="dashboard"),
    path("berichte/", reports.reports, name="reports"),
    path("berichte/vergleich/", reports.report_compare, name="report_compare"),
    path("berichte/<int:pk>/", reports.report_detail, name="report_detail"),
    path("berichte/<int:pk>/pdf/", reports.report_pdf, name="report_pdf"),
]
