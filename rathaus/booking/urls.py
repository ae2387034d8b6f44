"""Citizen pages of bookings and courses, mounted at /buchen/."""

from django.urls import path

from . import views

app_name = "booking"

urlpatterns = [
    path("", views.resource_list, name="index"),
    path("meine/", views.mine, name="mine"),
    path("meine/<int:pk>/", views.booking_detail, name="detail"),
    path("meine/<int:pk>/stornieren/", views.booking_cancel, name="cancel"),
    path("meine/<int:pk>/verschieben/", views.booking_move, name="move"),
    path("meine/<int:pk>/kalender.ics", views.booking_ics, name="ics"),
    path("saison/", views.season_applications, name="season"),
    path("trauung/", views.wedding, name="wedding"),
    path("trauung/<slug:slug>/reservieren/", views.wedding_reserve, name="wedding_reserve"),
    path("kurse/", views.course_list, name="courses"),
    path("kurse/anmeldung/<int:pk>/bestaetigen/", views.offer_confirm, name="offer_confirm"),
    path("kurse/anmeldung/<int:pk>/stornieren/", views.enrollment_cancel, name="enrollment_cancel"),
    path("kurse/<slug:slug>/", views.course_detail, name="course"),
    path("kurse/<slug:slug>/anmelden/", views.course_register, name="course_register"),
    path("kurse/<slug:slug>/teilnehmende/", views.course_participants, name="participants"),
    path("kurse/<slug:slug>/nachricht/", views.course_message, name="course_message"),
    path("<slug:slug>/", views.resource_detail, name="resource"),
    path("<slug:slug>/buchen/", views.booking_create, name="create"),
]
