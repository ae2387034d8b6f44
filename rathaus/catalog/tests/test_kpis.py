"""Catalogue key figures: the share of published services online at a maturity level."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rathaus.catalog import kpis
from rathaus.catalog.models import Service
from rathaus.catalog.services import service_set_capabilities

pytestmark = pytest.mark.django_db


def test_share_online_is_zero_without_published_services(make_service):
    make_service(is_published=False)
    assert kpis.share_online(1) == Decimal("0")


def test_share_online_matches_a_count_by_hand(make_service):
    # 7 published services: 3 information, 1 form assistant, 2 fully online, 1 once only;
    # 2 unpublished ones with every flag must not count anywhere.
    for _ in range(3):
        make_service()
    service_set_capabilities(service=make_service(), offers_form_assistant=True)
    for _ in range(2):
        service_set_capabilities(
            service=make_service(), offers_online_submission=True, offers_online_notice=True
        )
    service_set_capabilities(
        service=make_service(),
        offers_online_submission=True,
        offers_online_notice=True,
        offers_once_only=True,
    )
    for _ in range(2):
        service_set_capabilities(
            service=make_service(is_published=False),
            offers_online_submission=True,
            offers_online_notice=True,
            offers_once_only=True,
        )
    levels = sorted(Service.objects.published().values_list("ozg_maturity", flat=True))
    assert levels == [1, 1, 1, 2, 3, 3, 4]
    assert kpis.share_online(0) == Decimal("1.0000")
    assert kpis.share_online(1) == Decimal("1.0000")
    assert kpis.share_online(2) == Decimal("0.5714")  # 4/7
    assert kpis.share_online(3) == Decimal("0.4286")  # 3/7
    assert kpis.share_online(4) == Decimal("0.1429")  # 1/7
    assert kpis.share_online() == kpis.share_online(3)
    assert isinstance(kpis.share_online(3), Decimal)


def test_demo_catalogue_is_honestly_at_level_one(demo_catalog):
    assert kpis.share_online(1) == Decimal("1.0000")
    assert kpis.share_online(2) == Decimal("0.0000")


@pytest.mark.parametrize("level", [-1, 5, "3", None])
def test_share_online_refuses_unknown_levels(db, level):
    with pytest.raises(ValueError):
        kpis.share_online(level)
