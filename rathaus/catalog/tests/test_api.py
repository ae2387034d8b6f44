"""Public read-only catalogue API and its place in the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from rathaus.catalog.models import Service

pytestmark = pytest.mark.django_db

SERVICES = "/api/v1/catalog/services/"


def test_list_without_query_is_alphabetical_and_published_only(client, demo_catalog):
    Service.objects.filter(slug="wohngeld").update(is_published=False)
    response = client.get(SERVICES)
    assert response.status_code == 200
    body = response.json()
    slugs = [item["slug"] for item in body["results"]]
    assert body["count"] == demo_catalog["services"] - 1
    assert "wohngeld" not in slugs
    names = [item["name"] for item in body["results"]]
    assert names == sorted(names)


def test_search_parken_finds_the_residents_parking_permit_first(client, demo_catalog):
    response = client.get(SERVICES, {"q": "parken"})
    assert response.status_code == 200
    first = response.json()["results"][0]
    assert first["slug"] == "bewohnerparkausweis"
    assert first["leika_key"] == "99108001001000"
    assert first["department"] == "Amt 32"
    assert first["fee_kind"] == "rule"
    assert first["fee"] == "30.00"
    assert first["channels"] == ["online", "counter", "post"]
    assert first["ozg_maturity"] == 1
    assert "auto-und-verkehr" in first["life_situations"]


def test_search_auto_finds_vehicle_services(client, demo_catalog):
    slugs = [item["slug"] for item in client.get(SERVICES, {"q": "auto"}).json()["results"]]
    assert set(slugs[:2]) == {"kfz-zulassung", "kfz-ausserbetriebsetzung"}


def test_search_nonsense_and_empty(client, demo_catalog):
    assert client.get(SERVICES, {"q": "xyzzy"}).json()["results"] == []
    assert client.get(SERVICES, {"q": ""}).json()["count"] == demo_catalog["services"]


@pytest.mark.parametrize("query", ["x" * 10_000, "'; DROP TABLE catalog_service; --", "<b>parken</b>"])
def test_search_survives_hostile_queries(client, demo_catalog, query):
    assert client.get(SERVICES, {"q": query}).status_code == 200


def test_search_costs_a_fixed_number_of_queries(client, demo_catalog, django_assert_max_num_queries):
    client.get(SERVICES, {"q": "umzug"})  # warm the index
    with django_assert_max_num_queries(3):
        response = client.get(SERVICES, {"q": "umzug"})
    assert len(response.json()["results"]) >= 3


def test_detail(client, demo_catalog):
    response = client.get(reverse("api-service-detail", args=["hundesteuer-anmeldung"]))
    assert response.status_code == 200
    body = response.json()
    assert body["department"] == "Amt 20"
    assert body["fee"] is None
    assert body["ozg_maturity_label"]


def test_unpublished_service_is_404_in_the_api(client, demo_catalog):
    service = Service.objects.get(slug="wohngeld")
    service.is_published = False
    service.save()
    assert client.get(reverse("api-service-detail", args=["wohngeld"])).status_code == 404
    assert client.get(SERVICES, {"q": "Wohngeld"}).json()["results"] == []


def test_life_situations(client, demo_catalog):
    body = client.get(reverse("api-life-situations")).json()
    assert body["count"] == demo_catalog["life_situations"]
    assert body["results"][0]["slug"] == "umzug"


def test_api_is_read_only(client, demo_catalog):
    assert client.post(SERVICES, {"slug": "x"}).status_code in (403, 405)
    assert client.delete(reverse("api-service-detail", args=["wohngeld"])).status_code in (403, 405)


def test_catalog_endpoints_are_in_the_schema(client):
    response = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.content.decode()
    assert "/api/v1/catalog/services/" in schema
    assert "/api/v1/catalog/services/{slug}/" in schema
    assert "/api/v1/catalog/life-situations/" in schema
    assert "search words" in schema  # the q parameter is documented


@pytest.mark.parametrize("language", ["de", "en"])
def test_hand_written_representation_equals_the_fields_for_every_demo_service(demo_catalog, language):
    """``ServiceSerializer.to_representation`` is written out for speed; it must say exactly what
    the declared and model fields would (the schema is made from them)."""
    from rest_framework import serializers

    from rathaus.catalog.api import ServiceSerializer

    services = Service.objects.select_related("department").prefetch_related("life_situations")
    assert services.count() >= 25
    with translation.override(language):
        for service in services:
            fast = ServiceSerializer(service).data
            by_fields = serializers.ModelSerializer.to_representation(ServiceSerializer(), service)
            assert fast == dict(by_fields), service.slug
            assert list(fast) == list(by_fields), service.slug


def test_search_answers_in_each_language_and_follows_a_catalogue_change(client, demo_catalog):
    """A search answers with the index's shared service objects, which keep their
    representation per language: a second language and a changed service must still show."""
    german = client.get(SERVICES, {"q": "hundesteuer"}).json()["results"][0]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(SERVICES, {"q": "hundesteuer"}).json()["results"][0]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    assert german["slug"] == english["slug"] == "hundesteuer-anmeldung"
    assert german["ozg_maturity_label"] != english["ozg_maturity_label"]
    with translation.override("en"):
        assert english["ozg_maturity_label"] == str(
            Service.objects.get(slug="hundesteuer-anmeldung").get_ozg_maturity_display()
        )
    service = Service.objects.get(slug="hundesteuer-anmeldung")
    service.summary = "Hunde in Regensburg anmelden, neu beschrieben"
    service.save()
    again = client.get(SERVICES, {"q": "hundesteuer"}).json()["results"][0]
    assert again["summary"] == "Hunde in Regensburg anmelden, neu beschrieben"
