"""The Regensburg demo of the strategy cockpit (rathaus/demo/strategy_data.py): the council paper's
guidelines word for word, a consistent set of fields of action, measures, scores, projects, key
figures, plan and versions, loaded idempotently by the demo loader.

The demo is loaded once for the module inside a transaction that is rolled back afterwards; each
test runs in its own savepoint.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.db import transaction

from rathaus.demo import strategy_data as data
from rathaus.demo.loader import load_demo
from rathaus.strategy.constants import MeasureStatus, TrafficLight
from rathaus.strategy.graph import find_cycle
from rathaus.strategy.models import (
    Area,
    Criterion,
    FieldOfAction,
    Guideline,
    Kpi,
    Measure,
    MeasureDependency,
    MeasureProposal,
    Milestone,
    Plan,
    Project,
    Score,
    Strategy,
    StrategyVersion,
)

AS_OF = data.STATUS_AS_OF

# The council paper (text extraction of VO/21/17690/16, a public document), kept in the repository.
SEED = (
    Path(__file__).resolve().parents[3]
    / "docs"
    / "sources"
    / "regensburg-vo-21-17690-16-e-government-leitsaetze.txt"
)

# The text-extraction glitches of the paper that the demo mends (and nothing else).
GLITCH_FIXES = [
    ("Rahmenbedingungenr die", "Rahmenbedingungen für die"),
    ("Informationssicherheits-beauftragten", "Informationssicherheitsbeauftragten"),
    ("Arbeitsalltag der Beschäftigen", "Arbeitsalltag der Beschäftigten"),
    ("Ressourcen hren", "Ressourcen führen"),
    ("\xa0", " "),
]

TITLES = [
    "Kommunikation",
    "Koordination und Vernetzung",
    "Partizipation",
    "Verfügbarkeit und Qualität",
    "Transparenz",
    "Ausstattung und Ausbildung",
    "Digitales Verständnis",
    "Standards",
    "Wissensmanagement",
    "Arbeitsumgebung",
    "Durchgängige Prozesse",
    "Datenschutz, Informationssicherheit und Datensouveränität",
    "Ausstattung mit IuK-Technologie",
    "Strategischer Handlungsrahmen",
    "Projektmanagement",
    "Effizienz und Nachhaltigkeit",
    "Monitoring und Evaluation",
]

# The mottos as the extracted paper has them: the opening quotation mark got lost.
RAW_MOTTOS = [
    "Zielgruppengerecht informieren und kommunizieren“",
    "Rahmenbedingungen zur digitalen Weiterentwicklung schaffen“",
    "Nutzer in den Fokus nehmen und beteiligen“",
    "So digital wie sinnvoll möglich, so analog wie nötig“",
    "Informationen und Daten bereitstellen“",
    "Beschäftigte fortbilden, ausstatten und unterstützen“",
    "Beschäftigte mitnehmen und aktiv einbinden“",
    "IuK-Infrastruktur vereinheitlichen“",
    "Daten und Wissen miteinander teilen“",
    "Rahmenbedingungen für modernes Arbeiten schaffen“",
    "Organisationsstrukturen weiterentwickeln“",
    "Datenschutz und Informationssicherheit gewährleisten“",
    "Zukunftsfähige IuK-Infrastruktur bereitstellen“",
    "Politisch gewünschten Handlungsrahmen schaffen“",
    "Umsetzung aktiv und flexibel steuern“",
    "Anreize setzen“",
    "Fortschritte überwachen und Erfolge berichten“",
]

# One sentence per guideline copied from the extracted paper, glitches included.
RAW_SAMPLES = {
    1: "Zu diesem Zweck wählt sie zielgruppengerechte, zweckmäßige und digital unterstützte Kommunikationskanäle und Austauschmöglichkeiten.",
    2: "Die Stadt Regensburg bietet adäquate Rahmenbedingungenr die Schaffung weiterer digitaler Angebote durch die Akteure der Stadtgesellschaft.",
    3: "Die Einbindung erfolgt auf verschiedenen analogen und digitalen Kanälen, Plattformen und Portalen, um möglichst viele Bevölkerungsgruppen bzw. Beschäftigte zu erreichen.",
    4: "Die Stadt Regensburg erfüllt alle relevanten regulatorischen Vorgaben (z. B. des OZG) und verfolgt darüber hinaus das Ziel, ihre Dienstleistungen immer dann digital zu erstellen und anzubieten, wenn dies möglich und unter Berücksichtigung einer Aufwand-/ Nutzenabwägung wirtschaftlich sinnvoll ist.",
    5: "Sie unterstützt den wechselseitigen Wissensaustausch durch eine aktive Ansprache möglicher Interessengruppen sowie frei zugängliche Open Data-Angebote.",
    6: "Eine konstruktive Fehlerkultur ermöglicht es, Verbesserungsideen aus der Praxis heraus zu entwickeln.",
    7: "entwickelt die digitalen Kompetenzen fort und sichert damit dauerhaft die Akzeptanz der digitalen Leistungserbringung und -bereitstellung.",
    8: "Ein höchstmögliches Maß an Standardisierung bei der Systeminfrastruktur, der Hard- und Software und bei den zugrundeliegenden Kernprozessen sorgt für eine homogene und schnittstellenarme Arbeitsumgebung",
    9: "Die Bereitstellung und Verarbeitung von Daten und Informationen sind redundanzfrei und transparent geregelt.",
    10: "Die Digitalisierung macht im Arbeitsalltag der Beschäftigen Verbesserungen in Bezug auf deren Mobilität und Innovationskraft möglich.",
    11: "In diesem Sinne geht die organisatorische Neuausrichtung (Prozessoptimierung) einer Weiterentwicklung der Anwendungssysteme voraus und berücksichtigt dabei die Möglichkeiten und Grenzen dieser Systeme.",
    12: "Die gesetzlichen Regelungen zum Datenschutz, zur Informationssicherheit und zur Datensouveränität sind durch die Vorgaben der Datenschutz- und Informationssicherheits-beauftragten ergänzt",
    13: "Die Informations- und Kommunikationsarchitektur folgt der IT-Strategie der Stadt Regensburg und bildet die Grundlage für die technische Ausstattung der Verwaltung.",
    14: "Sie ermöglicht die Priorisierung der Maßnahmen und bietet in Zweifelsfällen eine praktische Entscheidungsgrundlage.",
    15: "Dabei können auch Methoden des agilen Projektmanagements zum Einsatz kommen.",
    16: "zu einer wirtschaftlicheren Leistungserbringung und zu einem nachhaltigeren Umgang mit Ressourcen hren.",
    17: "Grundlage hierfür ist ein strategisches Controlling anhand zuvor festgelegter, ziel- und leistungsbezogener Kennzahlen.",
}

PROVIDERS = {
    "catalog.share_ozg3": ("percent", "higher"),
    "catalog.share_ozg4": ("percent", "higher"),
    "cases.channel_share_online": ("percent", "higher"),
    "cases.channel_share_counter": ("percent", "lower"),
    "cases.channel_share_post": ("percent", "lower"),
    "cases.channel_share_phone": ("percent", "lower"),
    "cases.median_processing_days": ("days", "lower"),
    "booking.share_online_bookings": ("percent", "higher"),
}


def mend(text: str) -> str:
    for glitch, fix in GLITCH_FIXES:
        text = text.replace(glitch, fix)
    return text


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The whole Regensburg demo, loaded once for the module and rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        created = load_demo()
        yield created
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


# --- the paper ------------------------------------------------------------------------------------


def test_strategy_holds_the_papers_mission_and_resolution(demo):
    strategy = Strategy.objects.get()
    assert strategy.title == "E-Government-Strategie der Stadt Regensburg"
    assert strategy.mission_statement == (
        "„Die Stadt Regensburg nutzt die Möglichkeiten des E-Governments, um ihre Dienstleistungen "
        "kundenorientierter auszugestalten und effizienter auszuführen.“"
    )
    assert strategy.council_reference == "VO/21/17690/16"
    assert strategy.adopted_on.isoformat() == "2021-03-18"
    assert strategy.mission_statement_en


def test_the_17_guidelines_are_the_papers_in_its_five_areas(demo):
    areas = list(Area.objects.order_by("number"))
    assert [a.name for a in areas] == [
        "Interaktion",
        "Dienstleistungen",
        "Leistungserbringung",
        "Leistungsunterstützung",
        "Umsetzung und Weiterentwicklung der E-Government-Strategie",
    ]
    assert [a.guidelines.count() for a in areas] == [3, 2, 6, 2, 4]
    guidelines = list(Guideline.objects.order_by("number"))
    assert [g.number for g in guidelines] == list(range(1, 18))
    assert [g.title for g in guidelines] == TITLES
    for guideline, raw in zip(guidelines, RAW_MOTTOS, strict=True):
        assert guideline.motto == "„" + raw
        assert guideline.title_en and guideline.motto_en.startswith("“") and guideline.text_en
    assert all(a.summary and a.summary_en for a in areas)


def test_guideline_texts_are_the_papers_words_with_only_the_glitches_mended(demo):
    texts = dict(Guideline.objects.values_list("number", "text"))
    for number, raw in RAW_SAMPLES.items():
        assert mend(raw) in texts[number], number
    everything = "\n".join(texts.values())
    for glitch, _fix in GLITCH_FIXES:
        assert glitch not in everything
    # paragraphs are kept, separated by a blank line
    assert texts[3].count("\n\n") == 2
    assert texts[4].count("\n\n") == 3
    assert texts[15].count("\n\n") == 2


def test_every_paragraph_appears_in_the_council_paper(demo):
    """Stronger than the samples: mottos, texts, area introductions and the mission statement are
    all found in the extracted paper once its glitches are mended."""
    paper = mend(SEED.read_text(encoding="utf-8"))
    for guideline in Guideline.objects.all():
        assert guideline.title in paper
        assert guideline.motto.removeprefix("„") in paper, guideline.number
        for paragraph in guideline.text.split("\n\n"):
            assert paragraph in paper, paragraph[:60]
    for area in Area.objects.all():
        for paragraph in area.summary.split("\n\n"):
            assert paragraph in paper, paragraph[:60]
    assert Strategy.objects.get().mission_statement.removeprefix("„") in paper


# --- fields of action and measures ------------------------------------------------------------------


def test_fields_of_action_derive_from_guidelines(demo):
    fields = list(FieldOfAction.objects.prefetch_related("guidelines"))
    assert 10 <= len(fields) <= 14
    assert [f.code for f in fields] == [f"HF-{n:02d}" for n in range(1, len(fields) + 1)]
    for field in fields:
        assert field.guidelines.exists(), field.code
        assert field.description and field.title_en
    # every guideline is taken up by at least one field of action
    assert not Guideline.objects.filter(fields_of_action__isnull=True).exists()


def test_measures_are_complete_and_include_the_papers_projects(demo):
    measures = list(Measure.objects.prefetch_related("guidelines", "services"))
    assert len(measures) >= 34
    titles = {m.title for m in measures}
    for title in data.NAMED_PROJECTS:
        assert title in titles, title
    for measure in measures:
        assert measure.guidelines.exists(), measure.code
        assert measure.description and measure.expected_benefit and measure.risks, measure.code
        assert measure.department.code in {code for code, *_rest in _demo_departments()}
        assert measure.effort_person_days > 0 and measure.investment_cost > 0
        assert 1 <= measure.duration_quarters <= 20
        if measure.is_mandatory:
            assert measure.legal_basis, measure.code
    assert sum(m.guidelines.count() >= 2 for m in measures) >= 0.9 * len(measures)
    # the catalogue services named in the demo data all exist and are linked
    linked = sum(m.services.count() for m in measures)
    assert linked == sum(len(spec.get("services", ())) for spec in data.MEASURES)
    statuses = {m.status for m in measures}
    assert statuses == set(MeasureStatus.values)
    public = sum(m.is_public for m in measures)
    assert 0 < len(measures) - public < public
    legal_bases = " ".join(m.legal_basis for m in measures)
    for law in ("OZG", "E-Rechnung", "BayDiG", "Informationssicherheit"):
        assert law in legal_bases, law
    assert {"M-08", "M-09", "M-10", "M-15"} <= {m.code for m in measures if m.is_mandatory}


def _demo_departments():
    from rathaus.demo.data import DEPARTMENTS

    return DEPARTMENTS


def test_the_papers_running_projects_are_in_progress_or_completed(demo):
    by_title = {m.title: m for m in Measure.objects.filter(title__in=data.NAMED_PROJECTS)}
    for title in ("Online-Traukalender", "Sportstättenmanagement mit Online-Belegungsplänen", "Kita-App"):
        assert by_title[title].status in (MeasureStatus.IN_PROGRESS, MeasureStatus.COMPLETED)


def test_statuses_fit_their_dates(demo):
    for m in Measure.objects.all():
        if m.status == MeasureStatus.COMPLETED:
            assert m.planned_end <= AS_OF, m.code
        elif m.status == MeasureStatus.IN_PROGRESS:
            assert m.planned_start <= AS_OF <= m.planned_end, m.code
        elif m.status == MeasureStatus.PLANNED:
            assert m.planned_start > AS_OF, m.code
        else:
            assert m.planned_start is None and m.planned_end is None, m.code


def test_dependencies_have_no_cycle_and_respect_status_and_dates(demo):
    links = list(MeasureDependency.objects.select_related("measure", "requires"))
    assert len(links) >= 15
    edges: dict[str, list[str]] = {}
    for link in links:
        edges.setdefault(link.measure.code, []).append(link.requires.code)
    assert find_cycle(edges) is None
    for link in links:
        measure, required = link.measure, link.requires
        if measure.status in (MeasureStatus.IN_PROGRESS, MeasureStatus.COMPLETED):
            assert required.status == MeasureStatus.COMPLETED, (measure.code, required.code)
        if measure.planned_start and required.planned_end:
            assert required.planned_end < measure.planned_start, (measure.code, required.code)
    # the examples the brief names: the E-Akte before the digital building application, BundID
    # before several online services
    assert "M-14" in edges["M-04"]
    assert sum("M-10" in requires for requires in edges.values()) >= 4


# --- proposals and the utility analysis -----------------------------------------------------------------


def test_proposals_show_every_decision_and_the_citizen_seam(demo):
    proposals = {p.title: p for p in MeasureProposal.objects.select_related("measure")}
    statuses = [p.status for p in proposals.values()]
    assert statuses.count("submitted") >= 2
    accepted = [p for p in proposals.values() if p.status == "accepted"]
    assert len(accepted) == 1 and accepted[0].measure.origin == "department"
    rejected = [p for p in proposals.values() if p.status == "rejected"]
    assert len(rejected) == 1 and rejected[0].decision_reason and rejected[0].decided_by
    merged = [p for p in proposals.values() if p.status == "merged"]
    assert len(merged) == 1 and merged[0].measure and merged[0].decision_reason
    idea = MeasureProposal.objects.get(external_reference="participation:idea:demo-1")
    assert idea.origin == "citizen" and idea.department is None and idea.status == "submitted"


def test_criteria_weights_add_up_to_100(demo):
    criteria = list(Criterion.objects.filter(is_active=True))
    assert len(criteria) == 6
    assert sum(c.weight for c in criteria) == Decimal(100)
    assert {c.key for c in criteria if c.direction == "lower"} == {"kosten", "risiko"}
    assert all((c.scale_min, c.scale_max) == (0, 5) for c in criteria)


def test_three_evaluators_score_every_open_measure_and_sometimes_disagree(demo):
    open_measures = Measure.objects.filter(status__in=[MeasureStatus.CANDIDATE, MeasureStatus.PLANNED])
    expected = open_measures.count() * 6 * 3
    scores = Score.objects.filter(measure__in=open_measures)
    assert scores.count() == expected == Score.objects.count()
    assert set(scores.values_list("evaluator__email", flat=True)) == set(data.EVALUATORS)
    assert all(0 <= v <= 5 for v in scores.values_list("value", flat=True))
    spreads = {}
    for measure_id, criterion_id, value in scores.values_list("measure_id", "criterion_id", "value"):
        spreads.setdefault((measure_id, criterion_id), []).append(value)
    wide = [key for key, values in spreads.items() if max(values) - min(values) >= 3]
    assert len(wide) >= 3
    # mandatory measures are scored 5 on the legal obligation by everyone
    legal = scores.filter(criterion__key="rechtspflicht", measure__is_mandatory=True)
    assert set(legal.values_list("value", flat=True)) == {5}


# --- projects ---------------------------------------------------------------------------------------


def test_measures_in_progress_or_completed_are_projects_with_traffic_lights(demo):
    running = Measure.objects.filter(status__in=[MeasureStatus.IN_PROGRESS, MeasureStatus.COMPLETED])
    assert Project.objects.count() == running.count()
    lights = list(Project.objects.values_list("traffic_light", flat=True))
    assert lights.count(TrafficLight.RED) == 1
    assert lights.count(TrafficLight.AMBER) == 2
    for project in Project.objects.select_related("measure", "lead"):
        assert project.lead and project.status_reason, project.measure.code
        assert 2 <= project.milestones.count() <= 4, project.measure.code
        assert project.budget_planned == project.measure.investment_cost
        if project.measure.status == MeasureStatus.COMPLETED:
            assert project.progress_percent == 100 and project.phase == "completed"
            assert not project.milestones.filter(completed_on__isnull=True).exists()
    overdue = Milestone.objects.filter(completed_on__isnull=True, due_on__lt=AS_OF)
    assert overdue.count() == 1
    assert overdue.get().project.traffic_light == TrafficLight.RED
    red = Project.objects.get(traffic_light=TrafficLight.RED)
    assert red.log.filter(field="traffic_light", new_value="red").exists()
    assert Project.objects.filter(log__isnull=False).distinct().count() >= 3


# --- key figures ------------------------------------------------------------------------------------


def test_computed_key_figures_name_the_registered_providers(demo):
    computed = Kpi.objects.filter(source="computed")
    assert {k.provider_key: (k.unit, k.direction) for k in computed} == PROVIDERS
    for kpi in computed:
        assert kpi.baseline_year == 2021 and kpi.baseline_value is not None
        assert set(kpi.targets.values_list("year", flat=True)) == {2026, 2027, 2028, 2029, 2030}
    # the channel targets of each year add up to the whole
    channels = computed.filter(provider_key__startswith="cases.channel_share_")
    for year in range(2026, 2031):
        assert sum(k.targets.get(year=year).value for k in channels) == 100
    assert sum(k.baseline_value for k in channels) == 100


def test_manual_key_figures_carry_values_recorded_by_the_strategy_office(demo):
    manual = Kpi.objects.filter(source="manual")
    assert manual.count() >= 5
    with_values = [k for k in manual if k.values.exists()]
    assert len(with_values) >= 5
    for kpi in with_values:
        years = {v.period_start.year for v in kpi.values.all()}
        assert years <= set(range(2021, 2026))
        assert set(kpi.values.values_list("recorded_by__email", flat=True)) == {data.STRATEGY_OFFICE}
    assert Kpi.objects.filter(key="it-sicherheitsvorfaelle", direction="lower", is_public=False).exists()
    kpis = list(Kpi.objects.prefetch_related("guidelines"))
    assert sum(k.is_public for k in kpis) > len(kpis) / 2
    assert all(k.field_of_action_id and k.guidelines.exists() for k in kpis)


# --- plan and versions ------------------------------------------------------------------------------


def test_plan_years_hold_the_mandatory_measures_but_not_everything(demo):
    plan = Plan.objects.get(name="Maßnahmenplan 2027–2030")
    assert (plan.first_year, plan.last_year) == (2027, 2030)
    years = list(plan.years.all())
    assert [y.year for y in years] == [2027, 2028, 2029, 2030]
    budget = sum(y.budget for y in years)
    open_measures = Measure.objects.filter(status__in=[MeasureStatus.CANDIDATE, MeasureStatus.PLANNED])
    mandatory = sum(m.investment_cost for m in open_measures.filter(is_mandatory=True))
    everything = sum(m.investment_cost + 4 * m.running_cost for m in open_measures)
    assert mandatory < budget < everything


def test_suggested_plan_holds_every_mandatory_measure_and_leaves_some_out_for_budget(demo):
    plan = Plan.objects.get(name="Maßnahmenplan 2027–2030")
    assert plan.entries.exists()
    assert not [p for p in plan.problems if p.get("kind") in ("infeasible", "mandatory")]
    placed = set(plan.entries.values_list("measure__code", flat=True))
    open_mandatory = Measure.objects.filter(
        is_mandatory=True, status__in=[MeasureStatus.CANDIDATE, MeasureStatus.PLANNED]
    )
    assert set(open_mandatory.values_list("code", flat=True)) <= placed
    assert plan.exclusions.filter(reason="budget").exists()


def test_two_versions_show_the_review_of_2026(demo):
    first, second = StrategyVersion.objects.order_by("number")
    assert (first.number, first.label) == (1, "Strategiebeschluss 2021")
    assert (second.number, second.label) == (2, "Überprüfung 2026")
    assert second.reason and first.created_at < second.created_at
    old, new = first.snapshot["measures"], second.snapshot["measures"]
    added = {spec["code"] for spec in data.MEASURES if spec.get("since") == 2026}
    assert set(new) - set(old) == added
    assert "HF-14" in second.snapshot["fields_of_action"]
    assert "HF-14" not in first.snapshot["fields_of_action"]
    assert old["M-10"]["title"] != new["M-10"]["title"]
    assert old["M-48"]["status"] == "planned" and new["M-48"]["status"] == "dropped"
    assert old["M-04"]["dependencies"] == ["M-08"]
    assert "M-14" in new["M-04"]["dependencies"]
    # version 2 is the strategy as it stands
    assert set(new) == set(Measure.objects.values_list("code", flat=True))


# --- the loader -------------------------------------------------------------------------------------


def _strategy_rows() -> dict[str, list[dict]]:
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_app_config("strategy").get_models(include_auto_created=True)
    }


def test_second_run_creates_and_changes_nothing(demo):
    assert demo["strategy_measures"] == len(data.MEASURES)
    assert demo["strategy_guidelines"] == 17
    before = _strategy_rows()
    created = load_demo()
    assert {k: v for k, v in created.items() if k.startswith("strategy_")} == dict.fromkeys(
        [k for k in demo if k.startswith("strategy_")], 0
    )
    assert _strategy_rows() == before
