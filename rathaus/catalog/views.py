"""Public pages of the service catalogue."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from rathaus.core.pagecache import anonymous_page_cache, render_with_slots

from . import selectors
from .fees import compute_fee
from .models import LifeSituation
from .search import catalog_version


@anonymous_page_cache(depends_on=catalog_version)
def catalog_index(request):
    query = request.GET.get("q", "").strip()[:200]
    if not query:
        context = {
            "title": _("Services from A to Z"),
            "query": query,
            "life_situations": selectors.life_situations_with_counts(),
            "services": selectors.public_services(),
        }
        return render(request, "catalog/index.html", context)
    results = selectors.services_matching(query)
    # Searches differ in their words, much less in what they find: the page of a search is
    # rendered once per result list and repeats each request's own words (core.pagecache).
    return render_with_slots(
        request,
        "catalog/_results.html" if request.htmx else "catalog/index.html",
        {"title": _("Search results"), "results": results},
        slots={"query": query, "page_path": request.get_full_path()},
        depends_on=(catalog_version(), tuple(service.pk for service in results)),
    )


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
