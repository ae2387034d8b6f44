"""Choices of the cases app: default workflow states, who acts in a workflow, timeline kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.core.audit_actions import audit_actions


class CaseState(models.TextChoices):
    """The states of the default workflow; a service's own workflow may name others."""

    RECEIVED = "received", _("Received")
    IN_REVIEW = "in_review", _("In review")
    INFORMATION_REQUESTED = "information_requested", _("Information requested")
    DECIDED = "decided", _("Decided")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class WorkflowRole(models.TextChoices):
    """Who may take a transition."""

    CASEWORKER = "caseworker", _("Caseworker")
    DEPARTMENT_HEAD = "department_head", _("Head of department")
    APPLICANT = "applicant", _("Applicant")


class StateKind(models.TextChoices):
    """What entering a state means for the case's clock and record."""

    NORMAL = "normal", _("normal")
    WAITING = "waiting", _("waiting for the applicant")
    DECISION = "decision", _("decision taken")
    FINAL = "final", _("final")


class EventKind(models.TextChoices):
    RECEIVED = "received", _("Application received")
    TRANSITION = "transition", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    INFORMATION_REQUESTED = "information_requested", _("Information requested")
    INFORMATION_ANSWERED = "information_answered", _("Information provided")
    DECIDED = "decided", _("Notice issued")
    WITHDRAWN = "withdrawn", _("Application withdrawn")
    MESSAGE = "message", _("Message from the administration")


@audit_actions
class CaseAuditAction(models.TextChoices):
    """Audit actions of the cases app (the audit log stores the value)."""

    CASE_CREATED = "case_created", _("Case created")
    CASE_TRANSITION = "case_transition", _("Case status changed")
    CASE_ASSIGNED = "case_assigned", _("Case assigned")
    CASE_NOTE_ADDED = "case_note_added", _("Internal note added")
    CASE_INFORMATION_REQUESTED = "case_information_requested", _("Information requested")
    CASE_INFORMATION_ANSWERED = "case_information_answered", _("Information provided")
    CASE_DECIDED = "case_decided", _("Notice issued")
    CASE_WITHDRAWN = "case_withdrawn", _("Application withdrawn")
    CASE_MESSAGE_SENT = "case_message_sent", _("Message sent")
    DOCUMENT_DOWNLOADED = "document_downloaded", _("Document downloaded")
    WEBHOOK_RESENT = "webhook_resent", _("Webhook delivery sent again")


class DocumentKindLabels:
    """Titles of the city's letters; official letters are German."""

    RECEIPT = "Eingangsbestätigung"
    NOTICE = "Bescheid"
    REQUEST = "Nachforderung"
    EVIDENCE = "Nachweis"
