"""Work that must follow the fate of the surrounding database transaction.

Django runs callbacks when a transaction commits (``transaction.on_commit``) but has no hook for
a rollback. Files are the case that needs one: an upload or a letter is written to storage
before the row that names it commits, and if the transaction then rolls back (invalid input
found later, a lost race, a crash of the request) the file would stay behind with no row
pointing to it. ``delete_file_on_rollback`` removes it in that case.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, transaction

__all__ = ["delete_file_on_rollback", "on_rollback"]

logger = logging.getLogger(__name__)


def _run_unless_committed(func: Callable[[], None], state: dict) -> None:
    if state["committed"]:
        return
    try:
        func()
    except Exception:
        # Runs while a rollback unwinds (or at garbage collection): it must never raise.
        logger.warning("rollback hook failed", exc_info=True)


def on_rollback(func: Callable[[], None], using: str | None = None) -> None:
    """Call ``func`` if the current transaction, or the savepoint this call is made in, rolls
    back; never if it commits. Outside a transaction nothing can roll back and ``func`` is
    never called.

    How: a marker is registered with ``transaction.on_commit``. A commit runs it; a rollback
    makes Django drop it, and dropping it (CPython frees it at once) fires ``func`` through a
    ``weakref.finalize``. Savepoints behave as Django's ``on_commit`` does: rolling back to a
    savepoint drops only what was registered inside it.
    """
    state = {"committed": False}

    def committed() -> None:
        state["committed"] = True

    weakref.finalize(committed, _run_unless_committed, func, state)
    transaction.on_commit(committed, using=using or DEFAULT_DB_ALIAS)


def delete_file_on_rollback(storage, name: str, using: str | None = None) -> None:
    """Delete the stored file ``name`` if the transaction that was to record it rolls back."""
    on_rollback(lambda: storage.delete(name), using=using)
