from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.catalog_index, name="index"),
    path("lebenslagen/<slug:slug>/", views.life_situation_detail, name="life_situation"),
    path("aemter/", views.departments, name="departments"),
    path("<slug:slug>/", views.service_detail, name="service"),
]
