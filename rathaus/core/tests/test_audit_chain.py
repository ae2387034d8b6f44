import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from rathaus.core.audit import audit_record, audit_seal, audit_unsealed_count, verify_chain
from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditChainHead, AuditEntry

pytestmark = pytest.mark.django_db


def _three_entries(citizen):
    recorded = [
        audit_record(action=AuditAction.LOGIN, actor=citizen, subject_user_id=citizen.pk) for _ in range(3)
    ]
    audit_seal()
    return list(AuditEntry.objects.filter(pk__in=[e.pk for e in recorded]).order_by("id"))


def test_entries_are_stored_unsealed_and_sealed_in_id_order(citizen):
    recorded = [audit_record(action=AuditAction.LOGIN, actor=citizen) for _ in range(3)]
    assert all(e.pk and e.sequence is None and not e.entry_hash for e in recorded)
    assert audit_unsealed_count() == 3
    assert audit_seal() == (3, False)
    first, second, third = AuditEntry.objects.filter(pk__in=[e.pk for e in recorded]).order_by("id")
    assert (second.sequence, third.sequence) == (first.sequence + 1, first.sequence + 2)
    assert second.previous_hash == first.entry_hash
    assert third.previous_hash == second.entry_hash
    assert AuditChainHead.objects.get().last_hash == third.entry_hash
    assert audit_unsealed_count() == 0
    assert audit_seal() == (0, False)
    assert verify_chain() is None


def test_sealing_works_in_rounds_and_continues_the_chain(citizen):
    for _ in range(5):
        audit_record(action=AuditAction.LOGIN, actor=citizen)
    assert audit_seal(limit=2) == (2, True)
    assert audit_seal(limit=2) == (2, True)
    assert audit_seal(limit=2) == (1, False)
    assert verify_chain() is None


def test_unsealed_entries_do_not_break_the_check(citizen):
    _three_entries(citizen)
    audit_record(action=AuditAction.LOGOUT, actor=citizen)
    assert verify_chain() is None
    call_command("audit_verify")


def test_the_worker_task_seals(citizen):
    from rathaus.core.tasks import audit_seal as audit_seal_task

    entry = audit_record(action=AuditAction.LOGIN, actor=citizen)
    assert audit_seal_task.call() >= 1
    assert AuditEntry.objects.get(pk=entry.pk).sequence is not None


def test_entries_link_to_their_predecessor(citizen):
    first, second, third = _three_entries(citizen)
    assert second.previous_hash == first.entry_hash
    assert third.previous_hash == second.entry_hash
    assert verify_chain() is None


def test_the_head_pointing_past_the_last_entry_is_a_missing_entry(citizen):
    _first, _second, third = _three_entries(citizen)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_update ON core_auditentry")
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [third.pk])
    assert verify_chain() == third.sequence


def test_changed_entry_is_named_by_verify(citizen):
    _first, second, _third = _three_entries(citizen)
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER IF EXISTS core_auditentry_no_update"
            + (" ON core_auditentry" if connection.vendor == "postgresql" else "")
        )
        cursor.execute("UPDATE core_auditentry SET action = %s WHERE id = %s", ["logout", second.pk])
    broken = verify_chain()
    assert broken.sequence == second.sequence
    with pytest.raises(CommandError, match=f"#{second.sequence}"):
        call_command("audit_verify")


def test_deleted_entry_is_reported_as_missing(citizen):
    _first, second, _third = _three_entries(citizen)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_update ON core_auditentry")
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [second.pk])
    assert verify_chain() == second.sequence


def test_database_refuses_to_update_an_entry(citizen):
    entry = _three_entries(citizen)[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET action = 'logout' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == AuditAction.LOGIN


def test_database_refuses_to_reseal_a_sealed_entry(citizen):
    entry = _three_entries(citizen)[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET entry_hash = %s WHERE id = %s", ["f" * 64, entry.pk])


@pytest.mark.parametrize(
    "column, value",
    [("action", "logout"), ("details", "{}"), ("actor_id", None), ("created_at", "2020-01-01")],
)
def test_database_lets_sealing_through_but_no_change_to_an_unsealed_entry(citizen, column, value):
    entry = audit_record(action=AuditAction.LOGIN, actor=citizen, details={"a": 1})
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE core_auditentry SET sequence = 999999, entry_hash = %s, {column} = %s WHERE id = %s",  # noqa: S608
            ["e" * 64, value, entry.pk],
        )
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE core_auditentry SET {column} = %s WHERE id = %s", [value, entry.pk])  # noqa: S608
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.action, stored.details, stored.sequence) == (AuditAction.LOGIN, {"a": 1}, None)
    audit_seal()
    assert verify_chain() is None


def test_postgresql_refuses_to_delete_an_unsealed_entry(citizen):
    if connection.vendor != "postgresql":
        # SQLite keeps DELETE open for Django's test flush (migration 0002); on SQLite a deleted
        # sealed entry still breaks the chain.
        assert connection.vendor == "sqlite"
        return
    entry = audit_record(action=AuditAction.LOGIN, actor=citizen)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_model_refuses_update_and_delete(citizen):
    entry = audit_record(action=AuditAction.LOGIN, actor=citizen)
    with pytest.raises(Exception, match="append-only"):
        entry.save()
    with pytest.raises(Exception, match="append-only"):
        entry.delete()


def test_citizen_label_in_log_is_only_an_id(citizen):
    entry = audit_record(action=AuditAction.LOGIN, actor=citizen)
    assert entry.actor_label == f"#{citizen.pk}"
    assert "Muster" not in entry.canonical_payload()
