from django.urls import path

from . import api

urlpatterns = [
    path("resources/", api.ResourceListView.as_view(), name="api-booking-resources"),
    path("resources/<slug:slug>/", api.ResourceDetailView.as_view(), name="api-booking-resource"),
    path("resources/<slug:slug>/free-slots/", api.FreeSlotListView.as_view(), name="api-booking-free-slots"),
    path("resources/<slug:slug>/occupancy/", api.OccupancyPlanView.as_view(), name="api-booking-occupancy"),
    path("bookings/", api.BookingCreateView.as_view(), name="api-booking-create"),
    path("bookings/<int:pk>/cancel/", api.BookingCancelView.as_view(), name="api-booking-cancel"),
]
