"""Pages of the strategy's structure: who may see and change what, forged ids, tampered posts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login
from rathaus.strategy.constants import MeasureOrigin, ProposalStatus
from rathaus.strategy.models import Measure, MeasureDependency, MeasureProposal, Strategy, StrategyVersion
from rathaus.strategy.services import structure as services

from .factories import make_area, make_field, make_guideline, make_measure

pytestmark = pytest.mark.django_db

LOGIN = "/konto/anmelden/"


@pytest.fixture
def world(department, other_department, department_head, strategy_officer):
    Strategy.objects.create(pk=1, mission_statement="Regensburg wird digitale Modellstadt.")
    area = make_area(number=1, name="Interaktion")
    guideline = make_guideline(area, title="Digital zuerst", motto="„Online vor Schalter“")
    field = make_field(area, [guideline], title="Online-Dienste")
    m3 = make_measure(field, department, title="Hochzeitskalender")
    m7 = make_measure(field, other_department, title="Sportstättenverwaltung")
    Measure.objects.filter(pk=m3.pk).update(code="M-03")
    Measure.objects.filter(pk=m7.pk).update(code="M-07")
    m3.refresh_from_db()
    m7.refresh_from_db()
    own = services.proposal_submit(
        {"title": "Kita-App", "description": "Anmeldung online."}, department, department_head
    )
    foreign = services.proposal_submit(
        {"title": "Standesamt-Termine", "description": "Online buchen."}, other_department, strategy_officer
    )
    return {
        "area": area,
        "guideline": guideline,
        "field": field,
        "m3": m3,
        "m7": m7,
        "own": own,
        "foreign": foreign,
    }


@pytest.fixture
def version(world, strategy_officer):
    from rathaus.strategy.versioning import strategy_version_create

    return strategy_version_create("Beschluss", "", strategy_officer)


def url(name, world=None, **kwargs):
    return reverse(f"strategy:{name}", kwargs=kwargs)


def read_pages(world, version):
    return {
        "guidelines": url("guidelines"),
        "fields": url("fields"),
        "field_detail": url("field_detail", pk=world["field"].pk),
        "measures": url("measures"),
        "measure_detail": url("measure_detail", pk=world["m3"].pk),
        "versions": url("versions"),
        "version_diff": url("version_diff", a=version.number, b=version.number),
        "version_diff_current": url("version_diff_current", a=version.number),
    }


def write_pages(world):
    return {
        "measure_new": url("measure_new"),
        "measure_edit": url("measure_edit", pk=world["m3"].pk),
        "measure_dependencies": url("measure_dependencies", pk=world["m3"].pk),
        "proposal_accept": url("proposal_accept", pk=world["own"].pk),
    }


def measure_post(world, **overrides):
    data = {
        "code": "M-10",
        "title": "Digitaler Bauantrag",
        "description": "Bauanträge online.",
        "field_of_action": world["field"].pk,
        "department": world["m3"].department_id,
        "guidelines": [world["guideline"].pk],
        "investment_cost": "120000",
        "running_cost": "5000",
        "effort_person_days": "100",
        "duration_quarters": "4",
        "planned_start": "2026-01-01",
        "planned_end": "2026-12-31",
        "status": "candidate",
    }
    data.update(overrides)
    return data


def text(response) -> str:
    return response.content.decode()


# --- reading ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("client_fixture", ["strategy_client", "leadership_client", "department_head_client"])
def test_cockpit_readers_see_the_structure_pages(request, client_fixture, world, version):
    client = request.getfixturevalue(client_fixture)
    for name, address in read_pages(world, version).items():
        response = client.get(address)
        assert response.status_code == 200, name


@pytest.mark.parametrize("client_fixture", ["citizen_client", "caseworker_client"])
def test_citizens_and_caseworkers_are_refused(request, client_fixture, world, version):
    client = request.getfixturevalue(client_fixture)
    for name, address in read_pages(world, version).items():
        assert client.get(address).status_code == 403, name


def test_anonymous_visitors_are_sent_to_the_login(client, world, version):
    pages = {**read_pages(world, version), **write_pages(world)}
    pages["proposals"] = url("proposals")
    pages["proposal_new"] = url("proposal_new")
    pages["proposal_detail"] = url("proposal_detail", pk=world["own"].pk)
    for name, address in pages.items():
        response = client.get(address)
        assert response.status_code == 302, name
        assert response["Location"].startswith(LOGIN), name


def test_the_guidelines_page_shows_mission_areas_guidelines_fields_and_counts(strategy_client, world):
    html = text(strategy_client.get(url("guidelines")))
    assert "Regensburg wird digitale Modellstadt." in html
    assert "1. Interaktion" in html
    assert "Digital zuerst" in html and "„Online vor Schalter“" in html
    assert world["field"].code in html
    assert "2 Maßnahmen" in html or "2 measures" in html


def test_the_field_page_lists_its_measures_with_costs(strategy_client, world):
    html = text(strategy_client.get(url("field_detail", pk=world["field"].pk)))
    assert "M-03" in html and "M-07" in html
    assert "Hochzeitskalender" in html


def test_the_measures_table_filters(strategy_client, world, department):
    Measure.objects.filter(pk=world["m7"].pk).update(is_mandatory=True, status="planned", is_public=True)
    html = text(strategy_client.get(url("measures"), {"department": department.pk}))
    assert "M-03" in html and "M-07" not in html
    html = text(strategy_client.get(url("measures"), {"mandatory": "ja"}))
    assert "M-07" in html and "M-03" not in html
    html = text(strategy_client.get(url("measures"), {"status": "planned", "public": "ja"}))
    assert "M-07" in html and "M-03" not in html
    html = text(strategy_client.get(url("measures"), {"area": world["area"].pk, "public": "nein"}))
    assert "M-03" in html and "M-07" not in html
    # a nonsense filter value shows everything instead of failing
    assert strategy_client.get(url("measures"), {"area": "abc"}).status_code == 200


def test_the_measure_page_shows_dependencies_both_ways_and_proposals(
    strategy_client, world, strategy_officer
):
    MeasureDependency.objects.create(measure=world["m7"], requires=world["m3"])
    MeasureProposal.objects.filter(pk=world["own"].pk).update(
        status=ProposalStatus.ACCEPTED, measure=world["m3"], decision_reason="ok"
    )
    html = text(strategy_client.get(url("measure_detail", pk=world["m3"].pk)))
    assert "M-07" in html  # required by
    assert "Kita-App" in html  # the proposal that led to it
    html = text(strategy_client.get(url("measure_detail", pk=world["m7"].pk)))
    assert "M-03" in html  # requires


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("field_detail", {"pk": 999999}),
        ("measure_detail", {"pk": 999999}),
        ("measure_edit", {"pk": 999999}),
        ("measure_dependencies", {"pk": 999999}),
        ("proposal_detail", {"pk": 999999}),
        ("proposal_accept", {"pk": 999999}),
        ("version_diff", {"a": 1, "b": 99}),
        ("version_diff_current", {"a": 99}),
    ],
)
def test_forged_ids_are_not_found(strategy_client, world, version, name, kwargs):
    assert strategy_client.get(url(name, **kwargs)).status_code == 404


# --- writing measures ------------------------------------------------------------------------------


@pytest.mark.parametrize("client_fixture", ["leadership_client", "department_head_client", "citizen_client"])
def test_only_the_strategy_office_writes(request, client_fixture, world):
    client = request.getfixturevalue(client_fixture)
    for name, address in write_pages(world).items():
        assert client.get(address).status_code == 403, name
    assert client.post(url("measure_new"), measure_post(world)).status_code == 403
    assert client.post(url("version_new"), {"label": "v"}).status_code == 403
    assert (
        client.post(url("proposal_reject", pk=world["own"].pk), {"reject-reason": "nein"}).status_code == 403
    )
    assert not Measure.objects.filter(code="M-10").exists()
    assert not StrategyVersion.objects.exists()
    world["own"].refresh_from_db()
    assert world["own"].status == ProposalStatus.SUBMITTED


def test_the_strategy_office_creates_a_measure(strategy_client, world):
    response = strategy_client.get(url("measure_new"))
    assert response.status_code == 200
    assert 'value="M-' in text(response)  # a free code is suggested
    response = strategy_client.post(url("measure_new"), measure_post(world))
    measure = Measure.objects.get(code="M-10")
    assert response.status_code == 302
    assert response["Location"] == url("measure_detail", pk=measure.pk)
    assert measure.investment_cost == Decimal("120000.00")
    assert measure.planned_end == dt.date(2026, 12, 31)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"guidelines": ["999999"]}, "guidelines"),
        ({"guidelines": []}, "guidelines"),
        ({"investment_cost": "-1"}, "investment_cost"),
        ({"running_cost": "-0.01"}, "running_cost"),
        ({"planned_start": "2027-01-01", "planned_end": "2026-01-01"}, "planned_end"),
        ({"code": "M-03"}, "code"),
        ({"field_of_action": "999999"}, "field_of_action"),
        ({"duration_quarters": "0"}, "duration_quarters"),
    ],
)
def test_tampered_measure_posts_are_refused_with_a_message(strategy_client, world, overrides, field):
    before = Measure.objects.count()
    response = strategy_client.post(url("measure_new"), measure_post(world, **overrides))
    assert response.status_code == 200
    html = text(response)
    assert f'id="id_{field}-error"' in html or f"id_{field}_0-error" in html or "kern-error" in html
    assert 'aria-invalid="true"' in html or "kern-fieldset--error" in html
    assert Measure.objects.count() == before


def test_editing_keeps_the_measure_on_refusal(strategy_client, world):
    m3 = world["m3"]
    response = strategy_client.get(url("measure_edit", pk=m3.pk))
    assert 'value="M-03"' in text(response)
    response = strategy_client.post(
        url("measure_edit", pk=m3.pk), measure_post(world, code="M-03", title="Neu", investment_cost="-5")
    )
    assert response.status_code == 200
    m3.refresh_from_db()
    assert m3.title == "Hochzeitskalender"
    response = strategy_client.post(
        url("measure_edit", pk=m3.pk), measure_post(world, code="M-03", title="Neu")
    )
    assert response.status_code == 302
    m3.refresh_from_db()
    assert m3.title == "Neu"


def test_dependencies_page_refuses_a_cycle_and_names_it(strategy_client, world):
    m3, m7 = world["m3"], world["m7"]
    response = strategy_client.post(url("measure_dependencies", pk=m7.pk), {"requires": [m3.pk]})
    assert response.status_code == 302
    response = strategy_client.post(url("measure_dependencies", pk=m3.pk), {"requires": [m7.pk]})
    assert response.status_code == 200
    assert "M-03 → M-07 → M-03" in text(response)
    assert list(MeasureDependency.objects.values_list("measure__code", "requires__code")) == [
        ("M-07", "M-03")
    ]


def test_dependencies_page_refuses_itself_and_unknown_measures(strategy_client, world):
    m3 = world["m3"]
    for forged in ([m3.pk], [999999]):
        response = strategy_client.post(url("measure_dependencies", pk=m3.pk), {"requires": forged})
        assert response.status_code == 200
        assert "kern-error" in text(response)
    assert not MeasureDependency.objects.exists()


# --- proposals -------------------------------------------------------------------------------------


def test_a_department_sees_its_own_proposals_only(department_head_client, caseworker_client, world):
    for client in (department_head_client, caseworker_client):
        html = text(client.get(url("proposals")))
        assert "Kita-App" in html
        assert "Standesamt-Termine" not in html
        assert url("proposal_new") in html


def test_the_strategy_office_sees_all_proposals_and_filters_them(strategy_client, world, strategy_officer):
    services.proposal_reject(world["foreign"], "Nein.", strategy_officer)
    html = text(strategy_client.get(url("proposals")))
    assert "Kita-App" in html and "Standesamt-Termine" in html
    html = text(strategy_client.get(url("proposals"), {"status": "rejected"}))
    assert "Kita-App" not in html and "Standesamt-Termine" in html


@pytest.mark.parametrize("client_fixture", ["leadership_client", "citizen_client"])
def test_people_without_a_department_cannot_open_proposals(request, client_fixture, world):
    client = request.getfixturevalue(client_fixture)
    assert client.get(url("proposals")).status_code == 403
    assert client.get(url("proposal_new")).status_code == 403
    assert client.get(url("proposal_detail", pk=world["own"].pk)).status_code == 404


def test_another_departments_proposal_is_not_found(other_caseworker_client, department_head_client, world):
    assert other_caseworker_client.get(url("proposal_detail", pk=world["own"].pk)).status_code == 404
    assert department_head_client.get(url("proposal_detail", pk=world["foreign"].pk)).status_code == 404
    assert department_head_client.get(url("proposal_detail", pk=world["own"].pk)).status_code == 200


def test_a_department_head_proposes_a_measure(department_head_client, world, department, department_head):
    response = department_head_client.get(url("proposal_new"))
    assert response.status_code == 200
    assert f'value="{department.pk}"' in text(response)
    response = department_head_client.post(
        url("proposal_new"),
        {
            "department": department.pk,
            "title": "Digitale Gästeschulgebühren",
            "description": "Gastschulbeiträge online abrechnen.",
            "estimated_cost": "15000",
            "guidelines": [world["guideline"].pk],
        },
    )
    proposal = MeasureProposal.objects.get(title="Digitale Gästeschulgebühren")
    assert response.status_code == 302
    assert response["Location"] == url("proposal_detail", pk=proposal.pk)
    assert (proposal.department, proposal.proposed_by, proposal.origin) == (
        department,
        department_head,
        MeasureOrigin.DEPARTMENT,
    )


def test_a_proposal_for_another_department_is_refused(department_head_client, world, other_department):
    before = MeasureProposal.objects.count()
    response = department_head_client.post(
        url("proposal_new"), {"department": other_department.pk, "title": "X", "description": "Y"}
    )
    assert response.status_code == 200
    assert "kern-error" in text(response)
    assert MeasureProposal.objects.count() == before


def test_a_proposal_with_a_negative_cost_is_refused(department_head_client, world, department):
    before = MeasureProposal.objects.count()
    response = department_head_client.post(
        url("proposal_new"),
        {"department": department.pk, "title": "X", "description": "Y", "estimated_cost": "-3"},
    )
    assert response.status_code == 200
    assert MeasureProposal.objects.count() == before


def test_the_proposer_sees_the_decision_but_cannot_decide(department_head_client, world, strategy_officer):
    html = text(department_head_client.get(url("proposal_detail", pk=world["own"].pk)))
    assert url("proposal_reject", pk=world["own"].pk) not in html
    services.proposal_reject(world["own"], "Ist schon in M-03 enthalten.", strategy_officer)
    html = text(department_head_client.get(url("proposal_detail", pk=world["own"].pk)))
    assert "Ist schon in M-03 enthalten." in html


def test_accepting_opens_a_prefilled_form_and_creates_the_measure(strategy_client, world):
    own = world["own"]
    html = text(strategy_client.get(url("proposal_accept", pk=own.pk)))
    assert 'value="Kita-App"' in html
    response = strategy_client.post(
        url("proposal_accept", pk=own.pk), {**measure_post(world, title="Kita-App"), "reason": "Passt."}
    )
    measure = Measure.objects.get(code="M-10")
    assert response["Location"] == url("measure_detail", pk=measure.pk)
    own.refresh_from_db()
    assert (own.status, own.measure, own.decision_reason) == (ProposalStatus.ACCEPTED, measure, "Passt.")
    assert measure.origin == MeasureOrigin.DEPARTMENT


def test_an_invalid_accept_leaves_the_proposal_open(strategy_client, world):
    response = strategy_client.post(
        url("proposal_accept", pk=world["own"].pk), measure_post(world, guidelines=["999999"])
    )
    assert response.status_code == 200
    world["own"].refresh_from_db()
    assert world["own"].status == ProposalStatus.SUBMITTED
    assert not Measure.objects.filter(code="M-10").exists()


def test_rejecting_needs_a_reason(strategy_client, world):
    response = strategy_client.post(url("proposal_reject", pk=world["own"].pk), {"reject-reason": " "})
    assert response.status_code == 400
    assert "kern-error" in text(response)
    world["own"].refresh_from_db()
    assert world["own"].status == ProposalStatus.SUBMITTED


def test_merging_into_a_forged_measure_is_refused(strategy_client, world):
    response = strategy_client.post(
        url("proposal_merge", pk=world["own"].pk), {"merge-into": "999999", "merge-reason": "Gehört dazu."}
    )
    assert response.status_code == 400
    world["own"].refresh_from_db()
    assert world["own"].status == ProposalStatus.SUBMITTED


def test_merging_links_the_measure(strategy_client, world):
    response = strategy_client.post(
        url("proposal_merge", pk=world["own"].pk),
        {"merge-into": world["m3"].pk, "merge-reason": "Gehört zu M-03."},
    )
    assert response.status_code == 302
    world["own"].refresh_from_db()
    assert (world["own"].status, world["own"].measure) == (ProposalStatus.MERGED, world["m3"])


def test_deciding_twice_is_refused_with_a_message(strategy_client, world, second_strategy_officer):
    second_client = login(Client(), second_strategy_officer)
    own = world["own"]
    first = strategy_client.post(url("proposal_reject", pk=own.pk), {"reject-reason": "Nein."})
    assert first.status_code == 302
    for response in (
        second_client.post(url("proposal_reject", pk=own.pk), {"reject-reason": "Auch nein."}, follow=True),
        second_client.post(
            url("proposal_merge", pk=own.pk),
            {"merge-into": world["m3"].pk, "merge-reason": "Doch."},
            follow=True,
        ),
        second_client.post(url("proposal_accept", pk=own.pk), measure_post(world), follow=True),
    ):
        html = text(response)
        assert "already been decided" in html or "bereits entschieden" in html
    own.refresh_from_db()
    assert (own.status, own.decision_reason) == (ProposalStatus.REJECTED, "Nein.")
    assert not Measure.objects.filter(code="M-10").exists()


# --- versions --------------------------------------------------------------------------------------


def test_the_strategy_office_saves_versions_and_sees_the_differences(
    strategy_client, world, strategy_officer
):
    response = strategy_client.post(url("version_new"), {"label": "Beschluss 2025", "reason": "Stadtrat"})
    assert response.status_code == 302
    services.measure_update(world["m3"], {"investment_cost": Decimal("99000")}, strategy_officer)
    strategy_client.post(url("version_new"), {"label": "Fortschreibung 2026"})
    assert list(StrategyVersion.objects.order_by("number").values_list("number", "label")) == [
        (1, "Beschluss 2025"),
        (2, "Fortschreibung 2026"),
    ]
    html = text(strategy_client.get(url("versions")))
    assert url("version_diff", a=1, b=2) in html and url("version_diff_current", a=1) in html
    html = text(strategy_client.get(url("version_diff", a=1, b=2)))
    assert "M-03" in html
    assert "99.000,00 €" in html or "99,000.00 €" in html
    make_measure(world["field"], title="Neue Maßnahme")
    html = text(strategy_client.get(url("version_diff_current", a=2)))
    assert "Neue Maßnahme" in html


def test_a_version_without_label_is_refused(strategy_client, world):
    response = strategy_client.post(url("version_new"), {"label": ""})
    assert response.status_code == 400
    assert not StrategyVersion.objects.exists()


def test_readers_see_versions_without_the_form(leadership_client, world, version):
    html = text(leadership_client.get(url("versions")))
    assert "Beschluss" in html
    assert url("version_new") not in html
