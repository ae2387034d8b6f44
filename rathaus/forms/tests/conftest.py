"""Fixtures of the form engine tests: services of "Amt 32" with the example forms published."""

from __future__ import annotations

import pytest

from conftest import make_user
from rathaus.accounts.constants import TrustLevel
from rathaus.catalog.models import Service
from rathaus.forms.definitions import load
from rathaus.forms.engine import FillContext, FormSpec

from .helpers import publish


@pytest.fixture
def parking_service(department):
    return Service.objects.create(
        leika_key="99050012104000",
        slug="bewohnerparkausweis",
        name="Bewohnerparkausweis",
        summary="Parken in der Bewohnerzone",
        department=department,
        required_documents="Meldebescheinigung\nZulassungsbescheinigung",
        channels=["online", "counter"],
    )


@pytest.fixture
def defect_service(department):
    return Service.objects.create(
        leika_key="99000000000001",
        slug="maengelmelder",
        name="Mängelmelder",
        summary="Schäden melden",
        department=department,
        channels=["online"],
        allows_anonymous=True,
    )


@pytest.fixture
def parking_version(parking_service):
    return publish(parking_service, load("bewohnerparkausweis"))


@pytest.fixture
def defect_version(defect_service):
    return publish(defect_service, load("maengelmelder"))


@pytest.fixture
def parking_spec():
    return FormSpec.from_json(load("bewohnerparkausweis"))


@pytest.fixture
def defect_spec():
    return FormSpec.from_json(load("maengelmelder"))


@pytest.fixture
def ctx():
    return FillContext(user=None, trust_level=None, language="de")


@pytest.fixture
def eid_citizen(db):
    return make_user(
        "eid@example.org",
        first_name="Erika",
        last_name="Mustermann",
        street="Heidestraße 17",
        postal_code="51147",
        city="Köln",
        identity_trust_level=TrustLevel.HIGH,
    )


@pytest.fixture(autouse=True)
def _english_messages():
    """Service calls in tests speak English (message ids), whatever the catalogue holds."""
    from django.utils import translation

    with translation.override("en"):
        yield
