import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from rathaus.core.audit import audit_record, verify_chain
from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _three_entries(citizen):
    return [
        audit_record(action=AuditAction.LOGIN, actor=citizen, subject_user_id=citizen.pk) for _ in range(3)
    ]


def test_entries_link_to_their_predecessor(citizen):
    first, second, third = _three_entries(citizen)
    assert second.previous_hash == first.entry_hash
    assert third.previous_hash == second.entry_hash
    assert verify_chain() is None


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
    entry = audit_record(action=AuditAction.LOGIN, actor=citizen)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET action = 'logout' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == AuditAction.LOGIN


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
