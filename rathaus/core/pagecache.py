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

``render_with_slots`` goes one step further for pages that differ only in a few texts taken
from the request, such as a search page that repeats the words searched for: the page is
rendered once with a marker for each such text, kept split at the markers, and put together for
every request with the request's own texts, HTML-escaped as the template would have escaped
them. A search nobody made before then costs the search, not the rendering of a page.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Mapping
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import empty
from django.utils.html import escape

from .context_processors import current_branding

__all__ = ["PAGE_TTL", "anonymous_page_cache", "render_with_slots"]

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


def _request_key(request: HttpRequest) -> tuple:
    """What every cached page depends on besides its own data."""
    key = getattr(request, "_page_cache_key", None)
    if key is None:
        key = request._page_cache_key = (
            request.get_host(),
            request.scheme,
            getattr(request, "LANGUAGE_CODE", ""),
            bool(getattr(request, "htmx", False)),
            current_branding().fragment_key,
            settings.DEMO_MODE,
        )
    return key


def _key(prefix: str, parts: tuple) -> str:
    return prefix + hashlib.sha256(repr(parts).encode()).hexdigest()


def anonymous_page_cache(depends_on: Callable[[], object] = lambda: None, ttl: int = PAGE_TTL):
    def decorator(view):
        name = f"{view.__module__}.{view.__qualname__}"

        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not _may_serve_cached(request):
                return view(request, *args, **kwargs)
            key = _key("page:", (name, request.get_full_path(), _request_key(request), depends_on()))
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


# Markers stand for the slots while a page is rendered. Random per process, so that no text of
# the catalogue can contain one; letters and digits only, so that escaping leaves them as they are.
_MARKER_BOUND = "slot" + secrets.token_hex(12)
_MARKER = re.compile(_MARKER_BOUND + r"([a-z_]+?)" + _MARKER_BOUND)


def _marker(name: str) -> str:
    return f"{_MARKER_BOUND}{name}{_MARKER_BOUND}"


def render_with_slots(
    request: HttpRequest,
    template_name: str,
    context: Mapping[str, object],
    *,
    slots: Mapping[str, str],
    depends_on: tuple,
    ttl: int = PAGE_TTL,
) -> HttpResponse:
    """Render ``template_name`` like ``render``, reusing the page rendered for another request
    that differed only in the ``slots``' texts (context variables the template prints with
    autoescaping, and nothing else: no filter, test or length of them may matter).

    ``depends_on`` is everything else the page shows (for a search: its results). Only for
    requests that may be served a cached page; the others get the page rendered for them."""
    if not _may_serve_cached(request):
        return render(request, template_name, {**context, **slots})
    key = _key("slots:", (template_name, _request_key(request), depends_on, tuple(sorted(slots))))
    shell = _cache().get(key)
    if shell is None:
        response = render(request, template_name, {**context, **{name: _marker(name) for name in slots}})
        if not _same_for_everybody(request, response):
            return render(request, template_name, {**context, **slots})
        # Alternating text and slot names: "a<q>b" → ["a", "q", "b"].
        shell = (_MARKER.split(response.content.decode(response.charset)), response["Content-Type"])
        _cache().set(key, shell, ttl)
    parts, content_type = shell
    escaped = {name: escape(value) for name, value in slots.items()}
    content = "".join(part if index % 2 == 0 else escaped[part] for index, part in enumerate(parts))
    return HttpResponse(content, content_type=content_type)
