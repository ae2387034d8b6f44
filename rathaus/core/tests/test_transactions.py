"""Rollback hooks: files written for a transaction that rolls back do not stay behind."""

from __future__ import annotations

import gc

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from rathaus.core.audit import audit_deferred, audit_record, audit_seal, verify_chain
from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditChainHead, AuditEntry
from rathaus.core.transactions import delete_file_on_rollback, on_rollback

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def _stored(name: str) -> str:
    stored = default_storage.save(name, ContentFile(b"%PDF-1.4 test"))
    delete_file_on_rollback(default_storage, stored)
    return stored


def test_file_of_a_rolled_back_transaction_is_deleted():
    with pytest.raises(Boom), transaction.atomic():
        name = _stored("t/rolled-back.pdf")
        assert default_storage.exists(name)
        raise Boom
    gc.collect()
    assert not default_storage.exists(name)


def test_file_of_a_committed_transaction_stays(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        name = _stored("t/committed.pdf")
    gc.collect()
    assert default_storage.exists(name)


def test_rolling_back_a_savepoint_deletes_only_its_own_files(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        kept = _stored("t/outer.pdf")
        with pytest.raises(Boom), transaction.atomic():
            dropped = _stored("t/inner.pdf")
            raise Boom
    gc.collect()
    assert default_storage.exists(kept) and not default_storage.exists(dropped)


def test_outside_a_transaction_nothing_is_rolled_back():
    calls = []
    on_rollback(lambda: calls.append(1))
    gc.collect()
    assert calls == []


def test_a_failing_hook_does_not_hide_the_original_error():
    def broken():
        raise OSError("disk gone")

    with pytest.raises(Boom), transaction.atomic():
        on_rollback(broken)
        raise Boom


# --- deferred audit entries -------------------------------------------------------------------


def test_deferred_entries_are_stored_in_order_when_the_block_ends(citizen):
    before = AuditEntry.objects.count()
    with transaction.atomic(), audit_deferred():
        first = audit_record(action=AuditAction.LOGIN, actor=citizen)
        second = audit_record(action=AuditAction.LOGOUT, actor=citizen)
        assert AuditEntry.objects.count() == before and first.pk is None
    assert AuditEntry.objects.count() == before + 2
    first, second = AuditEntry.objects.order_by("-id")[:2][::-1]  # stored in the order recorded
    assert (first.action, second.action) == (AuditAction.LOGIN, AuditAction.LOGOUT)
    audit_seal()
    first, second = AuditEntry.objects.filter(pk__in=[first.pk, second.pk]).order_by("id")
    assert second.sequence == first.sequence + 1 and second.previous_hash == first.entry_hash
    assert AuditChainHead.objects.get().last_hash == second.entry_hash
    assert verify_chain() is None


def test_deferred_entries_are_dropped_with_a_failing_block(citizen):
    before = AuditEntry.objects.count()
    with pytest.raises(Boom), transaction.atomic(), audit_deferred():
        audit_record(action=AuditAction.LOGIN, actor=citizen)
        raise Boom
    assert AuditEntry.objects.count() == before
