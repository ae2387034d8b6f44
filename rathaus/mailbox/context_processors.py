"""Template context of the mailbox: the unread count for the main navigation."""

from __future__ import annotations

from functools import cache

from .selectors import unread_count


def mailbox(request) -> dict:
    """``mailbox_unread``: a callable the template calls at most once (one COUNT query), and only
    on pages that show the navigation; htmx partials never pay for it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def unread() -> int:
        return unread_count(user)

    return {"mailbox_unread": unread}
