"""Whole pages for anonymous visitors, cached per process.

The public catalogue is what most visitors of a city portal read, and it reads the same for all
of them: an anonymous page's frame holds no CSRF token and no CSP nonce (base.html), so a page
is a function of its address, its language and the data it shows. ``anonymous_page_cache``
keeps such pages for ``PAGE_TTL`` seconds in the per-process "template_fragments" cache.

Served from the cache only to a request that cannot see anything personal: GET or HEAD, not
logged in, without a session or messages cookie. Stored only if the page turned out to be the
same for everybody: status 200, no cookie set, nothing written to the session, no CSRF token
or nonce put in the page. The view names what else its page depends on (``depends_on``: the catalogue's
version, for one); the language, the branding, demo mode, the host and the full path with its
query are always part of the key. Middleware still runs for every response (security headers,
CSP, language), so a cached page gets them fresh.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

from .context_processors import current_branding

__all__ = ["PAGE_TTL", "anonymous_page_cache"]

PAGE_TTL = 60  # seconds: bounds what the key cannot see (a change saved by another process)


def _cache():
    return caches["template_fragments"]


def _may_serve_cached(request: HttpRequest) -> bool:
    cookies = request.COOKIES
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in cookies
        and "messages" not in cookies
        and not request.user.is_authenticated
    )


def _same_for_everybody(request: HttpRequest, response: HttpResponse) -> bool:
    session = getattr(request, "session", None)
    nonce = getattr(request, "csp_nonce", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        # Read is fine: without a session cookie (see above) the session is empty. Written is not.
        and not (session is not None and session.modified)
        and not (nonce is not None and getattr(nonce, "_wrapped", empty) is not empty)
    )


def anonymous_page_cache(depends_on: Callable[[], object] = lambda: None, ttl: int = PAGE_TTL):
    def decorator(view):
        name = f"{view.__module__}.{view.__qualname__}"

        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not _may_serve_cached(request):
                return view(request, *args, **kwargs)
            parts = (
                name,
                request.get_host(),
                request.scheme,
                request.get_full_path(),
                getattr(request, "LANGUAGE_CODE", ""),
                bool(getattr(request, "htmx", False)),
                current_branding().fragment_key,
                settings.DEMO_MODE,
                depends_on(),
            )
            key = "page:" + hashlib.sha256(repr(parts).encode()).hexdigest()
            cached = _cache().get(key)
            if cached is not None:
                content, content_type = cached
                return HttpResponse(content, content_type=content_type)
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            if _same_for_everybody(request, response):
                _cache().set(key, (response.content, response["Content-Type"]), ttl)
            return response

        return wrapper

    return decorator
