"""The trust level (Vertrauensniveau) of the current login, kept on the session.

Password login gives "basic"; an eID login gives what the identity provider asserted. A service
that needs more sends the person to a page that explains how to log in with a higher level.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from .constants import TrustLevel

SESSION_KEY = "trust_level"

__all__ = ["SESSION_KEY", "current_trust_level", "require_trust_level", "session_meets"]


def current_trust_level(request) -> str | None:
    if not request.user.is_authenticated:
        return None
    return request.session.get(SESSION_KEY, TrustLevel.BASIC)


def session_meets(request, level: str) -> bool:
    return TrustLevel.rank(current_trust_level(request)) >= TrustLevel.rank(level)


def require_trust_level(level: str):
    """View decorator: the login must have at least ``level``, else explain how to get it."""
    if level not in TrustLevel.values:
        raise ValueError(f"unknown trust level {level!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if session_meets(request, level):
                return view(request, *args, **kwargs)
            query = urlencode({"required": level, "next": request.get_full_path()})
            return redirect(f"{reverse('accounts:trust_level')}?{query}")

        return wrapped

    return decorator
