"""``insert_new`` stores exactly what the ORM's save would store."""

from __future__ import annotations

import datetime as dt

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from rathaus.cases.models import Case, CaseEvent, Document, DocumentKind
from rathaus.cases.tests.factories import make_case, make_service, make_submission
from rathaus.core.models import AuditEntry
from rathaus.core.rows import insert_new


def _stored(model, pk) -> dict:
    row = model.objects.filter(pk=pk).values().get()
    row.pop("id")
    return row


@pytest.fixture
def case(department, citizen):
    return make_case(make_service(department), applicant=citizen)


def test_an_event_is_stored_as_the_orm_stores_it(case, citizen):
    fields = {
        "case": case,
        "kind": "received",
        "actor": citizen,
        "public": False,
        "message": "Ä ß ☃",
        "to_state": "x",
    }
    by_orm = CaseEvent.objects.create(**fields)
    fast = CaseEvent(**fields, created_at=by_orm.created_at)
    insert_new(fast)
    assert fast.pk and fast.pk != by_orm.pk and not fast._state.adding
    assert _stored(CaseEvent, fast.pk) == _stored(CaseEvent, by_orm.pk)


def test_json_and_defaults_are_prepared_by_the_fields(case):
    letter = {"language": "de", "rows": [["Straße", "Domplatz 1"]], "fee": "12.50", "none": None}
    at = timezone.now() - dt.timedelta(days=1)
    by_orm = Document.objects.create(
        case=case, kind=DocumentKind.RECEIPT, title="T", letter=letter, created_at=at
    )
    fast = Document(case=case, kind=DocumentKind.RECEIPT, title="T", letter=letter, created_at=at)
    insert_new(fast)
    assert _stored(Document, fast.pk) == _stored(Document, by_orm.pk)
    assert Document.objects.get(pk=fast.pk).letter == letter


def test_several_rows_in_one_statement_get_their_ids_in_order(case, django_assert_num_queries):
    entries = [
        AuditEntry(action=f"test.{n}", object_id=str(n), ip_address="192.0.2.1", details={"n": n})
        for n in range(3)
    ]
    with django_assert_num_queries(1):
        insert_new(*entries)
    for n, entry in enumerate(entries):
        stored = AuditEntry.objects.get(pk=entry.pk)
        assert (stored.action, stored.details, stored.ip_address) == (f"test.{n}", {"n": n}, "192.0.2.1")


def test_a_case_keeps_every_field(case):
    copy = Case.objects.get(pk=case.pk)
    copy.pk, copy._state.adding = None, True
    copy.reference = "RBG-2099-000001"
    copy.submission = make_submission(case.service, applicant=case.applicant)
    insert_new(copy)
    ignored = {"id", "reference", "submission"}
    stored, original = model_to_dict(Case.objects.get(pk=copy.pk)), model_to_dict(case)
    assert {k: v for k, v in stored.items() if k not in ignored} == {
        k: v for k, v in original.items() if k not in ignored
    }


def test_only_new_rows_of_one_model(case):
    event = CaseEvent.objects.filter(case=case).first()
    with pytest.raises(ValueError):
        insert_new(event)
    with pytest.raises(TypeError):
        insert_new(CaseEvent(case=case, kind="x"), Document(case=case, kind="x", title="t"))
    insert_new()  # nothing to store


def test_a_database_constraint_still_decides(case):
    from django.db import IntegrityError, transaction

    duplicate = Case.objects.get(pk=case.pk)
    duplicate.pk, duplicate._state.adding = None, True
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_new(duplicate)  # the same reference and submission


def _event(case, n: int = 0) -> CaseEvent:
    return CaseEvent(case=case, kind="received", message=f"m{n}", to_state="received")


@pytest.mark.parametrize("prepared", [True, False], ids=["prepared", "bound-as-text"])
def test_a_batch_sends_its_rows_in_one_round_trip(case, settings, prepared):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rathaus.core.rows import ids_reserve, rows_batched

    settings.DATABASE_PREPARED_STATEMENTS = prepared
    ids = ids_reserve({CaseEvent: 2})
    events = [_event(case, 1), _event(case, 2)]
    entry = AuditEntry(action="test.batch", details={"n": 1})
    with CaptureQueriesContext(connection) as captured, rows_batched(ids):
        insert_new(events[0])
        insert_new(events[1])
        insert_new(entry, keys=False)
    if connection.vendor == "postgresql":
        assert len(captured.captured_queries) == 1  # one text of three statements
        assert [event.pk for event in events] == sorted(event.pk for event in events)
    else:
        assert len(captured.captured_queries) == 3 and not ids
    assert set(CaseEvent.objects.filter(message__in=["m1", "m2"]).values_list("pk", flat=True)) == {
        event.pk for event in events
    }
    assert AuditEntry.objects.filter(action="test.batch", details={"n": 1}).exists()


def test_a_prepared_batch_is_one_statement_prepared_once_per_shape(case):
    """On PostgreSQL the queued INSERTs leave as one statement (data-modifying WITH queries)
    that the server prepares once per connection: the next batch of the same rows is bound to
    it, not parsed and planned again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rathaus.core.rows import ids_reserve, rows_batched

    on_postgresql = connection.vendor == "postgresql"
    for n in (1, 2):
        ids = ids_reserve({CaseEvent: 1})
        with CaptureQueriesContext(connection) as captured, rows_batched(ids):
            insert_new(_event(case, n))
            insert_new(AuditEntry(action="test.shape", details={"n": n}), keys=False)
        if not on_postgresql:  # SQLite: each row at once, no round trips to save
            assert len(captured.captured_queries) == 2
            continue
        assert len(captured.captured_queries) == 1
        assert captured.captured_queries[0]["sql"].startswith("WITH r1 AS (INSERT INTO")
        assert f"'m{n}'" in captured.captured_queries[0]["sql"]  # logged with its values
    if on_postgresql:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT statement FROM pg_prepared_statements WHERE statement LIKE 'WITH r1 AS (%%'"
            )
            assert len(cursor.fetchall()) == 1
    assert CaseEvent.objects.filter(case=case, message__in=["m1", "m2"]).count() == 2
    assert AuditEntry.objects.filter(action="test.shape").count() == 2


def test_a_joined_batch_numbers_its_parameters_in_order():
    from rathaus.core.rows import _joined

    assert _joined(("INSERT INTO a (x, y) VALUES (%s, %s)", "INSERT INTO b (z) VALUES (%s)")) == (
        "WITH r1 AS (INSERT INTO a (x, y) VALUES ($1, $2)) INSERT INTO b (z) VALUES ($3)"
    )
    with pytest.raises(ValueError):
        _joined(("INSERT INTO a (x) VALUES ('100 %')", "INSERT INTO b (z) VALUES (%s)"))


@pytest.mark.parametrize("batched", [True, False], ids=["batched", "alone"])
def test_a_choice_is_stored_as_its_value(case, citizen, batched):
    """Choices are sent as the plain strings they equal, never as their names."""
    from contextlib import nullcontext

    from rathaus.cases.constants import EventKind
    from rathaus.core.rows import ids_reserve, rows_batched

    event = CaseEvent(case=case, kind=EventKind.INFORMATION_REQUESTED, actor=citizen, to_state="x")
    document = Document(case=case, kind=DocumentKind.NOTICE, title="T", letter={})
    with rows_batched(ids_reserve({CaseEvent: 1, Document: 1})) if batched else nullcontext():
        insert_new(event)
        insert_new(document)
    assert (
        CaseEvent.objects.filter(pk=event.pk).values_list("kind", flat=True).get() == "information_requested"
    )
    assert (
        Document.objects.filter(pk=document.pk).values_list("kind", flat=True).get()
        == DocumentKind.NOTICE.value
    )


@pytest.mark.parametrize("prepared", [True, False], ids=["prepared", "bound-as-text"])
def test_a_large_batch_with_awkward_text_is_stored_exactly_in_one_round_trip(case, settings, prepared):
    """Every text arrives as written (quotes, percent signs, placeholders, semicolons,
    backslashes, umlauts, line breaks), in one round trip: bound as text in pieces (more rows and
    parameters than psycopg keeps parsed for reuse), with or without the ids' statement
    prepared."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rathaus.core.rows import ids_reserve, rows_batched

    settings.DATABASE_PREPARED_STATEMENTS = prepared

    awkward = [
        "100 % sicher; DROP TABLE x; --",
        'O\'Brien \\ "zitiert"',
        "%s %(name)s %%",
        "Grüße\nzweite Zeile",
        "",
    ]
    count = 3 * len(awkward)
    ids = ids_reserve({CaseEvent: count})
    events = [
        CaseEvent(case=case, kind="note", message=awkward[n % len(awkward)] + f" #{n}", to_state="received")
        for n in range(count)
    ]
    entries = [AuditEntry(action="test.batch", details={"text": text}) for text in awkward]
    with CaptureQueriesContext(connection) as captured, rows_batched(ids):
        for event in events:
            insert_new(event)
        insert_new(*entries, keys=False)
    if connection.vendor == "postgresql":
        assert len(captured.captured_queries) == 1
    stored = dict(CaseEvent.objects.filter(pk__in=[e.pk for e in events]).values_list("pk", "message"))
    assert stored == {event.pk: event.message for event in events}
    assert sorted(
        e["text"] for e in AuditEntry.objects.filter(action="test.batch").values_list("details", flat=True)
    ) == sorted(awkward)


def test_a_statement_inside_the_batch_sees_the_rows_queued_before_it(case):
    from rathaus.core.rows import ids_reserve, rows_batched

    with rows_batched(ids_reserve({CaseEvent: 1})):
        event = _event(case)
        insert_new(event)
        assert CaseEvent.objects.filter(pk=event.pk, message="m0").exists()


def test_a_row_without_a_reserved_id_reads_its_id_back_at_once(case):
    from rathaus.core.rows import rows_batched

    with rows_batched():
        event = _event(case)
        insert_new(event)
        assert event.pk is not None
    assert CaseEvent.objects.filter(pk=event.pk).exists()


def test_a_queued_rows_error_is_raised_and_nothing_of_the_batch_stays(case):
    from django.db import IntegrityError, transaction

    from rathaus.core.rows import ids_reserve, rows_batched

    duplicate = Case.objects.get(pk=case.pk)
    duplicate.pk, duplicate._state.adding = None, True  # the same reference and submission
    event = _event(case, 9)
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        rows_batched(ids_reserve({Case: 1, CaseEvent: 1})),
    ):
        insert_new(event)
        insert_new(duplicate)
    assert not CaseEvent.objects.filter(message="m9").exists()


def test_rows_with_and_without_ids_are_not_stored_together(case):
    with pytest.raises(ValueError):
        insert_new(_event(case), CaseEvent(pk=10**9, case=case, kind="received"))


def test_reserved_ids_are_distinct_and_used_by_nobody_else(case):
    from django.db import connection

    from rathaus.core.rows import ids_reserve

    first, second = ids_reserve({CaseEvent: 3}), ids_reserve({CaseEvent: 1, Case: 1})
    if connection.vendor != "postgresql":
        assert not first and not second
        return
    taken = [*first[CaseEvent], *second[CaseEvent]]
    assert len(set(taken)) == 4 and len(second[Case]) == 1
    stored = _event(case)
    insert_new(stored)  # outside a batch: the sequence's next id, none of the reserved ones
    assert stored.pk not in taken
