"""Names shared by the form engine, its services and views."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.core.audit_actions import audit_actions

FIELD_TYPES = (
    "text",
    "textarea",
    "email",
    "phone",
    "number",
    "date",
    "iban",
    "address",
    "choice",
    "file",
    "group",
    "declaration",
)
ADDRESS_PARTS = ("street", "postal_code", "city")

# File kinds a file field may accept, by the content type the sniffer reports.
FILE_KINDS = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
# The same kinds as file name endings, for the file picker's ``accept``.
FILE_EXTENSIONS = {"pdf": ".pdf", "jpeg": ".jpg,.jpeg", "png": ".png"}
DEFAULT_MAX_SIZE_MB = 10

# Key in the cleaned data that records which answers were taken over from the eID (once-only).
ONCE_ONLY_KEY = "_once_only"
# Session key holding the ids of the anonymous drafts this browser may open.
ANONYMOUS_DRAFTS_SESSION_KEY = "anonymous_drafts"


@audit_actions
class FormAuditAction(models.TextChoices):
    """Audit actions of the forms app (stored in core's AuditEntry.action)."""

    VERSION_SAVED = "form_version_saved", _("Form version saved")
    VERSION_PUBLISHED = "form_version_published", _("Form version published")
    SUBMISSION_CREATED = "submission_created", _("Application submitted")
    DRAFT_DISCARDED = "draft_discarded", _("Draft discarded")
