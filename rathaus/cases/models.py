"""Cases (Vorgänge): the administration's record of one application and its processing."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.accounts.models import Department, Organisation
from rathaus.catalog.constants import Channel
from rathaus.catalog.models import Service
from rathaus.forms.models import Submission, private_storage


class ReferenceCounter(models.Model):
    """The last number handed out per prefix and year on SQLite (``references``); its row lock
    makes references unique across processes. PostgreSQL counts in a sequence per year and
    starts it from this row if there is one."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="cases_counter_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_number}"


class ServiceWorkflow(models.Model):
    """A service's own workflow (states, transitions, roles, deadlines); the default applies
    to services without one."""

    service = models.OneToOneField(
        Service, on_delete=models.CASCADE, related_name="workflow", verbose_name=_("service")
    )
    definition = models.JSONField(_("workflow definition"))
    notice_template = models.TextField(
        _("notice template"),
        blank=True,
        help_text=_(
            "Django template text of the notice; the case, service, applicant and decision are available."
        ),
    )
    webhook_url = models.URLField(_("webhook for case events"), blank=True)
    webhook_secret = models.CharField(_("webhook signing secret"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("workflow")
        verbose_name_plural = _("workflows")

    def __str__(self) -> str:
        return str(self.service)

    def clean(self):
        from django.core.exceptions import ValidationError
        from django.template import Template, TemplateSyntaxError

        from .workflow import validate_workflow

        validate_workflow(self.definition)
        if self.notice_template:
            try:
                Template(self.notice_template)
            except TemplateSyntaxError as exc:
                raise ValidationError({"notice_template": str(exc)}) from exc


def overdue_condition(now) -> models.Q:
    """Cases past a deadline while the department still has to decide them: the processing
    deadline or the current state's deadline. Decided and closed cases are never overdue (what
    follows a decision, such as the appeal period before closing, is not late work)."""
    return models.Q(closed_at__isnull=True, decided_at__isnull=True) & (
        models.Q(due_at__lt=now) | models.Q(state_due_at__lt=now)
    )


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)

    def in_processing(self):
        """Open and not decided yet: the department's work still to do."""
        return self.filter(closed_at__isnull=True, decided_at__isnull=True)

    def for_departments(self, department_ids):
        return self.filter(department_id__in=department_ids)

    def overdue(self, now=None):
        return self.filter(overdue_condition(now or timezone.now()))

    def for_applicant(self, user):
        """Cases the person applied for, and those of organisations they are a member of."""
        return self.filter(
            models.Q(applicant_id=user.pk)
            | models.Q(organisation__isnull=False, organisation__memberships__user_id=user.pk)
        ).distinct()


class Case(models.Model):
    reference = models.CharField(_("reference"), max_length=32, unique=True)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="cases")
    submission = models.OneToOneField(Submission, on_delete=models.PROTECT, related_name="case")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="cases")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    state = models.CharField(_("state"), max_length=40, db_index=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    state_due_at = models.DateTimeField(_("due in this state"), null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True)
    waiting_seconds = models.PositiveIntegerField(default=0)
    fee = models.DecimalField(_("fee"), max_digits=10, decimal_places=2, null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.reference

    def audit_label(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def overdue_deadline(self, now=None):
        """The deadline that makes the case overdue (``overdue_condition``): the earlier of the
        processing and the current state's deadline that passed; None if it is not overdue."""
        if self.closed_at is not None or self.decided_at is not None:
            return None
        now = now or timezone.now()
        passed = [due for due in (self.due_at, self.state_due_at) if due is not None and due < now]
        return min(passed, default=None)

    def is_overdue(self, now=None) -> bool:
        """``overdue_condition`` for one case."""
        return self.overdue_deadline(now) is not None

    def waiting_seconds_until(self, moment) -> int:
        """Time spent waiting for the applicant up to ``moment``, including a wait still running."""
        running = 0
        if self.waiting_since is not None and moment > self.waiting_since:
            running = int((moment - self.waiting_since).total_seconds())
        return self.waiting_seconds + running

    @property
    def processing_seconds(self) -> int:
        """Processing time: from receipt to decision (or now), without the time the case waited
        for the applicant (information requests), which the administration cannot influence."""
        end = self.decided_at or self.closed_at or timezone.now()
        total = int((end - self.created_at).total_seconds())
        return max(total - self.waiting_seconds_until(end), 0)


class CaseEvent(models.Model):
    """One line of a case's timeline; ``public`` lines are shown to the applicant."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=40)
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    public = models.BooleanField(default=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind}"

    @property
    def kind_label(self) -> str:
        from .constants import EventKind

        return str(EventKind(self.kind).label) if self.kind in EventKind.values else self.kind

    @property
    def to_state_label(self) -> str:
        from .constants import CaseState

        return str(CaseState(self.to_state).label) if self.to_state in CaseState.values else self.to_state


class CaseNote(models.Model):
    """An internal note of the administration; never shown to the applicant."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"note {self.pk}"


class InformationRequestQuerySet(models.QuerySet):
    def open(self):
        """Requests still waiting for the applicant's answer: neither answered nor withdrawn."""
        return self.filter(answered_at__isnull=True, withdrawn_at__isnull=True)


class InformationRequest(models.Model):
    """Nachforderung: the administration asks the applicant for missing information.

    A request ends either answered by the applicant or withdrawn, when the case leaves the
    waiting state another way (staff resume the review, the applicant withdraws the
    application); a case has at most one open request."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="information_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(_("what is missing"))
    requested_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = InformationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(answered_at__isnull=True, withdrawn_at__isnull=True),
                name="cases_one_open_request",
            ),
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True) | models.Q(withdrawn_at__isnull=True),
                name="cases_request_answered_or_withdrawn",
            ),
        ]

    def __str__(self) -> str:
        return f"request {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None and self.withdrawn_at is None


class DocumentKind(models.TextChoices):
    RECEIPT = "receipt", _("Acknowledgement of receipt")
    NOTICE = "notice", _("Notice")
    REQUEST = "request", _("Request for information")
    EVIDENCE = "evidence", _("Evidence from the applicant")
    ATTACHMENT = "attachment", _("Attachment")


class Document(models.Model):
    """A file of a case. A letter may be stored before its PDF exists: ``file`` is then empty
    and ``letter`` holds what the letter says as of its date, so the PDF rendered later (on
    first access or by the task worker) is the one that would have been rendered then."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="cases/%Y/%m/", storage=private_storage, blank=True)
    letter = models.JSONField(default=dict, blank=True, editable=False)
    content_type = models.CharField(max_length=100, default="application/pdf")
    visible_to_applicant = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # A receipt whose message has not reached the applicant's mailbox yet: the task worker
    # delivers them in batches a few seconds after the submission (mailbox.receipts_deliver),
    # or the mailbox when its person opens it first.
    delivery_pending = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            # Letters waiting for their PDF: what the worker's sweep renders (receipts_render).
            models.Index(
                fields=["created_at"], name="cases_document_unrendered_idx", condition=models.Q(file="")
            ),
            # Receipts waiting for their mailbox message: what the worker delivers.
            models.Index(
                fields=["id"],
                name="cases_document_undelivered_idx",
                condition=models.Q(delivery_pending=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    # Kinds whose title the system makes (a German letter's name and the reference): shown in
    # the reader's language instead of the stored German title.
    GENERATED_KINDS = frozenset({"receipt", "notice", "request", "evidence"})

    @property
    def display_title(self) -> str:
        """The title in the active language: for the city's letters and the applicant's evidence
        the kind's label and the case's reference ("Notice RBG-2026-000123"); a title somebody
        gave by hand as it is."""
        if self.kind in self.GENERATED_KINDS:
            return f"{self.get_kind_display()} {self.case.reference}"
        return self.title


class NoticeOutcome(models.TextChoices):
    GRANTED = "granted", _("granted")
    PARTLY_GRANTED = "partly_granted", _("partly granted")
    REFUSED = "refused", _("refused")


class Notice(models.Model):
    """Bescheid: the formal decision, delivered as a PDF document."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="notice")
    outcome = models.CharField(max_length=16, choices=NoticeOutcome.choices)
    reasoning = models.TextField(_("reasons"))
    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"notice {self.case_id}"


class WebhookDelivery(models.Model):
    """One outbound event to a specialised system (Fachverfahren), retried with backoff."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="webhook_deliveries", verbose_name=_("case")
    )
    event = models.CharField(_("event"), max_length=40)
    url = models.URLField(_("address"))
    payload = models.JSONField(_("content"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event} → {self.url}"
