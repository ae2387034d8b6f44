"""Storing new rows on the busiest write paths with one plain INSERT each, and on PostgreSQL
all of a transaction's new rows in one round trip.

``Model.save()`` and ``bulk_create`` build the same INSERT anew for every row: the query, its
compiler, the signals, the checks of related objects. On an API submission that was a third
of the Python time of the rows it stores (issue 3 benchmark). ``insert_new`` keeps what decides
the stored values (each field's ``pre_save`` and ``get_db_prep_save``: ``auto_now_add``, JSON,
dates, file names) and builds the statement once per model and database, from the model's own
table and columns. Only for new rows of models without database-side defaults or generated
columns, and without ``pre_save``/``post_save`` receivers that must see them (none of the
models it is used for has one); everything else stays with the ORM.

A submission stores six rows, each waiting for the database before the next one is sent: a
round trip costs both processes more than the INSERT itself. ``ids_reserve`` takes the ids
of the rows a transaction will store from their sequences in one statement (before it), and
inside ``rows_batched`` each ``insert_new`` whose row has its id then waits in a queue that
leaves in one round trip: when the block ends, or before any other statement of the
connection, so what runs in between reads the rows as if they had been stored at once. A
row without an id, or without an id reserved for it, is stored at once with ``RETURNING`` as
outside a batch. On SQLite (in-process, no round trips) both are no-ops.

Where statements are prepared (``core.prepared``), a queue of several INSERTs leaves as one
statement of data-modifying ``WITH`` queries, which PostgreSQL prepares once per connection and
shape: under load, parsing, analysing and planning a submission's six INSERTs anew had been a
third of PostgreSQL's time for it. Otherwise they leave as one text of several statements.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache, lru_cache

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.expressions import DatabaseDefault

from .prepared import prepared_cursor, prepares

__all__ = ["IdPool", "ids_reserve", "insert_new", "rows_batched"]

_batch = threading.local()


class IdPool(dict):
    """Ids taken from their models' sequences and not used yet, by model; ``also``: the values
    of the further expressions ``ids_reserve`` was asked for."""

    also: tuple = ()

    def take(self, model: type[models.Model]) -> int | None:
        ids = self.get(model)
        return ids.popleft() if ids else None


def ids_reserve(
    counts: dict[type[models.Model], int],
    using: str = DEFAULT_DB_ALIAS,
    *,
    also: Sequence[tuple[str, list]] = (),
) -> IdPool:
    """Take ``count`` ids for each model from its sequence, in one statement (PostgreSQL; an
    empty pool elsewhere). An id reserved and not used is a gap, as after a rollback.

    ``also``: further SQL expressions (with their parameters) to evaluate in the same
    statement, PostgreSQL only; their values are in the pool's ``also``, in order."""
    connection = connections[using]
    pool = IdPool()
    if connection.vendor != "postgresql" or not (counts or also):
        return pool
    wanted = [(model, count) for model, count in counts.items() if count > 0]
    columns = []
    params = []
    for model, count in wanted:
        columns.extend(["nextval(%s)"] * count)
        params.extend([_sequence(using, model)] * count)
    for expression, values in also:
        columns.append(expression)
        params.extend(values)
    with prepared_cursor(using) as cursor:
        cursor.execute(f"SELECT {', '.join(columns)}", params)
        row = cursor.fetchone()
    values = iter(row)
    for model, count in wanted:
        pool[model] = deque(next(values) for _ in range(count))
    pool.also = tuple(values)
    return pool


@cache
def _sequence(using: str, model: type[models.Model]) -> str:
    meta = model._meta
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, meta.pk.column])
        name = cursor.fetchone()[0]
    if name is None:
        raise ValueError(f"{model.__name__} has no sequence for its ids")
    return name


@contextmanager
def rows_batched(ids: IdPool | None = None, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Queue the INSERTs of ``insert_new`` whose rows have their ids (set, or taken from
    ``ids``) and send them in one round trip when the block ends, or before any other
    statement of the connection. Use it inside the transaction (the queue must leave before
    the commit); an error of a queued row is raised where the queue leaves. Nested blocks and
    databases other than PostgreSQL store each row at once."""
    connection = connections[using]
    if connection.vendor != "postgresql" or getattr(_batch, "queue", None) is not None:
        yield
        return
    queue: list[tuple[str, list]] = []

    def flush_first(execute, sql, params, many, context):
        _flush(connection, queue)
        return execute(sql, params, many, context)

    _batch.queue, _batch.using, _batch.ids = queue, using, ids if ids is not None else IdPool()
    try:
        with connection.execute_wrapper(flush_first):
            yield
            _flush(connection, queue)
    finally:
        _batch.queue = _batch.ids = None


def _flush(connection, queue: list[tuple[str, list]]) -> None:
    if not queue:
        return
    queued = list(queue)
    queue.clear()  # before executing: the execute wrapper sees an empty queue
    params = [value for _, values in queued for value in values]  # in the order of the queue
    if len(queued) > 1 and prepares(connection):
        # One statement (the INSERTs as data-modifying WITH queries), prepared once per
        # connection and shape: PostgreSQL skips parsing, analysing and planning six INSERTs,
        # which under load was a third of its time for a submission. The foreign keys are
        # checked at the commit (Django makes them deferrable), so the order in which
        # PostgreSQL runs the parts does not matter.
        with prepared_cursor(connection.alias, numbered=True) as cursor:
            cursor.execute(_joined(tuple(sql for sql, _ in queued)), params)
        return
    with connection.cursor() as cursor:
        bind = getattr(cursor.cursor, "mogrify", None)
        if bind is None:  # server-side binding
            cursor.execute("; ".join(sql for sql, _ in queued), params)
            return
        # Bound in pieces psycopg keeps parsed, and sent together as text.
        cursor.execute("; ".join(bind(sql, values) for sql, values in _pieces(queued)))


# psycopg (client-side binding, Django's default) keeps its parsing of a statement for reuse only
# up to these sizes (``psycopg._queries``); a submission's joined batch exceeds them and would be
# parsed anew every time.
_CACHED_STATEMENT_PARAMS = 50
_CACHED_STATEMENT_CHARS = 4096


def _pieces(queued: list[tuple[str, list]]) -> Iterator[tuple[str, list]]:
    """Consecutive statements joined while they stay within psycopg's reuse limits."""
    statements: list[str] = []
    params: list = []
    chars = 0
    for sql, values in queued:
        if statements and (
            len(params) + len(values) > _CACHED_STATEMENT_PARAMS
            or chars + len(sql) + 2 > _CACHED_STATEMENT_CHARS
        ):
            yield "; ".join(statements), params
            statements, params, chars = [], [], 0
        statements.append(sql)
        params.extend(values)
        chars += len(sql) + 2
    yield "; ".join(statements), params


@lru_cache(maxsize=64)
def _joined(statements: tuple[str, ...]) -> str:
    """The INSERTs as one statement with numbered parameters: ``WITH r1 AS (INSERT …), …
    INSERT …``."""
    parts = ", ".join(f"r{number} AS ({sql})" for number, sql in enumerate(statements[:-1], 1))
    text = f"WITH {parts} {statements[-1]}"
    pieces = text.split("%s")
    if any("%" in piece for piece in pieces):
        raise ValueError("the statements hold a % that is not a parameter")
    return "".join(
        piece if number == len(pieces) else f"{piece}${number}" for number, piece in enumerate(pieces, 1)
    )


def insert_new(*instances: models.Model, using: str = DEFAULT_DB_ALIAS, keys: bool = True) -> None:
    """INSERT new instances of one model in one statement. An auto primary key not set yet is
    taken from the batch's reserved ids, or read back from the database (``RETURNING``) in the
    order given; ``keys=False``: the caller does not need them, they stay unset."""
    if not instances:
        return
    model = type(instances[0])
    if any(type(instance) is not model for instance in instances):
        raise TypeError("insert_new stores instances of one model at a time")
    connection = connections[using]
    queue = getattr(_batch, "queue", None) if getattr(_batch, "using", None) == using else None
    fields, auto = _plan(using, model)
    if auto is not None:
        missing = [instance for instance in instances if getattr(instance, auto.attname) is None]
        if missing and len(missing) < len(instances):
            raise ValueError("insert_new stores rows with ids, or rows without, not both at once")
        if missing and queue is not None and len(_batch.ids.get(model) or ()) >= len(missing):
            for instance in missing:
                setattr(instance, auto.attname, _batch.ids.take(model))
    with_ids = auto is not None and getattr(instances[0], auto.attname) is not None
    if with_ids:
        fields = (*fields, auto)
    params = []
    for instance in instances:
        if not instance._state.adding:
            raise ValueError(f"insert_new stores new rows only, not {instance!r}")
        for field in fields:
            value = field.pre_save(instance, True)
            if isinstance(value, DatabaseDefault):
                raise ValueError(f"{field} has a database default: save it with the ORM")
            value = field.get_db_prep_save(value, connection)
            if type(value) is not str and isinstance(value, str):
                # A choice (``TextChoices`` member) as the plain string it equals: psycopg
                # quotes a str subclass through its ``__str__``, twelve times as slow.
                value = str.__str__(value)
            params.append(value)
    read_back = auto is not None and not with_ids and keys
    sql = _statement(using, model, len(instances), with_ids, read_back)
    if queue is not None and not read_back:
        queue.append((sql, params))
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if read_back:
                for instance, row in zip(instances, cursor.fetchall(), strict=True):
                    setattr(instance, auto.attname, row[0])
    for instance in instances:
        instance._state.adding = False
        instance._state.db = using


@cache
def _plan(using: str, model: type[models.Model]) -> tuple[Sequence[models.Field], models.Field | None]:
    """The columns an INSERT of ``model`` writes besides an auto primary key, and that key."""
    meta = model._meta
    for field in meta.local_concrete_fields:
        if getattr(field, "generated", False) or field.has_db_default():
            raise ValueError(f"{model.__name__}.{field.name} is made by the database: use the ORM")
    auto = meta.auto_field
    fields = tuple(field for field in meta.local_concrete_fields if field is not auto)
    if auto is not None and not connections[using].features.can_return_rows_from_bulk_insert:
        raise ValueError(f"{connections[using].vendor} cannot return the ids of new rows")
    return fields, auto


@lru_cache(maxsize=256)
def _statement(using: str, model: type[models.Model], count: int, with_ids: bool, read_back: bool) -> str:
    connection = connections[using]
    quote = connection.ops.quote_name
    fields, auto = _plan(using, model)
    if with_ids:
        fields = (*fields, auto)
    row = f"({', '.join(['%s'] * len(fields))})"
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"  # noqa: S608 - names from the model
        f" VALUES {', '.join([row] * count)}"
    )
    if read_back:
        sql += f" RETURNING {quote(auto.column)}"
    return sql
