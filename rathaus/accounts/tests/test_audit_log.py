"""The audit log page: for the data protection officer and administrators only, filterable,
paged by keyset, with the chain check, and every reading of it recorded in it."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import login
from rathaus.accounts.constants import AccountsAuditAction
from rathaus.accounts.selectors import AUDIT_LOG_PAGE_SIZE
from rathaus.core.audit import audit_record, audit_seal
from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = "/konto/verwaltung/protokoll/"


@pytest.fixture(autouse=True)
def _no_remembered_check():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def dpo_client(data_protection_officer):
    from django.test import Client

    return login(Client(), data_protection_officer)


def test_url_is_the_back_office_protocol_page():
    assert reverse("accounts:audit_log") == URL


def test_dpo_sees_the_log_and_the_chain_check(dpo_client, citizen, caseworker):
    audit_record(
        action=AuditAction.PERSONAL_DATA_READ, actor=caseworker, obj=citizen, subject_user_id=citizen.pk
    )
    response = dpo_client.get(URL)
    assert response.status_code == 200
    entries = response.context["page"].entries
    assert any(entry.action == AuditAction.PERSONAL_DATA_READ for entry in entries)
    assert response.context["check"]["intact"] is True
    html = response.content.decode()
    assert "Personenbezogene Daten eingesehen" in html or "Personal data viewed" in html
    assert 'data-testid="chain-check"' in html


def test_reading_the_log_is_recorded(dpo_client, data_protection_officer, citizen):
    dpo_client.get(URL, {"subject": citizen.email, "action": AuditAction.PASSWORD_CHANGED})
    entry = AuditEntry.objects.filter(action=AccountsAuditAction.AUDIT_LOG_READ).get()
    assert entry.actor_id == data_protection_officer.pk
    assert entry.actor_is_staff
    # Filtered to one person: the read is about that person, and the e-mail is not copied.
    assert entry.subject_user_id == citizen.pk
    assert entry.details["filters"] == {"subject": citizen.pk, "action": AuditAction.PASSWORD_CHANGED}
    assert citizen.email not in str(entry.details)


def test_administrator_may_read_the_log(admin_client_2fa):
    assert admin_client_2fa.get(URL).status_code == 200


@pytest.mark.parametrize("who", ["caseworker_client", "citizen_client"])
def test_caseworker_and_citizen_are_refused_and_audited(request, who):
    client = request.getfixturevalue(who)
    response = client.get(URL)
    assert response.status_code == 403
    denial = AuditEntry.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert denial.details["permission"] == "accounts.view_audit_log"
    assert not AuditEntry.objects.filter(action=AccountsAuditAction.AUDIT_LOG_READ).exists()
    assert client.post(reverse("accounts:audit_chain_check")).status_code == 403


def test_anonymous_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/konto/anmelden/" in response["Location"]


def test_staff_home_links_the_log_for_its_readers_only(dpo_client, caseworker_client):
    assert URL in dpo_client.get(reverse("accounts:staff_home")).content.decode()
    assert URL not in caseworker_client.get(reverse("accounts:staff_home")).content.decode()


def test_filters(dpo_client, citizen, other_citizen, caseworker):
    audit_record(
        action=AuditAction.PERSONAL_DATA_READ, actor=caseworker, obj=citizen, subject_user_id=citizen.pk
    )
    audit_record(action=AuditAction.PASSWORD_CHANGED, actor=other_citizen, subject_user_id=other_citizen.pk)
    audit_record(action=AuditAction.PASSWORD_CHANGED, actor=citizen, subject_user_id=citizen.pk)

    def shown(**params):
        return [(e.action, e.subject_user_id) for e in dpo_client.get(URL, params).context["page"].entries]

    assert shown(action=AuditAction.PASSWORD_CHANGED) == [
        (AuditAction.PASSWORD_CHANGED, citizen.pk),
        (AuditAction.PASSWORD_CHANGED, other_citizen.pk),
    ]
    assert shown(actor=caseworker.pk) == [(AuditAction.PERSONAL_DATA_READ, citizen.pk)]
    assert shown(subject=str(other_citizen.pk), action=AuditAction.PASSWORD_CHANGED) == [
        (AuditAction.PASSWORD_CHANGED, other_citizen.pk)
    ]
    assert shown(object_type="accounts.user", object_id=str(citizen.pk)) == [
        (AuditAction.PERSONAL_DATA_READ, citizen.pk)
    ]
    today = AuditEntry.objects.latest("id").created_at.date()
    assert len(shown(date_from=today.isoformat(), action=AuditAction.PASSWORD_CHANGED)) == 2
    assert shown(date_to="2000-01-01") == []


def test_an_invalid_filter_shows_its_error_and_no_entries(dpo_client):
    response = dpo_client.get(
        URL, {"subject": "niemand@example.org", "date_from": "2026-02-01", "date_to": "2026-01-01"}
    )
    assert response.status_code == 200
    assert response.context["page"].entries == []
    form = response.context["filters"]
    assert "subject" in form.errors and "date_to" in form.errors


def test_keyset_pages_without_counting(dpo_client, citizen):
    for _ in range(AUDIT_LOG_PAGE_SIZE + 5):
        audit_record(action=AuditAction.PASSWORD_CHANGED, actor=citizen, subject_user_id=citizen.pk)
    with CaptureQueriesContext(connection) as queries:
        first = dpo_client.get(URL, {"action": AuditAction.PASSWORD_CHANGED})
    log_queries = [
        q["sql"].upper() for q in queries.captured_queries if "CORE_AUDITENTRY" in q["sql"].upper()
    ]
    assert log_queries
    assert not any("COUNT(" in sql or "OFFSET" in sql for sql in log_queries)
    page = first.context["page"]
    assert len(page.entries) == AUDIT_LOG_PAGE_SIZE
    assert first.context["newer_url"] == ""
    older = dpo_client.get(URL + first.context["older_url"]).context
    assert len(older["page"].entries) == 5
    assert older["older_url"] == ""
    assert older["page"].entries[0].pk < page.entries[-1].pk
    back = dpo_client.get(URL + older["newer_url"]).context["page"]
    assert [e.pk for e in back.entries] == [e.pk for e in page.entries]


def test_entries_waiting_for_their_seal_are_listed_and_named(dpo_client, citizen):
    sealed = audit_record(action=AuditAction.PASSWORD_CHANGED, actor=citizen)
    audit_seal()
    waiting = audit_record(action=AuditAction.PASSWORD_CHANGED, actor=citizen)
    response = dpo_client.get(URL, {"action": AuditAction.PASSWORD_CHANGED})
    assert [e.pk for e in response.context["page"].entries] == [waiting.pk, sealed.pk]
    rows = response.content.decode()
    assert "not sealed yet" in rows or "noch nicht versiegelt" in rows
    check = dpo_client.post(reverse("accounts:audit_chain_check"), follow=True).context["check"]
    assert check["intact"] is True and check["unsealed"] is True


def test_a_broken_chain_is_shown(dpo_client, citizen, settings):
    audit_record(action=AuditAction.PASSWORD_CHANGED, actor=citizen)
    audit_record(action=AuditAction.PASSWORD_CHANGED, actor=citizen)
    audit_seal()
    # Remove an entry: a gap in the chain. SQLite allows DELETE (core migration 0002); on
    # PostgreSQL the trigger goes first (inside the test's transaction, so it comes back).
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_update ON core_auditentry")
        cursor.execute("DELETE FROM core_auditentry WHERE sequence = 1")
    response = dpo_client.post(reverse("accounts:audit_chain_check"), follow=True)
    check = response.context["check"]
    assert check["intact"] is False
    assert check["broken_at"] == 1
    assert AuditEntry.objects.filter(action=AccountsAuditAction.AUDIT_CHAIN_CHECKED).exists()


@pytest.mark.parametrize(
    "filters",
    [{"action": "login"}, {"actor": 3}, {"subject": 4}, {"object_type": "cases.case", "object_id": "5"}, {}],
)
def test_each_filter_reads_an_index_in_page_order(filters):
    """No full scan and no sort: the page reads the index of its filter, already in order."""
    from rathaus.accounts.selectors import audit_log_filtered

    queryset = audit_log_filtered(**filters).filter(id__lt=100).order_by("-id")[:51]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A small table is read whole (or through a bitmap, then sorted) whatever the indexes:
            # forbid those, then ask whether an index gives the rows in page order.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "Index" in plan, plan
            assert "Seq Scan" not in plan and "Sort" not in plan, plan
            return
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(row[-1] for row in cursor.fetchall())
    # Without a filter the table itself is the index: SQLite keeps rows in id (rowid) order.
    assert "USING INDEX" in plan or "USING INTEGER PRIMARY KEY" in plan, plan
    assert "TEMP B-TREE" not in plan and "SCAN" not in plan, plan
