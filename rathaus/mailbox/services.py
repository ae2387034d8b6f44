"""Write use cases of the mailbox (Postfach).

Messages of the city arrive through the ``case_event`` signal of cases (see ``receivers``), in
the same transaction as the change of the case. The e-mail notice that follows after commit (sent
by the task worker, see ``tasks``) says only that something new is waiting, never what: no name, no reference, no content, only a link
to the portal, in the person's preferred language.
"""

from __future__ import annotations

import logging
from functools import lru_cache, partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rathaus.accounts.constants import ContactChannel
from rathaus.cases.models import Case
from rathaus.core.audit import audit_record

from .constants import MailboxAuditAction
from .models import Message, Thread

logger = logging.getLogger(__name__)

__all__ = ["message_deliver", "message_reply", "notify_new_message", "thread_for_case", "thread_mark_read"]


def _base_url() -> str:
    return getattr(settings, "PORTAL_URL", "") or "http://127.0.0.1:8000"


def notify_new_message(*, person) -> None:
    """E-mail the person that a message is waiting: enqueued after commit for the task worker
    (``tasks.message_notice_send``), only for those who chose the online mailbox as their
    channel. Whether they still want it is checked again when the notice is sent."""
    if notice_recipient(person) is None:
        return
    transaction.on_commit(partial(_notice_enqueue, person.pk))


def _notice_enqueue(person_id: int) -> None:
    from .tasks import message_notice_send

    try:
        message_notice_send.enqueue(person_id=person_id)
    except Exception as exc:
        # The message is committed and waits in the mailbox: a notice that cannot even be
        # queued must not turn the request that wrote it into an error page (the person would
        # think it failed and try again).
        logger.error(
            "The e-mail notice of a new mailbox message could not be queued (%s)", type(exc).__name__
        )


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
def message_deliver(
    *, case: Case, body: str, documents=(), author=None, new_case: bool = False
) -> Message | None:
    """Put a message of the city (with documents) into the applicant's conversation.

    ``new_case``: the case was opened in this very transaction, so it has no conversation yet
    and nobody else can open one: it is created without looking for it first. No savepoint of
    its own: the message belongs to the change of the case, which fails with it.
    """
    if case.applicant_id is None:
        return None
    now = timezone.now()
    if new_case:
        thread = Thread.objects.create(
            case=case, person=case.applicant, subject=_subject(case), updated_at=now
        )
    else:
        thread = thread_for_case(case)
    message = Message.objects.create(
        thread=thread,
        sender=Message.Sender.CITY,
        author=author if getattr(author, "is_authenticated", False) else None,
        body=body,
        created_at=now,
    )
    if documents:
        message.documents.add(*documents)
    if thread.updated_at != now:
        thread.updated_at = now
        thread.save(update_fields=["updated_at"])
    if thread.person_id == case.applicant_id:
        thread.person = case.applicant  # usually loaded with the case already
    notify_new_message(person=thread.person)
    return message


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
