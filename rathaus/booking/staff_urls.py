from django.urls import path

from . import staff_views as views

app_name = "booking_staff"

urlpatterns = [
    path("", views.index, name="index"),
    path("saisons/", views.seasons, name="seasons"),
    path("saisons/<int:pk>/", views.season_detail, name="season"),
    path("antraege/<int:pk>/entscheiden/", views.application_decide, name="decide"),
    path("buchung/<int:pk>/", views.booking_detail, name="booking"),
    path("buchung/<int:pk>/bestaetigen/", views.booking_confirm, name="confirm"),
    path("buchung/<int:pk>/absagen/", views.booking_cancel, name="cancel"),
    path("buchung/<int:pk>/verlegen/", views.booking_swap, name="swap"),
    path("<slug:slug>/", views.resource_calendar, name="calendar"),
    path("<slug:slug>/buchen/", views.book_for, name="book"),
    path("<slug:slug>/sperren/", views.block, name="block"),
]
