"""Write use cases of the mailbox (Postfach).

Messages of the city arrive through the ``case_event`` signal of cases (see ``receivers``), in
the same transaction as the change of the case. The e-mail notice that follows (sent by the
task worker's sweep, ``notices_send``) says only that something new is waiting, never what: no
name, no reference, no content, only a link to the portal, in the person's preferred language.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rathaus.accounts.constants import ContactChannel
from rathaus.cases.models import Case, Document, DocumentKind
from rathaus.core.audit import audit_record
from rathaus.core.rows import insert_new

from .constants import MailboxAuditAction
from .models import Message, Thread

logger = logging.getLogger(__name__)

__all__ = [
    "message_deliver",
    "message_reply",
    "notices_send",
    "receipts_deliver",
    "thread_for_case",
    "thread_mark_read",
]

RECEIPT_BATCH = 500


def _base_url() -> str:
    return getattr(settings, "PORTAL_URL", "") or "http://127.0.0.1:8000"


def notice_recipient(person) -> str | None:
    """The address a mailbox notice goes to, or None if the person gets none (no address,
    inactive, or post chosen as the channel)."""
    if person is None or not person.email or not person.is_active:
        return None
    if person.preferred_channel != ContactChannel.MAILBOX:
        return None
    return person.email


def notice_text(language: str) -> tuple[str, str]:
    """Subject and body of the mailbox notice in ``language``."""
    return _notice_text(language, reverse("mailbox:index"), _base_url())


@lru_cache(maxsize=16)
def _notice_text(language: str, link: str, base_url: str) -> tuple[str, str]:
    """Subject and body of the notice: the same for everybody of one language (it names no
    person and no content by design), so rendered once per process and language."""
    context = {"link": link, "base_url": base_url}
    with translation.override(language):
        subject = render_to_string("mailbox/email/new_message_subject.txt", context).strip()
        body = render_to_string("mailbox/email/new_message.txt", context)
    return subject, body


# Pauses before the 2nd … 5th attempt of a notice: 1, 4, 16 and 64 minutes; then it is given up
# (the messages themselves wait in the mailbox either way).
NOTICE_ATTEMPTS = 5
# A person's due messages are taken for this long while their e-mail is being sent, so that a
# second sweep running at the same time does not send it too.
NOTICE_LEASE = dt.timedelta(minutes=10)


def notice_retry_pause(attempt: int) -> dt.timedelta:
    """The pause after failed attempt number ``attempt`` (1-based)."""
    return dt.timedelta(minutes=4 ** (attempt - 1))


def notices_send(*, now: dt.datetime | None = None, people: int = 200) -> int:
    """Send the e-mail notices that are due, one per person for all their new messages; the
    number of e-mails sent. Run by the task worker every minute (``tasks.mailbox_notices_send``).

    The request that writes a message does no more than mark it (``notice_pending``): no mail
    server in the request, no task row per message, nothing personal in the task table, and
    several messages of one minute (a receipt and a request for information) make one e-mail.
    """
    now = now or timezone.now()
    due = Message.objects.filter(notice_pending=True, notice_next_at__lte=now)
    person_ids = list(due.order_by().values_list("thread__person_id", flat=True).distinct()[:people])
    return sum(_notice_send_to(person_id, now) for person_id in person_ids)


def _notice_send_to(person_id: int, now: dt.datetime) -> int:
    from rathaus.accounts.models import User

    due = Message.objects.filter(thread__person_id=person_id, notice_pending=True, notice_next_at__lte=now)
    claimed = list(due.values_list("pk", "notice_attempts"))
    ids = [pk for pk, _attempts in claimed]
    if not ids or not Message.objects.filter(pk__in=ids, notice_pending=True, notice_next_at__lte=now).update(
        notice_next_at=now + NOTICE_LEASE
    ):
        return 0
    mine = Message.objects.filter(pk__in=ids, notice_next_at=now + NOTICE_LEASE)
    person = User.objects.filter(pk=person_id).first()
    recipient = notice_recipient(person)
    if recipient is None:  # switched to post, deactivated or deleted meanwhile
        mine.update(notice_pending=False, notice_next_at=None)
        return 0
    subject, body = notice_text(person.preferred_language or "de")
    try:
        send_mail(subject, body, None, [recipient])
    except Exception as exc:
        # Logged by the error's kind only: SMTP errors carry the recipient's address, and a
        # traceback would put it into the log.
        attempt = max(attempts for _pk, attempts in claimed) + 1
        if attempt >= NOTICE_ATTEMPTS:
            logger.error(
                "E-mail notice of new mailbox messages given up after %d attempts (%s)",
                attempt,
                type(exc).__name__,
            )
            mine.update(notice_pending=False, notice_next_at=None, notice_attempts=attempt)
        else:
            logger.warning(
                "E-mail notice of new mailbox messages failed, attempt %d of %d (%s)",
                attempt,
                NOTICE_ATTEMPTS,
                type(exc).__name__,
            )
            mine.update(notice_next_at=now + notice_retry_pause(attempt), notice_attempts=attempt)
        return 0
    mine.update(notice_pending=False, notice_next_at=None)
    return 1


def _subject(case: Case) -> str:
    return f"{case.service.name} – {case.reference}"[:200]


def thread_for_case(case: Case) -> Thread | None:
    """The conversation of a case with its applicant; None if the applicant has no account."""
    if case.applicant_id is None:
        return None
    thread, _created = Thread.objects.get_or_create(
        case=case, defaults={"person": case.applicant, "subject": _subject(case)}
    )
    return thread


@transaction.atomic(savepoint=False)
def message_deliver(*, case: Case, body: str, documents=(), author=None) -> Message | None:
    """Put a message of the city (with documents) into the applicant's conversation.

    No savepoint of its own: the message belongs to the change of the case, which fails with it.
    """
    if case.applicant_id is None:
        return None
    now = timezone.now()
    thread = thread_for_case(case)
    if thread.person_id == case.applicant_id:
        thread.person = case.applicant  # usually loaded with the case already
    # Only people who chose the online mailbox get an e-mail notice (checked again when sent).
    notice = notice_recipient(thread.person) is not None
    message = Message.objects.create(
        thread=thread,
        sender=Message.Sender.CITY,
        author=author if getattr(author, "is_authenticated", False) else None,
        body=body,
        created_at=now,
        notice_pending=notice,
        notice_next_at=now if notice else None,
    )
    if documents:
        message.documents.add(*documents)
    if thread.updated_at != now:
        thread.updated_at = now
        thread.save(update_fields=["updated_at"])
    return message


def _language_of(person) -> str:
    return (person.preferred_language if person is not None else None) or "de"


def _receipt_text_template(language: str) -> str:
    with translation.override(language):
        return _(
            "Your application “%(service)s” has been received under the reference %(reference)s. "
            "The acknowledgement of receipt is attached."
        )


def _service_name(service, language: str) -> str:
    with translation.override(language):
        return service.display_name


def receipts_deliver(*, person=None, limit: int | None = None) -> tuple[int, bool]:
    """Put the messages of receipts marked for delivery into the mailboxes, oldest first, up to
    ``limit`` in one transaction: ``(delivered, more waiting)``.

    A submission stores its receipt and leaves the message to this: the task worker runs it
    every few seconds (``tasks.receipts_deliver``), in batches of a few statements for hundreds
    of receipts, and the mailbox pages run it for their ``person`` first, so nobody opens their
    mailbox to find the receipt missing. The receipts are taken with a row lock that other
    deliverers skip, so each gets one message. The message carries the time of the receipt, so
    it stands in its place in the conversation; an e-mail notice follows as for any message.
    """
    limit = limit or RECEIPT_BATCH
    waiting = Document.objects.filter(delivery_pending=True, kind=DocumentKind.RECEIPT)
    if person is not None:
        waiting = waiting.filter(case__applicant_id=person.pk)
        if not waiting.exists():  # the usual case: no transaction, no lock
            return 0, False
    with transaction.atomic():
        receipts = list(
            waiting.select_related("case__service", "case__applicant")
            .only(*RECEIPT_COLUMNS)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("id")[: limit + 1]
        )
        more = len(receipts) > limit
        receipts = receipts[:limit]
        if not receipts:
            return 0, False
        deliverable = [receipt for receipt in receipts if receipt.case.applicant_id is not None]
        threads = _threads_for_receipts(deliverable)
        now = timezone.now()
        templates: dict[str, str] = {}
        names: dict[tuple[int, str], str] = {}
        messages = []
        for receipt in deliverable:
            case, applicant = receipt.case, receipt.case.applicant
            language = _language_of(applicant)
            if language not in templates:
                templates[language] = _receipt_text_template(language)
            if (case.service_id, language) not in names:
                names[case.service_id, language] = _service_name(case.service, language)
            notice = notice_recipient(applicant) is not None
            messages.append(
                Message(
                    thread=threads[receipt.case_id],
                    sender=Message.Sender.CITY,
                    body=templates[language]
                    % {"service": names[case.service_id, language], "reference": case.reference},
                    created_at=receipt.created_at,
                    notice_pending=notice,
                    notice_next_at=now if notice else None,
                )
            )
        insert_new(*messages)
        insert_new(
            *[
                Message.documents.through(message_id=message.pk, document_id=receipt.pk)
                for message, receipt in zip(messages, deliverable, strict=True)
            ],
            keys=False,
        )
        behind = {}  # conversations opened before by a later message keep their time
        for message in messages:
            if message.thread.updated_at < message.created_at:
                message.thread.updated_at = message.created_at
                behind[message.thread.pk] = message.thread
        Thread.objects.bulk_update(behind.values(), ["updated_at"])
        Document.objects.filter(pk__in=[receipt.pk for receipt in receipts]).update(delivery_pending=False)
    return len(receipts), more


# What delivering a receipt reads: the receipt's time, the case's reference, the service's
# names and the applicant's language and notice settings, not whole rows.
RECEIPT_COLUMNS = (
    "created_at",
    "case__reference",
    "case__applicant_id",
    "case__service__name",
    "case__service__name_en",
    "case__applicant__preferred_language",
    "case__applicant__preferred_channel",
    "case__applicant__email",
    "case__applicant__is_active",
)


def _threads_for_receipts(receipts: list[Document]) -> dict[int, Thread]:
    """The conversation of each receipt's case by case id, opened (at the receipt's time) where
    the case has none yet. A message of the city may have opened it before its receipt was
    delivered; one opened at the same moment by somebody else wins (the case is unique), and
    is read back."""
    case_ids = [receipt.case_id for receipt in receipts]
    threads = {thread.case_id: thread for thread in Thread.objects.filter(case_id__in=case_ids)}
    missing = [receipt for receipt in receipts if receipt.case_id not in threads]
    if missing:
        Thread.objects.bulk_create(
            [
                Thread(
                    case_id=receipt.case_id,
                    person_id=receipt.case.applicant_id,
                    subject=_subject(receipt.case),
                    updated_at=receipt.created_at,
                )
                for receipt in missing
            ],
            ignore_conflicts=True,
        )
        opened = Thread.objects.filter(case_id__in=[receipt.case_id for receipt in missing])
        threads.update({thread.case_id: thread for thread in opened})
    return threads


@transaction.atomic
def message_reply(*, thread: Thread, acting_user, body: str, request=None) -> Message:
    """The person writes to the city in a conversation."""
    if thread.person_id != acting_user.pk:
        raise PermissionDenied
    body = body.strip()
    if not body:
        raise ValidationError(_("Please write a message."))
    message = Message(thread=thread, sender=Message.Sender.PERSON, author=acting_user, body=body)
    message.full_clean()
    message.save()
    thread.updated_at = message.created_at
    thread.save(update_fields=["updated_at"])
    audit_record(
        action=MailboxAuditAction.MESSAGE_SENT,
        actor=acting_user,
        obj=thread.case,
        subject_user_id=acting_user.pk,
        request=request,
    )
    return message


@transaction.atomic
def thread_mark_read(*, thread: Thread, acting_user) -> int:
    """Mark the city's messages of a conversation as read by its person."""
    if thread.person_id != acting_user.pk:
        raise PermissionDenied
    return thread.messages.filter(sender=Message.Sender.CITY, read_at__isnull=True).update(
        read_at=timezone.now()
    )
