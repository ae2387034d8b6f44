"""Portal pages that belong to no domain: start page, legal pages, errors, operations."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponseForbidden, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_prometheus.exports import ExportToDjangoView

from .audit import audit_record
from .constants import AuditAction, LegalPageKind
from .models import LegalPage, OutboxMessage, SiteBranding, WorkerHeartbeat
from .signals import language_chosen


def home(request):
    return render(request, "core/home.html")


@require_http_methods(["GET", "POST"])
def language_switch(request):
    """Switch the interface language: the header's language buttons submit here.

    For anonymous visitors with GET: only the visitor's own language cookie changes (as with
    Django's ``set_language``), so no CSRF token is needed, and a page's frame carries none:
    anonymous pages stay the same for every visitor and can be cached. A logged-in person's
    buttons POST with the CSRF token: the choice is then also their preferred language (the
    language of their e-mails and letters, and the one a login switches to), which a GET must
    not change. ``next`` must point into the portal, else the start page.
    """
    params = request.POST if request.method == "POST" else request.GET
    language = params.get("language", "")
    target = params.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if language in dict(settings.LANGUAGES):
        if request.method == "POST" and request.user.is_authenticated:
            language_chosen.send(sender=None, request=request, user=request.user, language=language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


def legal_page(request, kind: str):
    if kind not in LegalPageKind.values:
        raise Http404
    page = get_object_or_404(LegalPage, kind=kind)
    return render(request, "core/legal_page.html", {"page": page})


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    # Rendered without request context: the database may be what failed.
    return HttpResponse(loader.get_template("500.html").render({}), status=500)


def error_400(request, exception=None):
    return render(request, "400.html", status=400)


def csrf_failure(request, reason=""):
    audit_record(
        action=AuditAction.CSRF_FAILURE,
        actor=request.user if hasattr(request, "user") else None,
        request=request,
        details={"path": request.path[:200]},
    )
    return render(request, "csrf_failure.html", status=403)


@never_cache
@require_GET
def healthz(request):
    """Liveness of the parts a request depends on: the database and the task worker."""
    checks: dict[str, str] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "unavailable"
        healthy = False
    if healthy:
        horizon = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE)
        if WorkerHeartbeat.objects.filter(seen_at__gte=horizon).exists():
            checks["worker"] = "ok"
        else:
            checks["worker"] = "no heartbeat"
            healthy = False
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "checks": checks}, status=200 if healthy else 503
    )


@never_cache
def metrics(request):
    """Prometheus metrics; with METRICS_TOKEN set, only for a bearer of that token."""
    token = settings.METRICS_TOKEN
    if token:
        supplied = request.META.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ").strip()
        if not secrets.compare_digest(supplied, token):
            return HttpResponseForbidden("forbidden")
    return ExportToDjangoView(request)


@never_cache
def demo_outbox(request):
    """Demo mode only: the e-mails the portal would have sent, so a newcomer can follow links."""
    if not settings.DEMO_MODE:
        raise Http404
    messages = OutboxMessage.objects.all()[:50]
    return render(request, "core/demo_outbox.html", {"outbox": messages, "title": _("Demo e-mail outbox")})


def branding_logo(request):
    """The municipality's logo, read from private storage with a restrictive content type."""
    branding = SiteBranding.current()
    if not branding.logo:
        raise Http404
    content = branding.logo.open("rb").read()
    content_type = "image/png" if content.startswith(b"\x89PNG") else "image/jpeg"
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = "public, max-age=3600"
    return response


def branding_css(request):
    """The municipality's colour as a stylesheet. It was an inline ``<style>`` in every page; the
    CSP allows no inline styles, and cached anonymous pages carry no nonce. Pages link it with
    the branding's fingerprint, so it can be cached for long and changes with the branding."""
    branding = SiteBranding.current()
    # The colour is validated as #rrggbb when saved (hex_colour); check again, it goes into CSS.
    colour = branding.primary_colour if _HEX_COLOUR.fullmatch(branding.primary_colour or "") else "#8a1538"
    response = HttpResponse(
        f":root {{ --rathaus-primary: {colour}; }}\n", content_type="text/css; charset=utf-8"
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response


_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@never_cache
def bench_floor(request):
    """Benchmark floor: the cheapest view with one primary-key query (only with BENCH_ENDPOINTS)."""
    if not settings.BENCH_ENDPOINTS:
        raise Http404
    found = SiteBranding.objects.filter(pk=1).values_list("pk", flat=True).first()
    return HttpResponse(f"floor {found}", content_type="text/plain")


def robots_txt(request):
    return HttpResponse("User-agent: *\nDisallow: /konto/\nDisallow: /admin/\n", content_type="text/plain")
