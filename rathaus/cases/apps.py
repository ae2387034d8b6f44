import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "rathaus.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from rathaus.core.periodic import register_periodic

        from . import tasks

        # Receipts stored without their PDF are rendered within a minute (or when first opened).
        register_periodic(tasks.receipts_render, every=dt.timedelta(minutes=1))
