"""Writing to the audit log.

``audit_record`` is called inside the same transaction as the change it records, so a change and
its audit line are stored together or not at all. Never put names, addresses or e-mail addresses
into ``details``: the log itself must not become a second copy of personal data.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models, transaction

from .audit_actions import require_registered
from .models import AuditChainHead, AuditEntry

__all__ = ["audit_deferred", "audit_record", "verify_chain"]

_deferred = threading.local()


def _actor_fields(actor) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor_id": None, "actor_label": "", "actor_is_staff": False}
    label = actor.audit_label() if hasattr(actor, "audit_label") else str(actor.pk)
    return {
        "actor_id": actor.pk,
        "actor_label": label[:200],
        "actor_is_staff": bool(getattr(actor, "is_staff_member", False) or actor.is_staff),
    }


def _object_fields(obj: models.Model | None) -> dict[str, Any]:
    if obj is None:
        return {"object_type": "", "object_id": "", "object_label": ""}
    label = obj.audit_label() if hasattr(obj, "audit_label") else ""
    return {"object_type": obj._meta.label_lower, "object_id": str(obj.pk), "object_label": label[:200]}


def audit_record(
    *,
    action: str,
    actor=None,
    obj: models.Model | None = None,
    subject_user_id: int | None = None,
    request=None,
    ip_address: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain and return it.

    Inside an ``audit_deferred()`` block the entry is appended when the block ends (its
    ``sequence`` and hashes are set then)."""
    require_registered(action)
    if request is not None and ip_address is None:
        ip_address = getattr(request, "client_address", None) or request.META.get("REMOTE_ADDR")
    entry = AuditEntry(
        action=action,
        subject_user_id=subject_user_id,
        ip_address=ip_address or None,
        details=details or {},
        **_actor_fields(actor),
        **_object_fields(obj),
    )
    pending = getattr(_deferred, "entries", None)
    if pending is not None:
        pending.append(entry)
    else:
        _append([entry])
    return entry


def _append(entries: list[AuditEntry]) -> None:
    """Chain ``entries`` onto the head and store them: one locked read of the head, one insert,
    one update, whatever their number. No savepoint of its own: an audit entry that cannot be
    written must fail the change it records, so the caller's transaction rolls back as a whole.
    """
    with transaction.atomic(savepoint=False):
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        for entry in entries:
            entry.sequence = head.sequence + 1
            entry.previous_hash = head.last_hash
            entry.entry_hash = entry.compute_hash()
            head.sequence, head.last_hash = entry.sequence, entry.entry_hash
        AuditEntry.objects.bulk_create(entries)
        head.save(update_fields=["sequence", "last_hash"])


@contextmanager
def audit_deferred() -> Iterator[None]:
    """Collect the entries recorded inside the block and append them together when it ends.

    The chain head is a single locked row that every audited write in the city waits for, and
    it stays locked until the transaction commits. A use case that records entries early and
    then does more work (a submission: case, timeline, receipt, mailbox) holds it all that time;
    deferring takes the lock as late as possible, right before the commit. Use it inside the
    transaction of the change: entries then still commit or roll back together with it. If the
    block raises, nothing is appended.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_deferred() must run inside a transaction")
    outer = getattr(_deferred, "entries", None)
    entries: list[AuditEntry] = []
    _deferred.entries = entries if outer is None else outer
    try:
        yield
    finally:
        _deferred.entries = outer
    if outer is None and entries:
        _append(entries)


def verify_chain(*, batch_size: int = 2000) -> AuditEntry | int | None:
    """Walk the chain from the start. Return the first broken entry, or None if all hold.

    A missing entry (a gap in the sequence) is reported as the sequence number that is missing.
    """
    expected_previous = "0" * 64
    expected_sequence = 1
    queryset = AuditEntry.objects.order_by("sequence")
    for entry in queryset.iterator(chunk_size=batch_size):
        if entry.sequence != expected_sequence:
            return expected_sequence
        if entry.previous_hash != expected_previous or entry.compute_hash() != entry.entry_hash:
            return entry
        expected_previous = entry.entry_hash
        expected_sequence += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and head.sequence != expected_sequence - 1:
        return expected_sequence
    return None
