app_name = "strategy_api"

urlpatterns: list = []
