"""Statements PostgreSQL plans once per connection instead of for every request.

Django binds parameters on the client (psycopg's ``ClientCursor``): every statement reaches the
server as new text and is parsed and planned anew. For most statements that costs little; for
the few that every API request runs it does not. The token login's query, a join with two
``EXISTS``, took PostgreSQL half a millisecond of CPU per request, most of it planning (issue 3
benchmark, ``log_statement_stats``). ``prepared_cursor`` gives a cursor whose statements are
bound on the server and prepared on first use, so later executions on the same connection skip
parsing and planning: the token login and the statement that reserves a submission's ids now
cost PostgreSQL 0.2 and 0.1 ms instead of 0.5 and 0.2. Not worth it for long statements with
many parameters: psycopg converts those anew on every execution (a submission's batch of rows
saved PostgreSQL as much as it cost Python).

It is Django's cursor wrapper around psycopg's server-side binding cursor: errors become
Django's (``IntegrityError`` …), execute wrappers and query logging see the statement as for
any other. Automatic preparation stays off for every other statement of the connection, as
Django leaves it. Elsewhere than PostgreSQL, or with ``DATABASE_PREPARED_STATEMENTS`` off (a
connection pooler in transaction mode that does not keep prepared statements), it is the
ordinary cursor. Use it only for statements whose text does not vary with the values.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

__all__ = ["prepared_cursor"]

# Preparation is asked for explicitly; psycopg prepares on request only while the connection's
# threshold is set, and this one is never reached by counting.
_ON_REQUEST_ONLY = 2**31


def _prepares(connection) -> bool:
    return connection.vendor == "postgresql" and getattr(settings, "DATABASE_PREPARED_STATEMENTS", True)


@contextmanager
def prepared_cursor(using: str = DEFAULT_DB_ALIAS) -> Iterator:
    connection = connections[using]
    if not _prepares(connection):
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = connection._prepare_cursor(_preparing_cursor_class()(connection.connection))
    with cursor:
        yield cursor


@cache
def _preparing_cursor_class():
    # Imported on first use: the PostgreSQL backend needs psycopg, which SQLite setups may lack.
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            raw = self.connection
            threshold = raw.prepare_threshold
            if threshold is None:
                raw.prepare_threshold = _ON_REQUEST_ONLY
            try:
                return super().execute(query, params, prepare=True, binary=binary)
            finally:
                raw.prepare_threshold = threshold
                # What Django's query log reads (a client-side cursor keeps it itself).
                self._query = _LoggedQuery(raw, query, params)

    return PreparingCursor


class _LoggedQuery:
    """The statement as Django's query log shows it, with its values, written out only when
    the log asks (``DatabaseOperations.last_executed_query`` reads ``cursor._query.query``)."""

    __slots__ = ("connection", "params", "sql")

    def __init__(self, connection, sql, params):
        self.connection, self.sql, self.params = connection, sql, params

    @property
    def query(self) -> bytes:
        import psycopg

        return psycopg.ClientCursor(self.connection).mogrify(self.sql, self.params).encode()
