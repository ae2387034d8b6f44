"""English readers see the English names of areas, guidelines, fields of action, measures and
key figures wherever the strategy shows them (German as the fallback), German readers the
German ones."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rathaus.strategy.constants import (
    KpiDirection,
    KpiSource,
    KpiUnit,
    MeasureStatus,
    ProposalStatus,
)
from rathaus.strategy.models import (
    Area,
    FieldOfAction,
    Guideline,
    Kpi,
    KpiValue,
    MeasureDependency,
    MeasureProposal,
    Milestone,
    Strategy,
)
from rathaus.strategy.services import planning as planning_services
from rathaus.strategy.services.projects import project_start

from .factories import make_department, make_measure

pytestmark = pytest.mark.django_db

GERMAN = [
    "Umsetzung und Weiterentwicklung",
    "Koordination und Vernetzung",
    "Gemeinsam vernetzt",
    "Die Ämter stimmen sich ab.",
    "Digitale Akte",
    "Elektronische Akte einführen",
    "Alle Vorgänge digital.",
    "Anteil Online-Anträge",
    "Die Stadt ist digital.",
]
ENGLISH = [
    "Implementation and further development",
    "Coordination and networking",
    "Connected together",
    "The offices coordinate.",
    "Digital files",
    "Introduce electronic files",
    "All cases digital.",
    "Share of online applications",
    "The city is digital.",
]

GERMAN_OF = {**dict(zip(ENGLISH, GERMAN, strict=True)), "Follow-up": "Folgemaßnahme"}


@pytest.fixture
def bilingual(strategy_officer, caseworker):
    Strategy.objects.update_or_create(
        pk=1,
        defaults={
            "mission_statement": "Die Stadt ist digital.",
            "mission_statement_en": "The city is digital.",
        },
    )
    area = Area.objects.create(
        number=5, name="Umsetzung und Weiterentwicklung", name_en="Implementation and further development"
    )
    guideline = Guideline.objects.create(
        area=area,
        number=2,
        title="Koordination und Vernetzung",
        title_en="Coordination and networking",
        motto="Gemeinsam vernetzt",
        motto_en="Connected together",
        text="Die Ämter stimmen sich ab.",
        text_en="The offices coordinate.",
    )
    field = FieldOfAction.objects.create(
        code="HF-05", title="Digitale Akte", title_en="Digital files", area=area
    )
    field.guidelines.set([guideline])
    department = make_department()
    base = make_measure(
        field,
        department,
        title="Elektronische Akte einführen",
        title_en="Introduce electronic files",
        description="Alle Vorgänge digital.",
        description_en="All cases digital.",
        status=MeasureStatus.PLANNED,
        planned_start=dt.date(2026, 1, 1),
        planned_end=dt.date(2026, 12, 31),
        is_public=True,
    )
    other = make_measure(
        field, department, title="Folgemaßnahme", title_en="Follow-up", status=MeasureStatus.PLANNED
    )
    MeasureDependency.objects.create(measure=other, requires=base)
    project = project_start(base, lead=caseworker, status_reason="Start", actor=strategy_officer)
    Milestone.objects.create(
        project=project, title="Abnahme", due_on=timezone.localdate() - dt.timedelta(days=3)
    )
    kpi = Kpi.objects.create(
        key="online-share",
        name="Anteil Online-Anträge",
        name_en="Share of online applications",
        unit=KpiUnit.PERCENT,
        direction=KpiDirection.HIGHER_IS_BETTER,
        source=KpiSource.MANUAL,
        is_public=True,
    )
    KpiValue.objects.create(
        kpi=kpi,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 3, 31),
        value=Decimal("20"),
        source=KpiSource.MANUAL,
    )
    proposal = MeasureProposal.objects.create(
        title="Idee",
        description="Text",
        field_of_action=field,
        status=ProposalStatus.ACCEPTED,
        measure=base,
        department=department,
    )
    proposal.guidelines.set([guideline])
    plan = planning_services.plan_create(
        name="Plan",
        first_year=2027,
        last_year=2027,
        limits={2027: (Decimal(100000), 100)},
        actor=strategy_officer,
    )
    return {"base": base, "other": other, "project": project, "proposal": proposal, "plan": plan}


def _get(client, url, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _pages(data) -> dict[str, list[str]]:
    """Page → the English texts it must show (each also has a German counterpart)."""
    return {
        reverse("strategy:dashboard"): ENGLISH[0:1] + ENGLISH[4:6] + ENGLISH[7:8],
        reverse("strategy_public:index"): ENGLISH,
        reverse("strategy:project_detail", args=[data["project"].pk]): [*ENGLISH[0:1], *ENGLISH[4:7]],
        reverse("strategy:portfolio"): ENGLISH[5:6],
        reverse("strategy:project_edit", args=[data["project"].pk]): ENGLISH[5:6],
        reverse("strategy:project_start", kwargs={"measure_pk": data["other"].pk}): ["Follow-up"],
        reverse("strategy:measure_detail", args=[data["other"].pk]): ENGLISH[5:6],
        reverse("strategy:proposal_detail", args=[data["proposal"].pk]): [ENGLISH[1], ENGLISH[4], ENGLISH[5]],
        reverse("strategy:plan_entry", args=[data["plan"].pk, data["other"].pk]): ENGLISH[5:6],
    }


def test_english_readers_see_english_names_on_every_page(strategy_client, bilingual):
    for url, expected in _pages(bilingual).items():
        html = _get(strategy_client if "transparenz" not in url else Client(), url, "en")
        for english in expected:
            assert english in html, (url, english)
            assert GERMAN_OF[english] not in html, (url, english)


def test_german_readers_see_german_names(strategy_client, bilingual):
    for url in (reverse("strategy:dashboard"), reverse("strategy_public:index")):
        html = _get(strategy_client if "transparenz" not in url else Client(), url, "de")
        assert "Umsetzung und Weiterentwicklung" in html and "Digitale Akte" in html
        assert "Implementation and further development" not in html and "Digital files" not in html


def test_my_projects_in_english(caseworker_client, bilingual):
    html = _get(caseworker_client, reverse("strategy:my_projects"), "en")
    assert "Introduce electronic files" in html and "Elektronische Akte einführen" not in html


def test_a_missing_english_name_falls_back_to_german(strategy_client, bilingual):
    Area.objects.update(name_en="")
    html = _get(Client(), reverse("strategy_public:index"), "en")
    assert "5. Umsetzung und Weiterentwicklung" in html
