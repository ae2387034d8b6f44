import datetime as dt

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    name = "rathaus.strategy"
    label = "strategy"
    verbose_name = _("E-Government strategy")

    def ready(self):
        from rathaus.core.periodic import register_periodic

        from . import tasks, versioning  # noqa: F401 - versioning registers its audit action
        from .services import evaluation, kpis, planning, projects, reports, structure  # noqa: F401 - audit actions

        # Every installed app may offer key figures in its kpis.py (rathaus.core.kpi_registry).
        autodiscover_modules("kpis")
        # History of the computed key figures: one value per day, refreshed during the day.
        register_periodic(tasks.kpi_snapshot_all, every=dt.timedelta(hours=1))
