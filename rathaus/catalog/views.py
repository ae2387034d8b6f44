"""Public pages of the service catalogue."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from rathaus.core.pagecache import anonymous_page_cache

from . import selectors
from .fees import compute_fee
from .models import LifeSituation
from .search import catalog_version


@anonymous_page_cache(depends_on=catalog_version)
def catalog_index(request):
    query = request.GET.get("q", "").strip()[:200]
    results = selectors.services_matching(query) if query else None
    context = {
        "title": _("Services from A to Z") if not query else _("Search results"),
        "query": query,
        "results": results,
        # Building the annotated query costs even unevaluated: only when the page shows it.
        "life_situations": selectors.life_situations_with_counts() if not query else None,
        "services": selectors.public_services() if not query else None,
    }
    template = "catalog/_results.html" if request.htmx and query else "catalog/index.html"
    return render(request, template, context)


@anonymous_page_cache(depends_on=catalog_version)
def life_situation_detail(request, slug: str):
    situation = get_object_or_404(LifeSituation, slug=slug)
    services = situation.services.published().select_related("department")
    return render(
        request,
        "catalog/life_situation.html",
        {"situation": situation, "services": services, "title": situation.display_name},
    )


@anonymous_page_cache(depends_on=catalog_version)
def departments(request):
    return render(
        request,
        "catalog/departments.html",
        {"departments": selectors.departments_with_services(), "title": _("Services by department")},
    )


@anonymous_page_cache(depends_on=catalog_version)
def service_detail(request, slug: str):
    service = selectors.published_service(slug)
    if service is None:
        raise Http404
    return render(
        request,
        "catalog/service_detail.html",
        {
            "service": service,
            "title": service.display_name,
            "fee": compute_fee(service, {}),
            "apply_url": _apply_url(service),
        },
    )


def _apply_url(service) -> str | None:
    """Where to apply online; None until the form engine offers the service (and its route)."""
    if not service.offers_online_submission:
        return None
    try:
        return reverse("forms:start", args=[service.slug])
    except NoReverseMatch:
        return None
