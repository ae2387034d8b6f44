"""The public transparency page and the public API: only what is marked public, no person."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from rathaus.strategy.constants import KpiDirection, KpiSource, KpiUnit, MeasureStatus
from rathaus.strategy.models import Kpi, KpiValue, Milestone, Project

from .test_reports import build_strategy

pytestmark = pytest.mark.django_db

LEAD_FIRST, LEAD_LAST = "Wilhelmine", "Zwetschgenbaum"


@pytest.fixture
def sample(db, strategy_officer):
    data = build_strategy()
    from conftest import make_staff

    lead = make_staff("lead@stadt.example", "strategy_office", first_name=LEAD_FIRST, last_name=LEAD_LAST)
    Project.objects.filter(pk=data["project"].pk).update(
        lead=lead, status_reason=f"Frau {LEAD_LAST} ist im Urlaub.", budget_planned=Decimal("987654")
    )
    Milestone.objects.create(
        project=data["project"], title="Geheimer Meilenstein", due_on=dt.date(2020, 1, 1)
    )
    secret = Kpi.objects.create(
        key="internal-hours",
        name="Interne Überstunden",
        unit=KpiUnit.HOURS,
        direction=KpiDirection.LOWER_IS_BETTER,
        source=KpiSource.MANUAL,
        is_public=False,
    )
    KpiValue.objects.create(
        kpi=data["kpi"],
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 3, 31),
        value=Decimal("17.25"),
        source=KpiSource.MANUAL,
        recorded_by=lead,
    )
    data["secret_kpi"] = secret
    return data


def test_public_page_for_anonymous_visitors(sample):
    response = Client().get(reverse("strategy_public:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Die Stadt ist digital." in html  # mission
    assert "Transparenz" in html and "Digital first" in html  # guidelines
    assert "Beteiligung" in html and "Online-Dienste" in html  # fields of action
    assert "Ratsinfo online" in html and "Hochzeitskalender" in html  # public measures
    assert "Anteil Online-Anträge" in html and 'class="strategy-chart"' in html  # public KPI with chart
    assert _("Data as a table") in html and "17,25" in html
    assert _("As of:") in html and formats.date_format(timezone.localdate(), "DATE_FORMAT") in html
    assert str(MeasureStatus.COMPLETED.label) in html


def test_public_page_hides_what_is_not_public(sample):
    html = Client().get(reverse("strategy_public:index")).content.decode()
    for hidden in (
        "Kita-App",
        "Bauantrag digital",
        "Fax-Portal",
        "Interne Überstunden",
        "Geheimer Meilenstein",
    ):
        assert hidden not in html
    # no person names, not even in a status reason; no internal costs
    for person in (LEAD_FIRST, LEAD_LAST, "Sam Staff", "strategie@stadt.example"):
        assert person not in html
    assert "987" not in html and "50.000" not in html
    assert _("No costs are published here") in html or "Kosten" in html


def test_public_page_for_logged_in_people_is_the_same(citizen_client, caseworker_client, sample):
    for client in (citizen_client, caseworker_client):
        html = client.get(reverse("strategy_public:index")).content.decode()
        assert "Hochzeitskalender" in html and "Kita-App" not in html


def test_public_page_with_empty_strategy(db):
    response = Client().get(reverse("strategy_public:index"))
    assert response.status_code == 200
    assert _("No measures have been published yet.") in response.content.decode()


def test_footer_links_the_public_page(db):
    html = Client().get(reverse("core:home")).content.decode()
    assert reverse("strategy_public:index") in html


# --- API ----------------------------------------------------------------------------------------


def test_api_measures_only_public(sample):
    response = Client().get(reverse("strategy_api:public-measures"))
    assert response.status_code == 200
    codes = [m["title"] for m in response.json()]
    assert codes == ["Ratsinfo online", "Hochzeitskalender"]
    running = response.json()[1]
    assert running["project"] == {
        "traffic_light": "green",
        "traffic_light_label": str(running["project"]["traffic_light_label"]),
        "progress_percent": 30,
    }
    text = response.content.decode()
    for hidden in (LEAD_LAST, "987654", "Kita-App", "status_reason", "budget"):
        assert hidden not in text


def test_api_kpis_only_public(sample):
    response = Client().get(reverse("strategy_api:public-kpis"))
    assert response.status_code == 200
    (kpi,) = response.json()
    assert kpi["key"] == "online-share"
    assert [v["value"] for v in kpi["values"]] == ["17.2500", "22.5000"]
    assert len(kpi["targets"]) == 2
    assert "recorded_by" not in response.content.decode() and LEAD_LAST not in response.content.decode()


def test_api_overview(sample):
    response = Client().get(reverse("strategy_api:public-overview"))
    assert response.status_code == 200
    data = response.json()
    assert data["mission_statement"] == "Die Stadt ist digital."
    assert [a["name"] for a in data["areas"]] == ["Interaktion", "Dienstleistungen"]
    fields = {f["title"]: f["progress"] for a in data["areas"] for f in a["fields_of_action"]}
    # only the public measure counts: Hochzeitskalender, in progress at 30 %
    assert fields["Online-Dienste"] == {"percent": "30.0", "measures": 1}
    assert data["areas"][0]["guidelines"][0]["title"] == "Transparenz"


def test_api_is_in_the_openapi_schema(db):
    response = Client().get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for name in ("public-overview", "public-measures", "public-kpis"):
        assert reverse(f"strategy_api:{name}") in paths
    operation = paths[reverse("strategy_api:public-measures")]["get"]
    assert operation["tags"] == ["strategy"]
