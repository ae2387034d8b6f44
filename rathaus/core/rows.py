"""Storing new rows on the busiest write paths with one plain INSERT each.

``Model.save()`` and ``bulk_create`` build the same INSERT anew for every row: the query, its
compiler, the signals, the checks of related objects. On an API submission that was a third
of the Python time of the rows it stores (issue 3 benchmark). ``insert_new`` keeps what decides
the stored values (each field's ``pre_save`` and ``get_db_prep_save``: ``auto_now_add``, JSON,
dates, file names) and builds the statement once per model and database, from the model's own
table and columns. Only for new rows of models without database-side defaults or generated
columns, and without ``pre_save``/``post_save`` receivers that must see them (none of the
models it is used for has one); everything else stays with the ORM.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, lru_cache

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.expressions import DatabaseDefault

__all__ = ["insert_new"]


def insert_new(*instances: models.Model, using: str = DEFAULT_DB_ALIAS) -> None:
    """INSERT new instances of one model in one statement; an auto primary key is set on each
    from the database (``RETURNING``), in the order given."""
    if not instances:
        return
    model = type(instances[0])
    if any(type(instance) is not model for instance in instances):
        raise TypeError("insert_new stores instances of one model at a time")
    connection = connections[using]
    fields, returning = _plan(using, model)
    params = []
    for instance in instances:
        if not instance._state.adding:
            raise ValueError(f"insert_new stores new rows only, not {instance!r}")
        for field in fields:
            value = field.pre_save(instance, True)
            if isinstance(value, DatabaseDefault):
                raise ValueError(f"{field} has a database default: save it with the ORM")
            params.append(field.get_db_prep_save(value, connection))
    sql = _statement(using, model, len(instances))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returning is not None:
            for instance, row in zip(instances, cursor.fetchall(), strict=True):
                setattr(instance, returning.attname, row[0])
    for instance in instances:
        instance._state.adding = False
        instance._state.db = using


@cache
def _plan(using: str, model: type[models.Model]) -> tuple[Sequence[models.Field], models.Field | None]:
    """The columns an INSERT of ``model`` writes, and the auto primary key read back, if any."""
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
def _statement(using: str, model: type[models.Model], count: int) -> str:
    connection = connections[using]
    quote = connection.ops.quote_name
    fields, returning = _plan(using, model)
    row = f"({', '.join(['%s'] * len(fields))})"
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"  # noqa: S608 - names from the model
        f" VALUES {', '.join([row] * count)}"
    )
    if returning is not None:
        sql += f" RETURNING {quote(returning.column)}"
    return sql
