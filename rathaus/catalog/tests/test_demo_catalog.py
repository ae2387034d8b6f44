"""The demo catalogue: complete, valid, and loaded idempotently by the demo loader."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rathaus.catalog.constants import FeeKind, OzgMaturity
from rathaus.catalog.models import LifeSituation, Service
from rathaus.demo import catalog_data, data
from rathaus.demo.catalog_data import load_catalog
from rathaus.demo.loader import load_demo
from rathaus.forms import definitions

pytestmark = pytest.mark.django_db

MUST_HAVE = {
    "trautermin-eheschliessung-anmelden": "Amt 34",
    "sportstaette-nutzen": "Amt 52",
    "bauantrag-digital": "Amt 63",
    "gartenkurs-anmelden": "Amt 67",
    "grillplatz-buchen": "Amt 67",
    "kita-platz-voranmelden": "Amt 45",
    "gastschulbeitrag": "Amt 40",
    "meldebescheinigung": "Amt 33",
    "hundesteuer-anmeldung": "Amt 20",
    "bewohnerparkausweis": "Amt 32",
    "sondernutzung-strasse": "Amt 66",
    "maengelmelder": "Amt 66",
}


def test_demo_catalogue_size(demo_catalog):
    assert demo_catalog["services"] == len(catalog_data.SERVICES) >= 28
    assert demo_catalog["life_situations"] == len(catalog_data.LIFE_SITUATIONS) >= 12
    assert Service.objects.published().count() == demo_catalog["services"]


@pytest.mark.parametrize(("slug", "department"), sorted(MUST_HAVE.items()))
def test_required_services_sit_with_the_right_department(demo_catalog, slug, department):
    assert Service.objects.get(slug=slug).department.code == department


def test_every_demo_service_is_valid_and_complete(demo_catalog):
    department_codes = {code for code, *_ in data.DEPARTMENTS}
    for entry in catalog_data.SERVICES:
        assert entry["department"] in department_codes, entry["slug"]
    for service in Service.objects.prefetch_related("life_situations"):
        service.full_clean()
        assert service.name_en and service.summary_en and service.description_en, service.slug
        assert service.description and service.legal_basis and service.keywords, service.slug
        assert bool(service.required_documents) == bool(service.required_documents_en), service.slug
        assert bool(service.fee_note) == bool(service.fee_note_en), service.slug
        assert service.channels, service.slug
        assert service.ozg_maturity == OzgMaturity.INFORMATION, service.slug  # no capabilities set


def test_leika_keys_are_unique_14_digit_numbers():
    keys = [entry["leika_key"] for entry in catalog_data.SERVICES]
    assert len(set(keys)) == len(keys)
    assert all(len(key) == 14 and key.isdigit() for key in keys)


def test_fee_kinds_are_mixed(demo_catalog):
    kinds = list(Service.objects.values_list("fee_kind", flat=True))
    assert kinds.count(FeeKind.RULE) >= 2
    assert kinds.count(FeeKind.FIXED) >= 5
    assert kinds.count(FeeKind.NONE) >= 5


def test_building_application_asks_for_plans(demo_catalog):
    documents = " ".join(Service.objects.get(slug="bauantrag-digital").document_list)
    assert "Lageplan" in documents and "Bauzeichnungen" in documents and "PDF" in documents


def test_second_load_writes_nothing(demo_catalog):
    before = list(Service.objects.order_by("pk").values_list("pk", "updated_at"))
    with CaptureQueriesContext(connection) as queries:
        again = load_catalog()
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert again == {"life_situations": 0, "services": 0}
    assert list(Service.objects.order_by("pk").values_list("pk", "updated_at")) == before
    assert LifeSituation.objects.count() == demo_catalog["life_situations"]


def test_demo_loader_counts_services_and_is_idempotent():
    first = load_demo()
    assert first["services"] == len(catalog_data.SERVICES)
    second = load_demo()
    assert second["services"] == 0
    assert set(second.values()) == {0}


def test_the_fee_note_is_shown_in_the_readers_language(demo_catalog, client):
    from django.urls import reverse

    url = reverse("catalog:service", args=["hundesteuer-anmeldung"])
    german = client.get(url).content.decode()
    assert "die Hundesteuer beträgt 100 € je Hund und Jahr" in german
    client.cookies["rathaus_language"] = "en"
    english = client.get(url).content.decode()
    assert "the dog tax is €100 per dog and year" in english
    assert "Hundesteuer beträgt" not in english


def _demo_service(slug: str) -> Service:
    entry = next(entry for entry in catalog_data.SERVICES if entry["slug"] == slug)
    return Service(slug=slug, fee_kind=entry["fee_kind"], fee_rule=entry.get("fee_rule") or {})


@pytest.mark.parametrize(
    "slug",
    [e["slug"] for e in catalog_data.SERVICES if e.get("fee_rule") and e["slug"] in definitions.names()],
)
def test_a_computed_fee_reads_only_answers_its_form_asks_for(slug):
    from rathaus.catalog.fees import rule_fields
    from rathaus.forms.engine import FormSpec

    asked = set(FormSpec.from_json(definitions.load(slug)).top_fields)
    assert rule_fields(_demo_service(slug).fee_rule) <= asked


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"regensburg_pass": "no"}, "15.00"),
        ({"regensburg_pass": "yes", "companions": [{"companion_first_name": "Ida"}]}, "10.00"),
        ({"regensburg_pass": "no", "companions": [{"companion_first_name": "Ida"}]}, "30.00"),
    ],
)
def test_garden_course_costs_15_euros_per_person_and_5_with_the_regensburg_pass(answers, expected):
    from decimal import Decimal

    from rathaus.catalog.fees import compute_fee

    assert compute_fee(_demo_service("gartenkurs-anmelden"), answers) == Decimal(expected)


def test_special_road_use_counts_the_days_between_its_dates():
    from decimal import Decimal

    from rathaus.catalog.fees import compute_fee

    service = _demo_service("sondernutzung-strasse")
    same_day = {"start_date": "2026-06-01", "end_date": "2026-06-01", "square_metres": 20, "days": 730}
    assert compute_fee(service, same_day) == Decimal("30.00")  # 1 day × 20 m² × 1.50 €
    week = {"start_date": "2026-06-01", "end_date": "2026-06-07", "square_metres": 20}
    assert compute_fee(service, week) == Decimal("210.00")
