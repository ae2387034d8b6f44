import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailboxConfig(AppConfig):
    name = "rathaus.mailbox"
    label = "mailbox"
    verbose_name = _("Mailbox")

    def ready(self):
        from rathaus.core.periodic import register_periodic

        from . import receivers, tasks  # noqa: F401 - receivers connects the case_event receiver

        # E-mail notices of new messages: one sweep a minute, one e-mail per person.
        register_periodic(tasks.mailbox_notices_send, every=dt.timedelta(minutes=1))
        # Receipts' messages, a few seconds after their submissions (in batches).
        register_periodic(tasks.receipts_deliver, every=dt.timedelta(seconds=5))
