from django.urls import path

from . import occupancy_views as views

app_name = "occupancy"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:resource_slug>/", views.plan, name="plan"),
    path("<slug:resource_slug>/druck/", views.plan_print, name="print"),
    path("<slug:resource_slug>/kalender.ics", views.plan_ical, name="ical"),
]
