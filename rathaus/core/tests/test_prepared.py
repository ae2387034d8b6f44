"""Statements prepared once per connection (PostgreSQL) behave as any other statement."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from rathaus.accounts.models import Department
from rathaus.core.prepared import prepared_cursor

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = connection.vendor == "postgresql"


def _prepared_on_server() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_statement_gives_its_rows_and_is_logged_with_its_values():
    with CaptureQueriesContext(connection) as captured:
        for n in (1, 2, 3):
            with prepared_cursor() as cursor:
                cursor.execute("SELECT %s + 1, %s", [n, "O'Brien; --"])
                assert cursor.fetchone() == (n + 1, "O'Brien; --")
    logged = [query["sql"] for query in captured.captured_queries]
    assert len(logged) == 3 and "3" in logged[-1] and "O''Brien; --" in logged[-1]


def test_it_is_prepared_once_on_postgresql_and_nothing_else_is(settings):
    sql = "SELECT %s * 2 AS prepared_test"
    for n in range(3):
        with prepared_cursor() as cursor:
            cursor.execute(sql, [n])
            assert cursor.fetchone() == (2 * n,)
    with connection.cursor() as cursor:  # Django's own statements stay unprepared
        for _ in range(6):
            cursor.execute("SELECT 41 + 1 AS not_prepared_test")
    settings.DATABASE_PREPARED_STATEMENTS = False  # a pooler that keeps no prepared statements
    with prepared_cursor() as cursor:
        cursor.execute("SELECT %s AS switched_off_test", [5])
        assert cursor.fetchone() == (5,)
    if not ON_POSTGRESQL:
        return  # elsewhere it is the ordinary cursor: nothing to prepare
    statements = _prepared_on_server()
    assert sum("prepared_test" in s and "not_prepared" not in s for s in statements) == 1
    assert not any("not_prepared_test" in s or "switched_off_test" in s for s in statements)
    assert connection.connection.prepare_threshold is None  # as Django leaves it


def test_its_errors_are_djangos_and_it_works_again_after_a_rollback(department):
    table = Department._meta.db_table
    copy = f"INSERT INTO {table} SELECT * FROM {table} WHERE id = %s"  # noqa: S608 - the model's table
    read = f"SELECT name FROM {table} WHERE id = %s"  # noqa: S608 - the model's table
    with prepared_cursor() as cursor:
        cursor.execute(read, [department.pk])
    with pytest.raises(IntegrityError), transaction.atomic(), prepared_cursor() as cursor:
        cursor.execute(copy, [department.pk])  # the same primary key again
    for _ in range(2):  # prepared again after psycopg forgot its statements in the rollback
        with prepared_cursor() as cursor:
            cursor.execute(read, [department.pk])
            assert cursor.fetchone() == (department.name,)


def test_numbered_parameters_are_sent_as_written_and_logged_with_their_values():
    sql = "SELECT " + ", ".join(f"${n}::text AS numbered_test_{n}" for n in range(1, 12))
    values = [f"v{n} '%s' ;" for n in range(1, 12)]
    if not ON_POSTGRESQL:  # numbered parameters are PostgreSQL's: refused elsewhere
        with pytest.raises(ValueError), prepared_cursor(numbered=True):
            pass
        return
    with CaptureQueriesContext(connection) as captured:
        for _ in range(2):
            with prepared_cursor(numbered=True) as cursor:
                cursor.execute(sql, values)
                assert list(cursor.fetchone()) == values
    logged = captured.captured_queries[-1]["sql"]
    # $11 is not read as $1 followed by a 1
    assert "'v11 ''%s'' ;'" in logged and "'v1 ''%s'' ;'" in logged and "$" not in logged
    assert sum("numbered_test_11" in s for s in _prepared_on_server()) == 1


def test_numbered_parameters_need_a_connection_that_prepares(settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    with pytest.raises(ValueError), prepared_cursor(numbered=True):
        pass
