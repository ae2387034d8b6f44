"""Multi-project management: portfolio, projects, milestones (mounted at ``projekte/``)."""

from django.urls import path

from .views import projects as views

urlpatterns = [
    path("", views.portfolio, name="portfolio"),
    path("export.csv", views.portfolio_export, name="portfolio_export"),
    path("meine/", views.my_projects, name="my_projects"),
    path("starten/<int:measure_pk>/", views.project_start, name="project_start"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/bearbeiten/", views.project_edit, name="project_edit"),
    path("<int:pk>/meilensteine/", views.milestone_add, name="milestone_add"),
    path(
        "<int:pk>/meilensteine/<int:milestone_pk>/erreicht/",
        views.milestone_complete,
        name="milestone_complete",
    ),
    path(
        "<int:pk>/meilensteine/<int:milestone_pk>/wieder-offen/",
        views.milestone_reopen,
        name="milestone_reopen",
    ),
    path(
        "<int:pk>/meilensteine/<int:milestone_pk>/loeschen/",
        views.milestone_delete,
        name="milestone_delete",
    ),
]
