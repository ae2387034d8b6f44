"""The council report's PDF, made from the demo strategy: a real PDF whose text holds every section
and each of the 17 guideline titles (issue 5), the dashboard with the demo data, and a comparison.

The demo is large, so few tests build it, each checking several things.
"""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from rathaus.strategy.constants import TrafficLight
from rathaus.strategy.models import Guideline, Kpi, KpiValue, Measure, Project
from rathaus.strategy.services.reports import status_report_compare, status_report_create

SECTIONS = (
    "1 Zusammenfassung",
    "2 Leitsätze",
    "3 Fortschritt nach Handlungsfeldern",
    "4 Kennzahlen",
    "5 Projekte",
    "6 Ausblick und Maßnahmenplan",
)


@pytest.fixture
def demo(db):
    """The demo city with its strategy (the loader needs the demo's staff), and one report."""
    from conftest import make_staff
    from rathaus.demo.loader import load_demo

    load_demo()
    officer = make_staff("bericht@stadt.example", "strategy_office")
    return {"officer": officer, "report": status_report_create(actor=officer)}


def pdf_text(data: bytes) -> str:
    reader = PdfReader(BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return text


def normalise(text: str) -> str:
    # line breaks and hyphenation inside long titles
    return re.sub(r"\s+", " ", text.replace("\u00ad", "").replace("-\n", "-"))


def test_pdf_holds_every_section_and_all_17_guideline_titles(demo):
    report = demo["report"]
    report.pdf.open("rb")
    data = report.pdf.read()
    assert data.startswith(b"%PDF")
    reader = PdfReader(BytesIO(data))
    assert len(reader.pages) >= 2
    text = normalise(pdf_text(data))
    for heading in SECTIONS:
        assert heading in text, heading
    titles = list(Guideline.objects.order_by("number").values_list("title", flat=True))
    assert len(titles) == 17
    for title in titles:
        assert normalise(title) in text, title
    assert report.as_of.strftime("%d.%m.%Y") in text
    if report.strategy_version:
        assert f"Version {report.strategy_version}" in text

    data = report.data
    assert sum(len(area["guidelines"]) for area in data["areas"]) == 17
    assert len(data["areas"]) == 5
    assert len(data["measures"]) == Measure.objects.count() >= 30
    assert len(data["projects"]) == Project.objects.count()
    assert len(data["kpis"]) == Kpi.objects.count()
    assert any(k["series"] for k in data["kpis"])
    html = report.html
    assert html.count('class="strategy-chart"') == Kpi.objects.count()
    assert "stroke-dasharray" in html  # the targets' dashed line
    for heading in SECTIONS:
        assert heading in html


def test_comparison_dashboard_and_public_page_with_the_demo(demo, strategy_client, client):
    first = demo["report"]
    project = Project.objects.exclude(traffic_light=TrafficLight.RED).order_by("pk").first()
    Project.objects.filter(pk=project.pk).update(traffic_light=TrafficLight.RED)
    value = (
        KpiValue.objects.filter(kpi__is_public=True).order_by("-period_end", "-period_start", "-pk").first()
    )
    KpiValue.objects.filter(pk=value.pk).update(value=value.value + 7)
    second = status_report_create(actor=demo["officer"])
    comparison = status_report_compare(first, second)
    assert any(c.subject.startswith(project.measure.code) and "■" in c.new for c in comparison.projects)
    assert any(c.subject == value.kpi.name for c in comparison.kpis)

    # the dashboard and the public page with the demo data
    response = strategy_client.get(reverse("strategy:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="strategy-chart"') == Kpi.objects.count()
    assert first.title in html

    response = client.get(reverse("strategy_public:index"))
    assert response.status_code == 200
    html = response.content.decode()
    for measure in Measure.objects.filter(is_public=False):
        assert f"{measure.code} {measure.title}" not in html
    for kpi in Kpi.objects.filter(is_public=False):
        assert kpi.name not in html
    leads = Project.objects.exclude(lead=None).select_related("lead")
    assert leads.exists()
    for project in leads:
        assert project.lead.get_full_name() not in html
        assert project.lead.email not in html
