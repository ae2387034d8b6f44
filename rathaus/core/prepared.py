"""Statements PostgreSQL plans once per connection instead of for every request.

Django binds parameters on the client (psycopg's ``ClientCursor``): every statement reaches the
server as new text and is parsed and planned anew. For most statements that costs little; for
the few that every API request runs it does not. The token login's query, a join with two
``EXISTS``, took PostgreSQL half a millisecond of CPU per request, most of it planning (issue 3
benchmark, ``log_statement_stats``). ``prepared_cursor`` gives a cursor whose statements are
bound on the server and prepared on first use, so later executions on the same connection skip
parsing and planning: the token login and the statement that reserves a submission's ids now
cost PostgreSQL 0.2 and 0.1 ms instead of 0.5 and 0.2. A long statement with many parameters
is written with numbered parameters (``numbered=True``, ``$1`` …): psycopg converts a statement
with its own placeholders anew on every execution once it is longer than 4 KB or has more than
50 of them, which cost Python as much as preparing a submission's batch of rows saved
PostgreSQL; numbered ones it sends as they are.

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

__all__ = ["prepared_cursor", "prepares"]

# Preparation is asked for explicitly; psycopg prepares on request only while the connection's
# threshold is set, and this one is never reached by counting.
_ON_REQUEST_ONLY = 2**31


def prepares(connection) -> bool:
    """Whether ``prepared_cursor`` prepares on this connection (PostgreSQL, not switched off)."""
    return connection.vendor == "postgresql" and getattr(settings, "DATABASE_PREPARED_STATEMENTS", True)


@contextmanager
def prepared_cursor(using: str = DEFAULT_DB_ALIAS, *, numbered: bool = False) -> Iterator:
    """``numbered``: the statements name their parameters ``$1``, ``$2`` … as PostgreSQL does, and
    psycopg sends them as they are (``psycopg.RawCursor``): for a long statement with many
    parameters, which psycopg would otherwise convert anew on every execution. Only where
    ``prepares`` says so."""
    connection = connections[using]
    if not prepares(connection):
        if numbered:
            raise ValueError("numbered parameters need a PostgreSQL connection that prepares")
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = connection._prepare_cursor(_preparing_cursor_class(numbered)(connection.connection))
    with cursor:
        yield cursor


@cache
def _preparing_cursor_class(numbered: bool = False):
    # Imported on first use: the PostgreSQL backend needs psycopg, which SQLite setups may lack.
    from django.db.backends.postgresql.base import ServerBindingCursor
    from psycopg.raw_cursor import RawCursorMixin

    bases = (RawCursorMixin, ServerBindingCursor) if numbered else (ServerBindingCursor,)

    class PreparingCursor(*bases):
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
                self._query = _LoggedQuery(raw, query, params, numbered)

    return PreparingCursor


class _LoggedQuery:
    """The statement as Django's query log shows it, with its values, written out only when
    the log asks (``DatabaseOperations.last_executed_query`` reads ``cursor._query.query``)."""

    __slots__ = ("connection", "numbered", "params", "sql")

    def __init__(self, connection, sql, params, numbered=False):
        self.connection, self.sql, self.params, self.numbered = connection, sql, params, numbered

    @property
    def query(self) -> bytes:
        import psycopg

        sql = self.sql
        if self.numbered and self.params:
            # $1 … back to psycopg's placeholders, from the highest number down ($12 before $1).
            for number in range(len(self.params), 0, -1):
                sql = sql.replace(f"${number}", f"%({number})s")
            params = {str(number): value for number, value in enumerate(self.params, 1)}
            return psycopg.ClientCursor(self.connection).mogrify(sql, params).encode()
        return psycopg.ClientCursor(self.connection).mogrify(sql, self.params).encode()
