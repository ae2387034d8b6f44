"""Measures plans (Maßnahmenplan), mounted at /verwaltung/strategie/plan/."""

from django.urls import path

from .views import planning as views

urlpatterns = [
    path("", views.plans, name="plans"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/grenzen/", views.plan_limits, name="plan_limits"),
    path("<int:pk>/vorschlag/", views.plan_suggest, name="plan_suggest"),
    path("<int:pk>/beschliessen/", views.plan_adopt, name="plan_adopt"),
    path("<int:pk>/export.csv", views.plan_export, name="plan_export"),
    path("<int:pk>/massnahme/<int:measure_pk>/", views.plan_entry, name="plan_entry"),
    path("<int:pk>/massnahme/<int:measure_pk>/entfernen/", views.plan_entry_remove, name="plan_entry_remove"),
]
