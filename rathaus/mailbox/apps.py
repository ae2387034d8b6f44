from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailboxConfig(AppConfig):
    name = "rathaus.mailbox"
    label = "mailbox"
    verbose_name = _("Mailbox")

    def ready(self):
        from . import receivers  # noqa: F401 - connects the case_event receiver
