from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.core.audit_actions import audit_actions


@audit_actions
class MailboxAuditAction(models.TextChoices):
    MESSAGE_SENT = "mailbox_message_sent", _("Message to the administration sent")
