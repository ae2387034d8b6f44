"""The public transparency page of the strategy (/transparenz/strategie/)."""

from django.urls import path

from .views import public

app_name = "strategy_public"

urlpatterns = [
    path("", public.index, name="index"),
]
