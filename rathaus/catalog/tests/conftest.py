"""Fixtures of the catalogue tests: the demo catalogue, and single services to shape."""

from __future__ import annotations

import pytest

from rathaus.accounts.models import Department
from rathaus.catalog.models import LifeSituation, Service
from rathaus.demo import data
from rathaus.demo.catalog_data import load_catalog


@pytest.fixture
def demo_departments(db) -> dict[str, Department]:
    departments: dict[str, Department] = {}
    for code, name, name_en, parent in data.DEPARTMENTS:
        departments[code] = Department.objects.create(
            code=code, name=name, name_en=name_en, parent=departments.get(parent)
        )
    return departments


@pytest.fixture
def demo_catalog(demo_departments) -> dict[str, int]:
    """The Regensburg demo catalogue, loaded as the demo loader does."""
    return load_catalog()


@pytest.fixture
def situation(db) -> LifeSituation:
    return LifeSituation.objects.create(slug="umzug", name="Umzug", name_en="Moving house")


@pytest.fixture
def make_service(department):
    """Build and save a service with sensible defaults; keyword arguments override them."""
    counter = iter(range(1, 10_000))

    def make(**fields) -> Service:
        number = next(counter)
        defaults = {
            "leika_key": f"9910800100{number:04d}",
            "slug": f"leistung-{number}",
            "name": f"Leistung {number}",
            "summary": "Kurzbeschreibung",
            "department": department,
            "channels": ["online"],
        }
        defaults.update(fields)
        return Service.objects.create(**defaults)

    return make
