"""Case references ("RBG-2026-000123"): unique per prefix and year, increasing with time.

PostgreSQL: one sequence per prefix and year (``cases_reference_rbg_2026``). ``nextval`` takes
no lock that anyone waits for and is not undone by a rollback, so a case that fails after
taking its number leaves a gap; references are not a count of cases. A year's sequence is
created by its first case and continues from the year's ``ReferenceCounter`` row if there is
one (a database that counted with rows before).

SQLite (the embedded default): the year's ``ReferenceCounter`` row, raised and read in one
statement (``UPDATE … RETURNING``). SQLite serialises writers anyway; inside a case's
transaction the numbers are gap-free (a rolled-back case also rolls back its number).
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from rathaus.core.rows import IdPool, ids_reserve

from .models import ReferenceCounter

__all__ = ["reference_allocate", "reference_and_ids_reserve", "reference_last_number", "reference_reserve"]

# A prefix that can name a sequence; any other is counted in rows.
_SEQUENCE_PREFIX = re.compile(r"[A-Za-z0-9]{1,10}")


def reference_allocate(*, year: int) -> str:
    """The next reference of ``year`` with the configured prefix."""
    prefix = getattr(settings, "CASE_REFERENCE_PREFIX", "RBG")
    return f"{prefix}-{year}-{_next_number(prefix, year):06d}"


def reference_reserve(now: dt.datetime) -> tuple[str, dt.datetime]:
    """A reference for a case about to be opened at ``now``, taken before the case's
    transaction, with the moment to open the case at (same year as the reference).

    The online submission paths use this. On SQLite outside a transaction the counter row is
    raised in a short transaction of its own, so it is not locked for the whole submission;
    on PostgreSQL it is one ``nextval``. Inside an outer transaction (a test, a batch) the
    number is simply part of it.
    """
    return reference_allocate(year=timezone.localtime(now).year), now


def reference_and_ids_reserve(now: dt.datetime, counts: dict) -> tuple[tuple[str, dt.datetime], IdPool]:
    """``reference_reserve`` and ``core.rows.ids_reserve(counts)`` together: on PostgreSQL the
    reference's ``nextval`` and the rows' ids are one statement (a round trip less for every
    online submission); elsewhere the two, and the pool is empty."""
    prefix = getattr(settings, "CASE_REFERENCE_PREFIX", "RBG")
    year = timezone.localtime(now).year
    if not _uses_sequence(prefix):
        return reference_reserve(now), ids_reserve(counts)
    pool = ids_reserve(counts, also=[("nextval(to_regclass(%s))", [_sequence_name(prefix, year)])])
    number = pool.also[0]
    if number is None:  # the year's first case: its sequence is made first
        number = _sequence_next(prefix, year)
    return (f"{prefix}-{year}-{number:06d}", now), pool


def reference_last_number(prefix: str, year: int) -> int:
    """The last number handed out for ``prefix`` and ``year`` (0 if none yet)."""
    if _uses_sequence(prefix):
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [_sequence_name(prefix, year)])
            if cursor.fetchone()[0]:
                cursor.execute(
                    f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {_quoted(prefix, year)}"  # noqa: S608 - a name we made
                )
                return cursor.fetchone()[0]
    counter = ReferenceCounter.objects.filter(prefix=prefix, year=year).first()
    return counter.last_number if counter else 0


def _uses_sequence(prefix: str) -> bool:
    return connection.vendor == "postgresql" and bool(_SEQUENCE_PREFIX.fullmatch(prefix))


def _sequence_name(prefix: str, year: int) -> str:
    return f"cases_reference_{prefix.lower()}_{int(year)}"


def _quoted(prefix: str, year: int) -> str:
    return connection.ops.quote_name(_sequence_name(prefix, year))


def _next_number(prefix: str, year: int) -> int:
    if _uses_sequence(prefix):
        return _sequence_next(prefix, year)
    return _counter_next(prefix, year)


def _sequence_next(prefix: str, year: int) -> int:
    """``nextval`` of the year's sequence in one statement; NULL tells that the year has no
    sequence yet, without an error that would abort the caller's transaction."""
    name = _sequence_name(prefix, year)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(to_regclass(%s))", [name])
        number = cursor.fetchone()[0]
    if number is not None:
        return number
    # The year's first case: create its sequence. One creator at a time (the advisory lock
    # lasts until the creating transaction ends); the next finds it made. In a savepoint
    # inside an outer transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
        cursor.execute("SELECT to_regclass(%s) IS NULL", [name])
        if cursor.fetchone()[0]:
            counted = ReferenceCounter.objects.filter(prefix=prefix, year=year).values_list(
                "last_number", flat=True
            )
            start = (counted.first() or 0) + 1
            cursor.execute(f"CREATE SEQUENCE {_quoted(prefix, year)} START WITH {int(start)} MINVALUE 1")
        cursor.execute("SELECT nextval(to_regclass(%s))", [name])
        return cursor.fetchone()[0]


def _counter_next(prefix: str, year: int) -> int:
    """Raise the year's counter row (created by the year's first case; a parallel creator loses
    on the unique constraint and then waits for the row's lock)."""
    with transaction.atomic(savepoint=False):
        number = _counter_advance(prefix, year)
        if number is None:
            try:
                with transaction.atomic():
                    ReferenceCounter.objects.create(prefix=prefix, year=year)
            except IntegrityError:
                pass  # created in parallel; the update below waits for its lock
            number = _counter_advance(prefix, year)
    return number


def _counter_advance(prefix: str, year: int) -> int | None:
    """Raise the counter and read the new number in one statement (``UPDATE … RETURNING``,
    SQLite ≥ 3.35 and PostgreSQL): the update takes the row lock, and one round trip less is
    held under it. None if the year has no counter yet."""
    quote = connection.ops.quote_name
    meta = ReferenceCounter._meta
    number = quote(meta.get_field("last_number").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {number} = {number} + 1 "  # noqa: S608 - names from the model
            f"WHERE {quote(meta.get_field('prefix').column)} = %s AND {quote(meta.get_field('year').column)} = %s "
            f"RETURNING {number}",
            [prefix, year],
        )
        row = cursor.fetchone()
    return row[0] if row else None
