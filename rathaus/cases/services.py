"""Write use cases of cases (Vorgänge). Public API of the app for writes.

Each function is one transaction: it checks who acts, changes the case, appends the timeline
event and the audit entry, and announces the change through ``signals.case_event`` inside the
same transaction (the mailbox stores its message atomically with the change). Anything that
leaves the system (e-mail, webhooks) starts with ``transaction.on_commit``.

Optimistic concurrency: every change raises ``Case.version``. A form that shows a case sends the
version it showed; if the case changed in between, ``StaleCaseError`` is raised and nothing is
written, so nobody decides on a case they have not seen in its current state.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rathaus.accounts.constants import DEPARTMENT_ROLES
from rathaus.accounts.models import StaffRole, User
from rathaus.catalog.fees import compute_fee
from rathaus.core.audit import audit_deferred, audit_record
from rathaus.core.constants import AuditAction
from rathaus.core.rows import insert_new, rows_batched
from rathaus.core.transactions import delete_file_on_rollback
from rathaus.forms.models import Submission

from . import pdf
from .constants import CaseAuditAction, DocumentKindLabels, EventKind, StateKind, WorkflowRole
from .deadlines import end_of_working_day
from .models import (
    Case,
    CaseEvent,
    CaseNote,
    Document,
    DocumentKind,
    InformationRequest,
    Notice,
    NoticeOutcome,
    WebhookDelivery,
)
from .references import reference_allocate, reference_and_ids_reserve, reference_reserve
from .rules import is_case_applicant
from .selectors import submission_summary_rows
from .signals import case_event
from .workflow import Workflow, workflow_for_service

__all__ = [
    "IdempotencyKeyUsed",
    "StaleCaseError",
    "application_submit",
    "application_submit_direct",
    "case_add_note",
    "case_assign",
    "case_bulk_assign",
    "case_claim",
    "case_create",
    "case_decide",
    "case_message_send",
    "case_record_read",
    "case_roles",
    "case_transition",
    "case_withdraw",
    "counter_draft_start",
    "document_file_ensure",
    "information_request_answer",
    "information_request_create",
    "information_request_record_reply",
    "letters_by_post",
    "reference_allocate",
    "reference_reserve",
    "webhook_resend",
]

EVIDENCE_TYPES = {"application/pdf", "image/jpeg", "image/png"}
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


class IdempotencyKeyUsed(PermissionDenied):
    """The key of a submission names somebody else's application."""

    def __init__(self):
        super().__init__(_("This Idempotency-Key has already been used for another request."))


class StaleCaseError(ValidationError):
    """The case changed since the form was shown; reload and try again."""

    def __init__(self):
        super().__init__(
            _(
                "Someone else changed this case in the meantime. Please look at its current state and try again."
            ),
            code="stale",
        )


# --- helpers --------------------------------------------------------------------------------


def case_roles(*, case: Case, user) -> set[str]:
    """The workflow roles ``user`` holds on ``case`` (applicant, caseworker, department_head)."""
    if user is None or not user.is_authenticated:
        return set()
    roles = set()
    if is_case_applicant(user, case):
        roles.add(WorkflowRole.APPLICANT.value)
    kinds = StaffRole.objects.filter(
        user_id=user.pk, department_id=case.department_id, kind__in=DEPARTMENT_ROLES
    ).values_list("kind", flat=True)
    roles.update(str(kind) for kind in kinds)
    return roles


def _require_roles(case: Case, user, allowed: set[str]) -> set[str]:
    roles = case_roles(case=case, user=user)
    if not roles & allowed:
        raise PermissionDenied(_("You may not do this on this case."))
    return roles


def _staff_roles() -> set[str]:
    return {WorkflowRole.CASEWORKER.value, WorkflowRole.DEPARTMENT_HEAD.value}


def _lock(case: Case, expected_version: int | None) -> Case:
    locked = Case.objects.select_for_update().select_related("service", "department").get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleCaseError
    return locked


def _sync(target: Case, source: Case) -> Case:
    """Copy the stored state back onto the caller's instance."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target


def letters_by_post(case: Case) -> bool:
    """Whether the city's letters reach the person only on paper: nobody has an account for
    the case (entered at the counter, from a letter or a call), or the account holder chose
    letters by post. Staff then print the letters and send them; the person answers by post."""
    from rathaus.accounts.constants import ContactChannel

    return case.applicant_id is None or case.applicant.preferred_channel == ContactChannel.POST


def _applicant_language(case: Case) -> str:
    return (case.applicant.preferred_language if case.applicant_id else None) or "de"


def _event(case: Case, *, kind: str, actor, public: bool = True, message: str = "", **states) -> CaseEvent:
    event = CaseEvent(
        case=case,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        public=public,
        message=message,
        from_state=states.get("from_state", ""),
        to_state=states.get("to_state", ""),
    )
    insert_new(event)
    return event


def _audit(action: str, *, case: Case, actor, request=None, **details) -> None:
    audit_record(
        action=action,
        actor=actor,
        obj=case,
        subject_user_id=case.applicant_id,
        request=request,
        details=details,
    )


def _announce(case: Case, event: CaseEvent, *, actor, documents=(), message: str = "") -> None:
    """Tell listeners (mailbox, webhooks) inside the transaction; webhooks leave after commit."""
    case_event.send(
        sender=Case, case=case, event=event, documents=list(documents), message=message, actor=actor
    )
    _queue_webhook(case, event)


def _queue_webhook(case: Case, event: CaseEvent) -> None:
    own = getattr(case.service, "workflow", None)
    if own is None or not own.webhook_url:
        return
    delivery = WebhookDelivery.objects.create(
        case=case,
        event=event.kind,
        url=own.webhook_url,
        payload={
            "reference": case.reference,
            "event": event.kind,
            "state": case.state,
            "from_state": event.from_state,
            "at": event.created_at.isoformat(),
        },
        next_attempt_at=timezone.now(),
    )

    def _enqueue():
        from .tasks import webhook_deliver

        webhook_deliver.enqueue(delivery_id=delivery.pk)

    transaction.on_commit(_enqueue)


def _enter_state(case: Case, workflow: Workflow, target: str, now: dt.datetime) -> None:
    """Move the case to ``target`` and keep its clocks: waiting time, decision, closing, deadlines."""
    if workflow.kind(case.state) == StateKind.WAITING and case.waiting_since is not None:
        waited = max(int((now - case.waiting_since).total_seconds()), 0)
        case.waiting_seconds += waited
        if case.due_at is not None:
            # The processing deadline does not run while the city waits for the applicant.
            case.due_at += dt.timedelta(seconds=waited)
        case.waiting_since = None
    kind = workflow.kind(target)
    if kind == StateKind.WAITING:
        case.waiting_since = now
    elif kind == StateKind.DECISION:
        case.decided_at = now
    elif kind == StateKind.FINAL:
        case.closed_at = now
    days = workflow.deadline_days(target)
    case.state_due_at = now + dt.timedelta(days=days) if days else None
    case.state = target


def _apply(
    case: Case, *, workflow: Workflow, name: str, roles: set[str], actor, kind: str, message: str = ""
) -> CaseEvent:
    """Take transition ``name`` on a locked case; refuse unknown, impossible or forbidden steps."""
    transition = workflow.transitions.get(name)
    if transition is None:
        raise ValidationError(_("This workflow has no step “%(name)s”.") % {"name": name})
    if case.state not in transition.sources:
        raise ValidationError(
            _("The step “%(step)s” is not possible while the case is “%(state)s”.")
            % {"step": transition.label, "state": workflow.state_label(case.state)}
        )
    if not transition.roles & roles:
        allowed = ", ".join(sorted(str(WorkflowRole(r).label) for r in transition.roles))
        raise PermissionDenied(
            _("You may not take the step “%(step)s”: it is reserved for: %(roles)s.")
            % {"step": transition.label, "roles": allowed}
        )
    from_state = case.state
    now = timezone.now()
    if workflow.kind(from_state) == StateKind.WAITING:
        _open_requests_withdraw(case, actor=actor, now=now)
    _enter_state(case, workflow, transition.target, now)
    case.version += 1
    case.save()
    return _event(case, kind=kind, actor=actor, message=message, from_state=from_state, to_state=case.state)


def _open_requests_withdraw(case: Case, *, actor, now: dt.datetime) -> int:
    """The case leaves its waiting state without an answer (staff resume the review, the
    applicant withdraws the application): a request still open is withdrawn, so the applicant
    is no longer asked to answer it and a new request can be made later. An answer records
    itself before the case moves on, so its request is not open here."""
    return (
        InformationRequest.objects.filter(case=case)
        .open()
        .update(withdrawn_at=now, withdrawn_by=actor if getattr(actor, "is_authenticated", False) else None)
    )


def _transition_into(workflow: Workflow, case: Case, kind: str, roles: set[str]) -> str:
    """The name of a transition from the current state into a state of ``kind`` (prefer allowed)."""
    candidates = workflow.leading_to_kind(case.state, kind)
    if not candidates:
        raise ValidationError(
            _("This is not possible while the case is “%(state)s”.")
            % {"state": workflow.state_label(case.state)}
        )
    allowed = [t for t in candidates if t.roles & roles]
    return (allowed or candidates)[0].name


# --- creating a case --------------------------------------------------------------------------


@transaction.atomic
def case_create(*, submission, acting_user, request=None) -> Case:
    """Open the case of a stored submission: reference, department, deadline, fee, receipt.

    The receipt (Eingangsbestätigung) is stored as a document and announced, so the mailbox puts
    it in the applicant's conversation; its PDF is rendered when first opened (or before, by the
    task worker).
    """
    with audit_deferred():
        case, event = _case_open(submission=submission, acting_user=acting_user, request=request)
        _receipt_create(case, event, acting_user=acting_user)
    return case


# The case is built from rows just loaded or created in this transaction, and the database
# enforces its references and the reference's uniqueness; ``full_clean`` would ask again.
CASE_CHECKED_BY_DATABASE = ["reference", "service", "submission", "department", "applicant", "organisation"]


def _case_open(
    *, submission, acting_user, request=None, reserved: tuple[str, dt.datetime] | None = None
) -> tuple[Case, CaseEvent]:
    """The case, its first event and the audit entry, in the caller's transaction.

    ``reserved`` is a reference taken before the transaction (``reference_reserve``) with its
    moment. Without it the reference is allocated here, last: its counter row then stays locked
    until the commit and every submission in the city waits for it, so everything that can be
    done before is done before.
    """
    service = submission.form_version.definition.service
    workflow = workflow_for_service(service)
    now = reserved[1] if reserved else timezone.now()
    case = Case(
        service=service,
        submission=submission,
        department=service.department,
        applicant=submission.applicant,
        organisation=submission.organisation,
        channel=submission.channel,
        state=workflow.initial,
        created_at=now,
        due_at=end_of_working_day(now, service.processing_days) if service.processing_days else None,
        fee=compute_fee(service, submission.data),
    )
    days = workflow.deadline_days(workflow.initial)
    case.state_due_at = now + dt.timedelta(days=days) if days else None
    case.full_clean(exclude=CASE_CHECKED_BY_DATABASE, validate_unique=False)
    case.reference = reserved[0] if reserved else reference_allocate(year=timezone.localtime(now).year)
    insert_new(case)
    event = _event(case, kind=EventKind.RECEIVED, actor=acting_user, to_state=case.state)
    _audit(
        CaseAuditAction.CASE_CREATED,
        case=case,
        actor=acting_user,
        request=request,
        channel=case.channel,
        service=service.slug,
    )
    return case, event


def _receipt_create(case: Case, event: CaseEvent, *, acting_user) -> Document:
    """The receipt of a new case, announced with it.

    Neither its PDF nor its mailbox message is made here; the request stores what the letter
    says (``pdf.receipt_letter``) and marks the receipt for delivery. The task worker puts the
    messages into the mailboxes in batches a few seconds later (``mailbox.receipts_deliver``:
    a conversation, a message and its link are three statements a submission would otherwise
    wait for), and the mailbox delivers a person's waiting receipts itself when they open it
    first. The PDF is rendered by the worker's sweep (``receipts_render``; WeasyPrint needs
    about 50 ms) or on first download (``document_file_ensure``). The request writes no task
    row for either.
    """
    receipt = Document(
        case=case,
        kind=DocumentKind.RECEIPT,
        title=f"{DocumentKindLabels.RECEIPT} {case.reference}",
        letter=pdf.receipt_letter(case=case),
        delivery_pending=case.applicant_id is not None,
    )
    insert_new(receipt)
    _announce(case, event, actor=acting_user)
    return receipt


def document_file_ensure(*, document: Document) -> Document:
    """The document with its file: a letter stored before its PDF (a receipt) is rendered now
    from what it said when it was issued, stored, and from then on streamed as stored.

    Rendering runs outside any lock; the file is recorded by compare-and-set (only if the row has
    no file yet), so two requests or a request and the task worker rendering at the same moment
    store one file: the loser deletes its own and takes the winner's.
    """
    if document.file or document.kind != DocumentKind.RECEIPT or not document.letter:
        return document
    case = Case.objects.select_related("submission__form_version").get(pk=document.case_id)
    # The letter is German (the official language), so are its answers' labels and choices,
    # whichever language the form was filled in.
    rows = submission_summary_rows(case.submission, language="de")
    content = pdf.render_receipt_pdf(case=case, letter=document.letter, rows=rows)
    field = document.file.field
    name = field.storage.save(
        field.generate_filename(document, f"{case.reference}-eingangsbestaetigung.pdf"), ContentFile(content)
    )
    if Document.objects.filter(pk=document.pk, file="").update(file=name):
        delete_file_on_rollback(field.storage, name)
        document.file = name
    else:
        field.storage.delete(name)
        document.refresh_from_db(fields=["file"])
    return document


def receipts_render(*, seconds: float = 10.0) -> tuple[int, bool]:
    """Render the PDFs of letters stored without one (receipts), oldest first, for about
    ``seconds``: ``(rendered, more waiting)``. Run by the task worker (``tasks.receipts_render``)
    every minute and again at once while more are waiting, so other tasks get their turn
    between rounds. Each letter is taken with a row lock that other workers skip; a download
    that comes first renders it itself (``document_file_ensure`` keeps one file either way)."""
    started = time.monotonic()
    rendered = 0
    waiting = (
        Document.objects.filter(file="", kind=DocumentKind.RECEIPT)
        .exclude(letter={})
        .order_by("created_at", "pk")
    )
    while time.monotonic() - started < seconds:
        with transaction.atomic():
            document = waiting.select_for_update(skip_locked=True).first()
            if document is None:
                return rendered, False
            if document_file_ensure(document=document).file:
                rendered += 1
    return rendered, waiting.exists()


def application_submit(
    *, draft, acting_user, idempotency_key: str, trust_level: str, context: dict, request=None
) -> Case:
    """Submit a draft and open its case in one transaction.

    A retried request with the same key (double click, reload, lost response) returns the case
    of the first one instead of creating a second.
    """
    from rathaus.forms.services import submission_create

    reserved = reference_reserve(timezone.now())
    with transaction.atomic(), audit_deferred():
        submission, created = submission_create(
            draft=draft,
            acting_user=acting_user,
            idempotency_key=idempotency_key,
            trust_level=trust_level,
            context=context,
        )
        if not created:
            existing = Case.objects.filter(submission=submission).first()
            if existing is not None:
                return existing
        case, event = _case_open(
            submission=submission, acting_user=acting_user, request=request, reserved=reserved
        )
        _receipt_create(case, event, acting_user=acting_user)
    return case


# The rows with ids of their own a submission stores (the audit entries' ids are not read):
# taken before its transaction in one statement, so that all its rows leave in one round trip.
SUBMISSION_ROWS = {Submission: 1, Case: 1, CaseEvent: 1, Document: 1}


def application_submit_direct(
    *,
    form_version,
    answers,
    files,
    acting_user,
    idempotency_key: str,
    trust_level: str,
    language: str,
    earlier_uploads: bool = False,
    organisation=None,
    request=None,
) -> tuple[Case, bool]:
    """A whole online application in one request (API), without a draft: check the answers
    and files, then store the submission, its files and its case in one transaction.

    Returns ``(case, created)``. Invalid input raises ``FormValidationError`` (errors by field)
    before anything is written. A repeated key (a retry after a lost response, or racing the
    first request) gets the case of the first request (``created`` False): the key's unique
    constraint decides, so the common case, a new key, costs no look-up; the loser's
    transaction and files roll back. Somebody else's key raises ``IdempotencyKeyUsed``.
    ``organisation``: the application is made in its name (the person must act for it).
    """
    from rathaus.forms.engine import FormValidationError
    from rathaus.forms.services import submission_prepare, submission_store

    try:
        prepared = submission_prepare(
            form_version=form_version,
            answers=answers,
            files=files,
            acting_user=acting_user,
            idempotency_key=idempotency_key,
            trust_level=trust_level,
            language=language,
            earlier_uploads=earlier_uploads,
            organisation=organisation,
        )
    except FormValidationError:
        # A retry of a submission that was valid then (a date bound passed, a file named by id
        # now belongs to the submission) repeats it; anything else is invalid input.
        if (repeated := _case_of_key(idempotency_key, acting_user)) is not None:
            return repeated, False
        raise
    reserved, ids = reference_and_ids_reserve(timezone.now(), SUBMISSION_ROWS)
    try:
        with transaction.atomic(), rows_batched(ids), audit_deferred():
            submission = submission_store(prepared=prepared, acting_user=acting_user)
            case, event = _case_open(
                submission=submission, acting_user=acting_user, request=request, reserved=reserved
            )
            _receipt_create(case, event, acting_user=acting_user)
    except IntegrityError:
        if (repeated := _case_of_key(idempotency_key, acting_user)) is None:
            raise
        return repeated, False
    return case, True


def _case_of_key(idempotency_key: str, acting_user) -> Case | None:
    """The case a submission key already opened, if any; somebody else's is refused."""
    key = str(idempotency_key).strip()
    case = (
        Case.objects.filter(submission__idempotency_key=key).select_related("submission", "service").first()
    )
    if case is not None and acting_user.pk not in (
        case.submission.applicant_id,
        case.submission.entered_by_id,
    ):
        raise IdempotencyKeyUsed
    return case


def counter_draft_start(
    *, acting_user, service, channel: str, applicant: User | None, session, organisation=None
):
    """Antrag erfassen: staff start the service's current form for a person who applies at the
    counter, by post or by phone. Submitting it opens the case like an online application, with
    the channel and (if the person has an account) the applicant recorded; with
    ``organisation``, in the name of an organisation the applicant acts for.

    Only for services of a department where the member of staff processes cases: the case lands
    in their inbox and they see it after submitting."""
    from rathaus.forms.services import draft_start

    if not StaffRole.objects.filter(user_id=acting_user.pk, kind__in=DEPARTMENT_ROLES).exists():
        raise PermissionDenied(_("Only caseworkers enter applications."))
    if not _processes(acting_user, service.department_id):
        raise PermissionDenied(_("You can only enter applications for services of your own department."))
    version = service.form_definition.current_version()
    if version is None:
        raise ValidationError(_("This service has no published form."))
    return draft_start(
        user=acting_user,
        form_version=version,
        session=session,
        channel=channel,
        applicant=applicant,
        organisation=organisation,
    )


# --- workflow ---------------------------------------------------------------------------------


@transaction.atomic
def case_transition(
    *,
    case: Case,
    acting_user,
    transition: str,
    message: str = "",
    expected_version: int | None = None,
    request=None,
) -> Case:
    """Take a plain workflow step. Steps into a waiting or decision state need their own
    service (``information_request_create``, ``case_decide``), which add what they require."""
    roles = _require_roles(case, acting_user, {*_staff_roles(), WorkflowRole.APPLICANT.value})
    locked = _lock(case, expected_version)
    workflow = workflow_for_service(locked.service)
    step = workflow.transitions.get(transition)
    if step is not None and workflow.kind(step.target) in (StateKind.WAITING, StateKind.DECISION):
        raise ValidationError(_("Use the form for this step: it needs a request text or a notice."))
    from_state = locked.state
    withdrawing = (
        step is not None
        and workflow.is_final(step.target)
        and step.roles == frozenset({WorkflowRole.APPLICANT.value})
    )
    kind = EventKind.WITHDRAWN if withdrawing else EventKind.TRANSITION
    event = _apply(
        locked, workflow=workflow, name=transition, roles=roles, actor=acting_user, kind=kind, message=message
    )
    _audit(
        CaseAuditAction.CASE_WITHDRAWN if kind == EventKind.WITHDRAWN else CaseAuditAction.CASE_TRANSITION,
        case=locked,
        actor=acting_user,
        request=request,
        transition=transition,
        from_state=from_state,
        to_state=locked.state,
    )
    _announce(locked, event, actor=acting_user, message=message)
    return _sync(case, locked)


@transaction.atomic
def case_withdraw(
    *, case: Case, acting_user, reason: str = "", expected_version: int | None = None, request=None
) -> Case:
    """The applicant withdraws the application (only while it is open)."""
    roles = case_roles(case=case, user=acting_user)
    if WorkflowRole.APPLICANT.value not in roles:
        raise PermissionDenied(_("Only the applicant may withdraw an application."))
    locked = _lock(case, expected_version)
    workflow = workflow_for_service(locked.service)
    candidates = [
        t
        for t in workflow.leading_to_kind(locked.state, StateKind.FINAL)
        if WorkflowRole.APPLICANT.value in t.roles
    ]
    if not candidates:
        raise ValidationError(_("This application can no longer be withdrawn."))
    return case_transition(
        case=_sync(case, locked),
        acting_user=acting_user,
        transition=candidates[0].name,
        message=reason,
        request=request,
    )


# --- assignment and notes ---------------------------------------------------------------------


def _processes(user, department_id: int) -> bool:
    return StaffRole.objects.filter(
        user_id=user.pk, department_id=department_id, kind__in=DEPARTMENT_ROLES
    ).exists()


@transaction.atomic
def case_assign(
    *, case: Case, acting_user, assignee: User | None, expected_version: int | None = None, request=None
) -> Case:
    """Give the case to a member of staff of its department (or to nobody)."""
    _require_roles(case, acting_user, _staff_roles())
    locked = _lock(case, expected_version)
    if assignee is not None and not _processes(assignee, locked.department_id):
        raise ValidationError(_("Cases can only be assigned to staff of the responsible department."))
    previous = locked.assigned_to_id
    locked.assigned_to = assignee
    locked.version += 1
    locked.save(update_fields=["assigned_to", "version"])
    _event(locked, kind=EventKind.ASSIGNED, actor=acting_user, public=False)
    _audit(
        CaseAuditAction.CASE_ASSIGNED,
        case=locked,
        actor=acting_user,
        request=request,
        previous=previous,
        assignee=assignee.pk if assignee else None,
    )
    return _sync(case, locked)


@transaction.atomic
def case_claim(*, case: Case, acting_user, expected_version: int | None = None, request=None) -> Case:
    """Take an unassigned case of one's department."""
    _require_roles(case, acting_user, _staff_roles())
    locked = _lock(case, expected_version)
    if locked.assigned_to_id not in (None, acting_user.pk):
        raise ValidationError(_("This case is already assigned to someone else."))
    return case_assign(
        case=_sync(case, locked), acting_user=acting_user, assignee=acting_user, request=request
    )


@transaction.atomic
def case_bulk_assign(*, case_ids: Iterable[int], acting_user, assignee: User | None, request=None) -> int:
    """Assign several cases at once; all of them must belong to departments the acting person
    and the assignee process. If one does not, nothing is assigned."""
    ids = sorted({int(pk) for pk in case_ids})
    cases = list(Case.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(cases) != len(ids):
        raise PermissionDenied(_("You may not assign these cases."))
    for case in cases:
        if not _processes(acting_user, case.department_id):
            raise PermissionDenied(_("You may only assign cases of your own department."))
        if assignee is not None and not _processes(assignee, case.department_id):
            raise ValidationError(_("Cases can only be assigned to staff of the responsible department."))
    for case in cases:
        case_assign(case=case, acting_user=acting_user, assignee=assignee, request=request)
    return len(cases)


@transaction.atomic
def case_add_note(*, case: Case, acting_user, text: str, request=None) -> CaseNote:
    """An internal note; never shown to the applicant."""
    _require_roles(case, acting_user, _staff_roles())
    note = CaseNote(case=case, author=acting_user, text=text.strip())
    note.full_clean()
    note.save()
    _audit(CaseAuditAction.CASE_NOTE_ADDED, case=case, actor=acting_user, request=request)
    return note


@transaction.atomic
def case_message_send(*, case: Case, acting_user, text: str, request=None) -> CaseEvent:
    """A message of the administration to the applicant, delivered to the mailbox."""
    _require_roles(case, acting_user, _staff_roles())
    if not text.strip():
        raise ValidationError(_("Please write a message."))
    event = _event(case, kind=EventKind.MESSAGE, actor=acting_user, message=text.strip())
    _audit(CaseAuditAction.CASE_MESSAGE_SENT, case=case, actor=acting_user, request=request)
    _announce(case, event, actor=acting_user, message=text.strip())
    return event


@transaction.atomic
def case_record_read(*, case: Case, acting_user, request=None, item: str = "") -> None:
    """Record that a member of staff opened the case's personal data (``item``: a part of it,
    such as a document), for the applicant's "who looked at my data"."""
    if case.applicant_id == acting_user.pk:
        return
    purpose = f"Vorgang {case.reference}: {item}" if item else f"Vorgang {case.reference}"
    audit_record(
        action=AuditAction.PERSONAL_DATA_READ,
        actor=acting_user,
        obj=case,
        subject_user_id=case.applicant_id,
        request=request,
        details={"purpose": purpose},
    )


# --- information requests ---------------------------------------------------------------------


@transaction.atomic
def information_request_create(
    *, case: Case, acting_user, message: str, expected_version: int | None = None, request=None
) -> InformationRequest:
    """Nachforderung: ask the applicant for what is missing; the processing clock stops."""
    roles = _require_roles(case, acting_user, _staff_roles())
    if not message.strip():
        raise ValidationError(_("Please say what is missing."))
    locked = _lock(case, expected_version)
    if locked.information_requests.open().exists():
        raise ValidationError(
            _(
                "An information request to the applicant is still open. Wait for the answer, or "
                "resume the review, before asking again."
            ),
            code="request_open",
        )
    workflow = workflow_for_service(locked.service)
    name = _transition_into(workflow, locked, StateKind.WAITING, roles)
    event = _apply(
        locked,
        workflow=workflow,
        name=name,
        roles=roles,
        actor=acting_user,
        kind=EventKind.INFORMATION_REQUESTED,
        message=message.strip(),
    )
    info = InformationRequest.objects.create(case=locked, requested_by=acting_user, message=message.strip())
    letters = [_information_request_letter(locked, info)] if letters_by_post(locked) else []
    _audit(CaseAuditAction.CASE_INFORMATION_REQUESTED, case=locked, actor=acting_user, request=request)
    _announce(locked, event, actor=acting_user, documents=letters, message=message.strip())
    _sync(case, locked)
    return info


def _evidence_document(case: Case, upload) -> Document:
    import filetype

    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError({"file": [_("The file is larger than 10 MB.")]})
    head = upload.read(8192)
    upload.seek(0)
    guessed = filetype.guess(head)
    content_type = guessed.mime if guessed else ""
    if content_type not in EVIDENCE_TYPES:
        raise ValidationError({"file": [_("Please upload a PDF, JPEG or PNG file.")]})
    document = Document(
        case=case,
        kind=DocumentKind.EVIDENCE,
        title=str(DocumentKindLabels.EVIDENCE),
        content_type=content_type,
        visible_to_applicant=True,
    )
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[content_type]
    # The file is written before the row commits: if the answer fails after this (the case is
    # not waiting any more, the database refuses), the file must not stay behind.
    document.file.save(f"{case.reference}-nachweis.{extension}", upload, save=False)
    delete_file_on_rollback(document.file.storage, document.file.name)
    document.save()
    return document


def _information_request_letter(case: Case, info: InformationRequest) -> Document:
    """The request as a letter to print and post (the person has no mailbox to read it in)."""
    content = pdf.render_information_request_pdf(case=case, information_request=info)
    document = Document(
        case=case, kind=DocumentKind.REQUEST, title=f"{DocumentKindLabels.REQUEST} {case.reference}"
    )
    document.file.save(f"{case.reference}-nachforderung.pdf", ContentFile(content), save=False)
    delete_file_on_rollback(document.file.storage, document.file.name)
    document.save()
    return document


def _information_request_close(
    info: InformationRequest,
    locked: Case,
    *,
    roles: set[str],
    acting_user,
    answer: str,
    upload,
    request,
    **audit,
) -> list[Document]:
    """Record the answer to the open request ``info`` of the locked case and resume it."""
    workflow = workflow_for_service(locked.service)
    resume = [
        t for t in workflow.available(locked.state, roles) if workflow.kind(t.target) != StateKind.FINAL
    ]
    if workflow.kind(locked.state) != StateKind.WAITING or not resume:
        raise ValidationError(_("This case is not waiting for an answer."))
    documents = [_evidence_document(locked, upload)] if upload is not None else []
    info.answer = answer.strip()
    info.answered_at = timezone.now()
    info.save(update_fields=["answer", "answered_at"])
    event = _apply(
        locked,
        workflow=workflow,
        name=resume[0].name,
        roles=roles,
        actor=acting_user,
        kind=EventKind.INFORMATION_ANSWERED,
    )
    _audit(
        CaseAuditAction.CASE_INFORMATION_ANSWERED,
        case=locked,
        actor=acting_user,
        request=request,
        with_file=bool(documents),
        **audit,
    )
    _announce(locked, event, actor=acting_user, documents=documents)
    return documents


@transaction.atomic
def information_request_answer(
    *, information_request: InformationRequest, acting_user, answer: str, upload=None, request=None
) -> InformationRequest:
    """The applicant answers in the portal; the case resumes and the waiting time is recorded."""
    info = InformationRequest.objects.select_for_update().get(pk=information_request.pk)
    case = info.case
    roles = case_roles(case=case, user=acting_user)
    if WorkflowRole.APPLICANT.value not in roles:
        raise PermissionDenied(_("Only the applicant may answer this request."))
    if info.answered_at is not None:
        raise ValidationError(_("This request has already been answered."))
    if info.withdrawn_at is not None:
        raise ValidationError(_("This request has been withdrawn: no answer is needed any more."))
    if not answer.strip() and upload is None:
        raise ValidationError(_("Please write an answer or attach a file."))
    locked = _lock(case, None)
    _information_request_close(
        info,
        locked,
        roles={WorkflowRole.APPLICANT.value},
        acting_user=acting_user,
        answer=answer,
        upload=upload,
        request=request,
    )
    information_request.answer, information_request.answered_at = info.answer, info.answered_at
    return info


@transaction.atomic
def information_request_record_reply(
    *, information_request: InformationRequest, acting_user, answer: str, upload=None, request=None
) -> InformationRequest:
    """Staff record the person's answer that came by post, at the counter or by phone (a case
    without an account can be answered no other way): what it said, a scan of what was sent,
    and the case resumes as if the person had answered in the portal."""
    info = InformationRequest.objects.select_for_update().get(pk=information_request.pk)
    case = info.case
    roles = _require_roles(case, acting_user, _staff_roles())
    if info.answered_at is not None:
        raise ValidationError(_("This request has already been answered."))
    if info.withdrawn_at is not None:
        raise ValidationError(_("This request has been withdrawn: no answer is needed any more."))
    if not answer.strip() and upload is None:
        raise ValidationError(_("Please write down the answer or attach a scan of it."))
    locked = _lock(case, None)
    # Staff act for the person here: they may take the person's way back into processing.
    _information_request_close(
        info,
        locked,
        roles=roles | {WorkflowRole.APPLICANT.value},
        acting_user=acting_user,
        answer=answer,
        upload=upload,
        request=request,
        recorded_by_staff=True,
    )
    information_request.answer, information_request.answered_at = info.answer, info.answered_at
    _sync(case, locked)
    return info


# --- decision ---------------------------------------------------------------------------------


def _notice_context(case: Case, *, outcome: str, reasoning: str, now) -> dict:
    """What a notice template may use. It is addressed to the person named in the application
    (name and address as the form's answers give them; an account fills the gaps)."""
    recipient = pdf.letter_recipient(case)
    return {
        "case": case,
        "service": case.service,
        "department": case.department,
        "outcome": outcome,
        "outcome_label": pdf.OUTCOME_WORDING[outcome],
        "reasoning": reasoning,
        "decided_at": now,
        "applicant_name": recipient["name"],
        "applicant_address": ", ".join(recipient["lines"][-2:]) if recipient["lines"] else "",
        "recipient_lines": recipient["lines"],
        "organisation": case.organisation,
        "answers": case.submission.data,
    }


@transaction.atomic
def case_decide(
    *,
    case: Case,
    acting_user,
    outcome: str,
    reasoning: str,
    expected_version: int | None = None,
    request=None,
) -> Notice:
    """Bescheid: decide the case, render the notice PDF from the service's template and deliver
    it to the applicant's mailbox."""
    roles = _require_roles(case, acting_user, _staff_roles())
    if outcome not in NoticeOutcome.values:
        raise ValidationError(_("Please choose the outcome."))
    if not reasoning.strip():
        raise ValidationError(_("A notice needs reasons."))
    locked = _lock(case, expected_version)
    workflow = workflow_for_service(locked.service)
    name = _transition_into(workflow, locked, StateKind.DECISION, roles)
    event = _apply(
        locked, workflow=workflow, name=name, roles=roles, actor=acting_user, kind=EventKind.DECIDED
    )
    own = getattr(locked.service, "workflow", None)
    with translation.override("de"):
        context = _notice_context(locked, outcome=outcome, reasoning=reasoning.strip(), now=locked.decided_at)
        content = pdf.render_notice_pdf(
            case=locked, notice_template=own.notice_template if own else "", context=context
        )
    document = Document(
        case=locked, kind=DocumentKind.NOTICE, title=f"{DocumentKindLabels.NOTICE} {locked.reference}"
    )
    document.file.save(f"{locked.reference}-bescheid.pdf", ContentFile(content), save=False)
    delete_file_on_rollback(document.file.storage, document.file.name)
    document.save()
    notice = Notice.objects.create(
        case=locked,
        outcome=outcome,
        reasoning=reasoning.strip(),
        document=document,
        decided_by=acting_user,
        decided_at=locked.decided_at,
    )
    _audit(CaseAuditAction.CASE_DECIDED, case=locked, actor=acting_user, request=request, outcome=outcome)
    with translation.override(_applicant_language(locked)):
        text = _("A notice has been issued on your application %(reference)s. You find it attached.") % {
            "reference": locked.reference
        }
    _announce(locked, event, actor=acting_user, documents=[document], message=text)
    _sync(case, locked)
    return notice


# --- webhooks ---------------------------------------------------------------------------------


@transaction.atomic
def webhook_resend(*, delivery: WebhookDelivery, acting_user, request=None) -> WebhookDelivery:
    """Send a failed delivery again: staff of the case's department start a fresh round of
    attempts (with backoff) once the receiving system works again."""
    locked = WebhookDelivery.objects.select_for_update().select_related("case").get(pk=delivery.pk)
    _require_roles(locked.case, acting_user, _staff_roles())
    if locked.status != WebhookDelivery.Status.FAILED:
        raise ValidationError(_("Only failed deliveries can be sent again."))
    locked.status = WebhookDelivery.Status.PENDING
    locked.attempts = 0
    locked.next_attempt_at = timezone.now()
    locked.save(update_fields=["status", "attempts", "next_attempt_at"])
    _audit(
        CaseAuditAction.WEBHOOK_RESENT,
        case=locked.case,
        actor=acting_user,
        request=request,
        delivery=locked.pk,
        event=locked.event,
    )

    def _enqueue():
        from .tasks import webhook_deliver

        webhook_deliver.enqueue(delivery_id=locked.pk)

    transaction.on_commit(_enqueue)
    return _sync(delivery, locked)
