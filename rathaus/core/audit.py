"""Writing to the audit log.

``audit_record`` is called inside the same transaction as the change it records, so a change and
its audit line are stored together or not at all. Never put names, addresses or e-mail addresses
into ``details``: the log itself must not become a second copy of personal data.

Recording stores the entry without its place in the hash chain, so it takes no lock: a chain
head locked by each transaction that records something until it commits made every audited
write in the city wait for the others. The task worker seals what was recorded a few seconds
later (``audit_seal``, in the order of the entries' ids), and from then on the chain proves that
nothing was changed, reordered or removed (``verify_chain``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, models, transaction

from .audit_actions import require_registered
from .models import AuditChainHead, AuditEntry
from .rows import insert_new

__all__ = ["audit_deferred", "audit_record", "audit_seal", "audit_unsealed_count", "verify_chain"]

GENESIS_HASH = "0" * 64
SEAL_BATCH = 2000

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
    """Store one entry (sealed into the chain later by ``audit_seal``) and return it.

    Inside an ``audit_deferred()`` block the entry is stored when the block ends, and its id
    is not read back."""
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
        insert_new(entry)
    return entry


@contextmanager
def audit_deferred() -> Iterator[None]:
    """Collect the entries recorded inside the block and store them with one statement when it
    ends (their ids are not read back). Use it inside the transaction of the change: entries
    then still commit or roll back together with it. If the block raises, nothing is stored."""
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
        insert_new(*entries, keys=False)  # nobody reads their ids: no round trip of their own in a batch


def audit_unsealed_count() -> int:
    return AuditEntry.objects.unsealed().count()


def audit_seal(*, limit: int = SEAL_BATCH) -> tuple[int, bool]:
    """Chain up to ``limit`` stored entries onto the head, oldest id first, in one transaction:
    ``(sealed, more waiting)``.

    The head's row lock makes sealers in several workers take turns; the entries are read after
    it is taken, so none is sealed twice. An entry committed after a younger one was sealed
    (its transaction took longer) is sealed in a later round: the chain's order is the order
    of sealing, which the ``sequence`` records.
    """
    with transaction.atomic():
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        entries = list(AuditEntry.objects.unsealed().order_by("id")[: limit + 1])
        more = len(entries) > limit
        entries = entries[:limit]
        if not entries:
            return 0, False
        for entry in entries:
            entry.sequence = head.sequence + 1
            entry.previous_hash = head.last_hash
            entry.entry_hash = entry.compute_hash()
            head.sequence, head.last_hash = entry.sequence, entry.entry_hash
        _store_seals(entries)
        head.save(update_fields=["sequence", "last_hash"])
    return len(entries), more


def _store_seals(entries: list[AuditEntry]) -> None:
    if connection.vendor == "postgresql":
        # One statement for the whole batch (bulk_update would build a CASE per column).
        values = ", ".join(["(%s, %s, %s, %s)"] * len(entries))
        params = [p for e in entries for p in (e.pk, e.sequence, e.previous_hash, e.entry_hash)]
        sql = (
            "UPDATE core_auditentry AS e SET sequence = v.sequence, previous_hash = v.previous_hash,"  # noqa: S608 - placeholders only
            " entry_hash = v.entry_hash"
            f" FROM (VALUES {values}) AS v(id, sequence, previous_hash, entry_hash)"
            " WHERE e.id = v.id::bigint AND e.sequence IS NULL"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        return
    AuditEntry.objects.bulk_update(entries, ["sequence", "previous_hash", "entry_hash"], batch_size=200)


def verify_chain(*, batch_size: int = 2000) -> AuditEntry | int | None:
    """Walk the sealed chain from the start up to the head. Return the first broken entry, or
    None if all hold.

    A missing entry (a gap in the sequence, or the head pointing past the last entry) is
    reported as the sequence number that is missing. The head is read first, so entries a
    sealer adds during the walk are left for the next check instead of looking like a gap.
    Entries not sealed yet are not part of the chain (``audit_unsealed_count``).
    """
    head = AuditChainHead.objects.filter(pk=1).first()
    head_sequence = head.sequence if head else 0
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    queryset = AuditEntry.objects.filter(sequence__isnull=False, sequence__lte=head_sequence).order_by(
        "sequence"
    )
    for entry in queryset.iterator(chunk_size=batch_size):
        if entry.sequence != expected_sequence:
            return expected_sequence
        if entry.previous_hash != expected_previous or entry.compute_hash() != entry.entry_hash:
            return entry
        expected_previous = entry.entry_hash
        expected_sequence += 1
    if head_sequence != expected_sequence - 1:
        return expected_sequence
    return None
