import re
import threading

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from rathaus.cases.models import Case, ReferenceCounter
from rathaus.cases.references import reference_last_number
from rathaus.cases.services import reference_allocate

from .factories import make_case

REFERENCE = re.compile(r"^RBG-\d{4}-\d{6}$")


def test_reference_has_prefix_year_and_six_digits(case):
    assert REFERENCE.match(case.reference)
    assert case.reference.split("-")[1] == str(timezone.localtime(case.created_at).year)


def test_references_are_unique_and_consecutive(service, citizen):
    refs = [make_case(service, applicant=citizen).reference for _ in range(3)]
    numbers = [int(ref.rsplit("-", 1)[1]) for ref in refs]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]
    assert Case.objects.filter(reference__in=refs).count() == 3


def test_reference_prefix_comes_from_the_setting(settings, db):
    settings.CASE_REFERENCE_PREFIX = "ABC"
    with transaction.atomic():
        assert reference_allocate(year=2031) == "ABC-2031-000001"
    assert reference_last_number("ABC", 2031) == 1


def test_a_rolled_back_case_leaves_a_gap_only_on_postgresql(db):
    """SQLite counts in a row, which the rollback restores; PostgreSQL's sequence takes no
    lock and so cannot give a number back."""
    assert reference_allocate(year=2032) == "RBG-2032-000001"
    with pytest.raises(RuntimeError), transaction.atomic():
        assert reference_allocate(year=2032) == "RBG-2032-000002"
        raise RuntimeError
    expected = "RBG-2032-000003" if connection.vendor == "postgresql" else "RBG-2032-000002"
    assert reference_allocate(year=2032) == expected
    assert reference_last_number("RBG", 2032) == int(expected[-6:])


def test_postgresql_continues_from_a_counter_row(db):
    """A database that counted in rows before keeps counting from there."""
    ReferenceCounter.objects.create(prefix="RBG", year=2033, last_number=41)
    assert reference_allocate(year=2033) == "RBG-2033-000042"
    assert reference_last_number("RBG", 2033) == 42


def test_an_unusual_prefix_is_counted_in_a_row(settings, db):
    settings.CASE_REFERENCE_PREFIX = "RB-G"
    assert reference_allocate(year=2034) == "RB-G-2034-000001"
    assert ReferenceCounter.objects.get(prefix="RB-G", year=2034).last_number == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_allocations_get_distinct_gap_free_numbers():
    """On PostgreSQL several threads, each with its own connection, allocate at the same time
    (the first of them also races to create the year's counter row). SQLite serialises writers
    anyway, so there the same allocations run one after the other."""
    count = 12
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(count) if connection.vendor == "postgresql" else None

    def allocate():
        try:
            if start is not None:
                start.wait(timeout=10)
            with transaction.atomic():
                reference = reference_allocate(year=2040)
            with lock:
                results.append(reference)
        except BaseException as exc:
            errors.append(exc)
        finally:
            if start is not None:
                connections.close_all()

    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=allocate) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    else:
        for _ in range(count):
            allocate()
    assert not errors, errors
    numbers = sorted(int(ref.rsplit("-", 1)[1]) for ref in results)
    assert numbers == list(range(1, count + 1))
    assert len(set(results)) == count


@pytest.mark.django_db(transaction=True)
def test_reserved_reference_is_committed_at_once_and_a_failed_case_leaves_a_gap():
    """The online paths take the number before the case's transaction (SQLite: in a short
    transaction of its own, so the counter row is not locked for a whole submission); a case
    that then fails keeps its number taken."""
    from rathaus.cases.services import reference_reserve

    now = timezone.now()
    first, moment = reference_reserve(now)
    assert moment == now
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError), transaction.atomic():
        raise RuntimeError  # the case's own transaction fails after the reservation
    second, _ = reference_reserve(timezone.now())
    year = timezone.localtime(now).year
    assert int(second.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1
    assert reference_last_number("RBG", year) == int(second.rsplit("-", 1)[1])


def test_reference_and_ids_come_in_one_statement(db, django_assert_num_queries):
    import datetime as dt

    from rathaus.cases.models import CaseEvent
    from rathaus.cases.references import reference_and_ids_reserve
    from rathaus.core.rows import ids_reserve

    now = timezone.make_aware(dt.datetime(2035, 3, 1, 12))
    assert reference_allocate(year=2035) == "RBG-2035-000001"
    ids_reserve({Case: 1, CaseEvent: 2})  # the sequences' names are looked up once per process
    with django_assert_num_queries(1):
        (reference, at), pool = reference_and_ids_reserve(now, {Case: 1, CaseEvent: 2})
    assert reference == "RBG-2035-000002" and at == now
    if connection.vendor == "postgresql":
        assert len(pool[Case]) == 1 and len(set(pool[CaseEvent])) == 2
    else:
        assert not pool


def test_the_years_first_reference_with_ids_makes_the_years_sequence(db):
    import datetime as dt

    from rathaus.cases.references import reference_and_ids_reserve

    (reference, _at), _pool = reference_and_ids_reserve(
        timezone.make_aware(dt.datetime(2036, 1, 1, 9)), {Case: 1}
    )
    assert reference == "RBG-2036-000001"
    assert reference_allocate(year=2036) == "RBG-2036-000002"
