"""Read queries of the catalogue."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from rathaus.accounts.models import Department

from .models import LifeSituation, Service
from .search import search_services


def public_services() -> QuerySet[Service]:
    return Service.objects.published().select_related("department")


def services_matching(query: str) -> list[Service]:
    """Published services for a search, best first (from the in-memory index, no query)."""
    return search_services(query)


def life_situations_with_counts() -> QuerySet[LifeSituation]:
    return LifeSituation.objects.annotate(
        service_count=Count("services", filter=Q(services__is_published=True))
    ).filter(service_count__gt=0)


def departments_with_services() -> QuerySet[Department]:
    return (
        Department.objects.annotate(service_count=Count("services", filter=Q(services__is_published=True)))
        .filter(service_count__gt=0)
        .prefetch_related(Prefetch("services", queryset=Service.objects.published().order_by("name")))
    )


def published_service(slug: str) -> Service | None:
    return public_services().prefetch_related("life_situations").filter(slug=slug).first()
