"""Status reports: what they freeze, all-or-nothing saving, double-click safety, comparison."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rathaus.core.models import AuditEntry
from rathaus.strategy.constants import (
    KpiDirection,
    KpiSource,
    KpiUnit,
    MeasureStatus,
    PlanStatus,
    TrafficLight,
)
from rathaus.strategy.models import (
    Area,
    Kpi,
    KpiTarget,
    KpiValue,
    Plan,
    PlanEntry,
    PlanYear,
    Project,
    StatusReport,
    Strategy,
    StrategyVersion,
)
from rathaus.strategy.services import reports
from rathaus.strategy.services.reports import report_body, status_report_compare, status_report_create

from .factories import make_field, make_guideline, make_measure

pytestmark = pytest.mark.django_db


def build_strategy():
    """A small strategy: two areas, three fields, measures in every status, a project, a KPI."""
    Strategy.objects.update_or_create(
        pk=1, defaults={"title": "E-Government-Strategie", "mission_statement": "Die Stadt ist digital."}
    )
    interaktion = Area.objects.create(number=1, name="Interaktion")
    dienste = Area.objects.create(number=2, name="Dienstleistungen")
    g1 = make_guideline(interaktion, title="Transparenz")
    g2 = make_guideline(dienste, title="Digital first")
    f1 = make_field(interaktion, [g1], title="Beteiligung")
    f2 = make_field(dienste, [g2], title="Online-Dienste")
    make_field(dienste, [g2], title="Leeres Feld")
    done = make_measure(f1, status=MeasureStatus.COMPLETED, title="Ratsinfo online", is_public=True)
    running = make_measure(f2, status=MeasureStatus.IN_PROGRESS, title="Hochzeitskalender", is_public=True)
    make_measure(f2, status=MeasureStatus.IN_PROGRESS, title="Kita-App")
    make_measure(f2, status=MeasureStatus.PLANNED, title="Bauantrag digital")
    make_measure(f2, status=MeasureStatus.DROPPED, title="Fax-Portal")
    project = Project.objects.create(
        measure=running,
        traffic_light=TrafficLight.GREEN,
        status_reason="Im Zeitplan.",
        progress_percent=30,
        budget_planned=Decimal("50000"),
        budget_spent=Decimal("12000"),
    )
    kpi = Kpi.objects.create(
        key="online-share",
        name="Anteil Online-Anträge",
        unit=KpiUnit.PERCENT,
        direction=KpiDirection.HIGHER_IS_BETTER,
        source=KpiSource.MANUAL,
        baseline_value=Decimal("10"),
        baseline_year=2023,
        is_public=True,
    )
    year = timezone.localdate().year
    KpiTarget.objects.create(kpi=kpi, year=year, value=Decimal("40"))
    KpiTarget.objects.create(kpi=kpi, year=year + 1, value=Decimal("60"))
    KpiValue.objects.create(
        kpi=kpi,
        period_start=dt.date(year - 1, 1, 1),
        period_end=dt.date(year - 1, 12, 31),
        value=Decimal("22.5"),
        source=KpiSource.MANUAL,
    )
    return {"done": done, "running": running, "project": project, "kpi": kpi, "fields": (f1, f2)}


@pytest.fixture
def strategy_data(db):
    return build_strategy()


def test_report_freezes_the_figures(strategy_officer, strategy_data):
    StrategyVersion.objects.create(number=3, label="Fortschreibung 2026")
    report = status_report_create(actor=strategy_officer)
    data = report.data
    assert report.as_of == timezone.localdate()
    assert report.strategy_version == 3 and data["strategy"]["version"] == 3
    assert data["strategy"]["mission_statement"] == "Die Stadt ist digital."
    assert [a["name"] for a in data["areas"]] == ["Interaktion", "Dienstleistungen"]
    assert data["areas"][0]["guidelines"][0]["title"] == "Transparenz"
    fields = {f["title"]: f["progress"] for a in data["areas"] for f in a["fields"]}
    assert fields["Beteiligung"]["percent"] == "100.0"
    # in progress with project 30, in progress without project 50, planned 0; dropped not counted
    assert fields["Online-Dienste"] == {
        "percent": str(Decimal("26.7")),
        "measures": 3,
        "by_status": {
            "candidate": 0,
            "planned": 1,
            "in_progress": 2,
            "completed": 0,
            "on_hold": 0,
            "dropped": 1,
        },
    }
    assert fields["Leeres Feld"]["percent"] is None
    kpi = data["kpis"][0]
    assert kpi["latest"]["value"] == "22.5000" and kpi["target"] == "40.0000"
    assert kpi["on_track"] is False
    assert len(kpi["series"]) == 1 and len(kpi["targets"]) == 2
    (project,) = data["projects"]
    assert (
        project["traffic_light"] == "green"
        and project["reason"] == "Im Zeitplan."
        and project["progress"] == 30
    )
    assert data["portfolio"]["budget_planned"] == "50000.00"
    assert data["plan"] is None
    assert AuditEntry.objects.filter(action=reports.REPORT_CREATED).count() == 1


def test_report_html_is_a_complete_german_document(strategy_officer, strategy_data):
    with translation.override("en"):
        report = status_report_create(actor=strategy_officer, title="Bericht <Ausschuss>")
    html = report.html
    assert html.startswith("<!DOCTYPE html>") and '<html lang="de">' in html
    assert "Bericht &lt;Ausschuss&gt;" in html and "<Ausschuss>" not in html
    for heading in (
        "1 Zusammenfassung",
        "2 Leitsätze",
        "3 Fortschritt nach Handlungsfeldern",
        "4 Kennzahlen",
        "5 Projekte",
        "6 Ausblick und Maßnahmenplan",
    ):
        assert heading in html
    assert 'role="img"' in html
    assert "● " in html  # the traffic light as symbol and word
    body = report_body(report)
    assert "<style" not in body and "1 Zusammenfassung" in body and "<h1" not in body


def test_report_default_title_and_past_date_leaves_out_later_values(strategy_officer, strategy_data):
    year = timezone.localdate().year
    report = status_report_create(actor=strategy_officer, as_of=dt.date(year - 1, 6, 30))
    assert report.data["kpis"][0]["latest"] is None
    assert report.data["kpis"][0]["target_year"] == year - 1
    assert "30.06." in report.title


def test_future_date_is_refused(strategy_officer, strategy_data):
    with pytest.raises(ValidationError) as info:
        status_report_create(actor=strategy_officer, as_of=timezone.localdate() + dt.timedelta(days=1))
    assert "as_of" in info.value.message_dict
    assert not StatusReport.objects.exists()


@pytest.mark.parametrize("as_of", [dt.date(1900, 1, 1), dt.date(1999, 12, 31)])
def test_implausibly_early_date_is_refused(strategy_officer, strategy_data, as_of):
    with translation.override("en"), pytest.raises(ValidationError) as info:
        status_report_create(actor=strategy_officer, as_of=as_of)
    assert info.value.message_dict["as_of"] == ["A status report cannot be dated before 1 Jan 2000."]
    assert not StatusReport.objects.exists()


def test_date_before_the_adoption_of_the_strategy_is_refused(strategy_officer, strategy_data):
    Strategy.objects.update_or_create(pk=1, defaults={"adopted_on": dt.date(2021, 3, 18)})
    with translation.override("de"), pytest.raises(ValidationError) as info:
        status_report_create(actor=strategy_officer, as_of=dt.date(2021, 3, 17))
    assert info.value.message_dict["as_of"] == [
        "Ein Statusbericht kann nicht vor dem Beschluss der Strategie durch den Stadtrat (18.03.2021) datiert werden."
    ]
    assert not StatusReport.objects.exists()
    report = status_report_create(actor=strategy_officer, as_of=dt.date(2021, 3, 18))
    assert report.as_of == dt.date(2021, 3, 18)


def test_only_the_strategy_office_creates_reports(leadership):
    with pytest.raises(PermissionDenied):
        status_report_create(actor=leadership)


def test_pdf_failure_saves_nothing(strategy_officer, strategy_data, monkeypatch, settings):
    def broken(html):
        raise RuntimeError("fonts gone")

    monkeypatch.setattr(reports, "render_pdf", broken)
    with pytest.raises(ValidationError) as info:
        status_report_create(actor=strategy_officer)
    assert (
        "no report was saved" in " ".join(info.value.messages)
        or _(
            "The PDF of the status report could not be produced, so no report was saved. Please try again later."
        )
        in info.value.messages
    )
    assert not StatusReport.objects.exists()
    assert not AuditEntry.objects.filter(action=reports.REPORT_CREATED).exists()
    media = settings.MEDIA_ROOT / "strategy" / "reports"
    assert not media.exists() or not any(media.iterdir())


def test_database_failure_removes_the_stored_pdf(strategy_officer, strategy_data, monkeypatch, settings):
    def broken(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(reports, "audit_record", broken)
    with pytest.raises(RuntimeError):
        status_report_create(actor=strategy_officer)
    assert not StatusReport.objects.exists()
    media = settings.MEDIA_ROOT / "strategy" / "reports"
    assert not media.exists() or not any(media.iterdir())


def test_same_token_twice_makes_one_report(strategy_officer, strategy_data):
    first = status_report_create(actor=strategy_officer, request_token="abc123")
    second = status_report_create(actor=strategy_officer, request_token="abc123")
    assert first.pk == second.pk
    assert StatusReport.objects.count() == 1
    third = status_report_create(actor=strategy_officer, request_token="other")
    assert third.pk != first.pk


def test_token_of_someone_else_is_refused(strategy_officer, second_strategy_officer, strategy_data):
    status_report_create(actor=strategy_officer, request_token="abc123")
    with pytest.raises(ValidationError):
        status_report_create(actor=second_strategy_officer, request_token="abc123")
    assert StatusReport.objects.count() == 1


def test_plan_summary_when_a_plan_is_adopted(strategy_officer, strategy_data):
    year = timezone.localdate().year
    plan = Plan.objects.create(
        name="Plan 2026–2028", first_year=year, last_year=year + 1, status=PlanStatus.ADOPTED
    )
    PlanYear.objects.create(plan=plan, year=year, budget=Decimal("100000"), capacity_person_days=200)
    PlanYear.objects.create(plan=plan, year=year + 1, budget=Decimal("80000"), capacity_person_days=150)
    PlanEntry.objects.create(plan=plan, measure=strategy_data["running"], start_year=year, start_quarter=2)
    report = status_report_create(actor=strategy_officer)
    plan_data = report.data["plan"]
    assert plan_data["name"] == "Plan 2026–2028"
    assert plan_data["years"][0] == {
        "year": year,
        "budget": "100000.00",
        "capacity": 200,
        "starting": 1,
        "investment": "10000.00",
    }
    assert plan_data["entries"][0]["code"] == strategy_data["running"].code
    assert "Plan 2026–2028" in report.html and "Maßnahmenplan nach Jahren" in report.html


def test_compare_detects_changed_traffic_light_kpi_status_and_progress(strategy_officer, strategy_data):
    first = status_report_create(actor=strategy_officer)
    project = strategy_data["project"]
    Project.objects.filter(pk=project.pk).update(traffic_light=TrafficLight.RED, progress_percent=45)
    kpi = strategy_data["kpi"]
    year = timezone.localdate().year
    KpiValue.objects.create(
        kpi=kpi,
        period_start=dt.date(year, 1, 1),
        period_end=timezone.localdate(),
        value=Decimal("41"),
        source=KpiSource.MANUAL,
    )
    planned = strategy_data["fields"][1].measures.get(status=MeasureStatus.PLANNED)
    planned.status = MeasureStatus.IN_PROGRESS
    planned.save()
    second = status_report_create(actor=strategy_officer)

    with translation.override("de"):
        comparison = status_report_compare(first, second)
        red = f"■ {TrafficLight.RED.label}"
        green = f"● {TrafficLight.GREEN.label}"
        assert comparison.has_changes
        lights = [c for c in comparison.projects if c.aspect == _("traffic light")]
        assert [(c.old, c.new) for c in lights] == [(green, red)]
        progress = [c for c in comparison.projects if c.aspect == _("progress")]
        assert len(progress) == 1 and progress[0].old.startswith("30") and progress[0].new.startswith("45")
        values = [c for c in comparison.kpis if c.aspect == _("latest value")]
        assert len(values) == 1 and values[0].old.startswith("22,5") and values[0].new.startswith("41")
        assert [c.aspect for c in comparison.kpis].count(_("on track")) == 1
        (status,) = comparison.measures
        assert status.subject.startswith(planned.code)
        fields = {c.subject.split(" ", 1)[1]: c for c in comparison.fields}
        assert "Online-Dienste" in fields and "Beteiligung" not in fields


def test_compare_same_report_has_no_changes(strategy_officer, strategy_data):
    report = status_report_create(actor=strategy_officer)
    comparison = status_report_compare(report, report)
    assert not comparison.has_changes


def test_compare_marks_items_only_in_one_report(strategy_officer, strategy_data):
    first = status_report_create(actor=strategy_officer)
    new = make_measure(strategy_data["fields"][0], title="Neue Maßnahme")
    second = status_report_create(actor=strategy_officer)
    (change,) = status_report_compare(first, second).measures
    assert change.subject == f"{new.code} Neue Maßnahme" and change.old == "—"
