import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "rathaus.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        # signals connects the security-event audit receivers.
        from . import signals, tasks  # noqa: F401
        from .periodic import register_periodic

        # New audit entries are sealed into the hash chain at every heartbeat of a worker.
        register_periodic(tasks.audit_seal, every=dt.timedelta(seconds=5))
