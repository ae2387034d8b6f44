"""Utility analysis (Nutzwertanalyse), mounted at /verwaltung/strategie/bewertung/."""

from django.urls import path

from .views import evaluation as views

urlpatterns = [
    path("", views.ranking, name="ranking"),
    path("kriterien/", views.criteria, name="criteria"),
    path("kriterien/neu/", views.criterion_create, name="criterion_create"),
    path("kriterien/<int:pk>/", views.criterion_edit, name="criterion_edit"),
    path("kriterien/<int:pk>/aktiv/", views.criterion_active, name="criterion_active"),
    path("bewerten/", views.score_sheet, name="score_sheet"),
    path("bewerten/<int:pk>/", views.score_sheet, name="score_sheet"),
    path("massnahme/<int:pk>/", views.scores, name="scores"),
    path("was-waere-wenn/", views.whatif, name="whatif"),
    path("sensitivitaet/", views.sensitivity, name="sensitivity"),
]
