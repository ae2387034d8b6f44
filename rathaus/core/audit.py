"""Writing to the audit log.

``audit_record`` is called inside the same transaction as the change it records, so a change and
its audit line are stored together or not at all. Never put names, addresses or e-mail addresses
into ``details``: the log itself must not become a second copy of personal data.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from .models import AuditChainHead, AuditEntry

__all__ = ["audit_record", "verify_chain"]


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
    """Append one entry to the chain and return it."""
    if request is not None and ip_address is None:
        ip_address = getattr(request, "client_address", None) or request.META.get("REMOTE_ADDR")
    with transaction.atomic():
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            sequence=head.sequence + 1,
            action=action,
            subject_user_id=subject_user_id,
            ip_address=ip_address or None,
            details=details or {},
            previous_hash=head.last_hash,
            **_actor_fields(actor),
            **_object_fields(obj),
        )
        entry.entry_hash = entry.compute_hash()
        entry.save(force_insert=True)
        head.sequence = entry.sequence
        head.last_hash = entry.entry_hash
        head.save(update_fields=["sequence", "last_hash"])
    return entry


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
