from django.urls import path

from . import api

urlpatterns = [
    path("services/", api.ServiceListView.as_view(), name="api-services"),
    path("services/<slug:slug>/", api.ServiceDetailView.as_view(), name="api-service-detail"),
    path("life-situations/", api.LifeSituationListView.as_view(), name="api-life-situations"),
]
