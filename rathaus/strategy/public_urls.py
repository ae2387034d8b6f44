"""The public transparency page of the strategy (/transparenz/strategie/)."""

app_name = "strategy_public"

urlpatterns: list = []
