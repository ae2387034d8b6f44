"""Proposals for measures: departments propose, ideas arrive through the seam, the strategy office
decides each exactly once (accept, merge, reject) with a reason."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from conftest import make_staff
from rathaus.accounts.constants import StaffRoleKind
from rathaus.core.models import AuditEntry
from rathaus.strategy.constants import MeasureOrigin, ProposalStatus
from rathaus.strategy.models import Measure, MeasureProposal
from rathaus.strategy.services import structure as services

from .factories import make_field, make_guideline, make_measure

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(department, department_head):
    return services.proposal_submit(
        {
            "title": "Kita-App",
            "description": "Eltern melden ihr Kind online an.",
            "estimated_cost": Decimal("30000"),
            "estimated_effort_person_days": 40,
            "is_legal_obligation": False,
        },
        department,
        department_head,
    )


def measure_data(department, **overrides):
    field = make_field()
    return {
        "code": "M-50",
        "title": "Kita-App",
        "description": "Anmeldung online.",
        "field_of_action": field,
        "department": department,
        "guidelines": list(field.guidelines.all()),
        "investment_cost": Decimal("30000"),
        "running_cost": Decimal("0"),
        "effort_person_days": 40,
        "duration_quarters": 2,
        "status": "candidate",
        **overrides,
    }


# --- submitting ------------------------------------------------------------------------------------


def test_a_department_head_proposes_for_their_department(proposal, department, department_head):
    assert proposal.status == ProposalStatus.SUBMITTED
    assert proposal.origin == MeasureOrigin.DEPARTMENT
    assert (proposal.department, proposal.proposed_by) == (department, department_head)
    entry = AuditEntry.objects.get(action=services.StructureAuditAction.PROPOSAL_SUBMITTED)
    assert entry.details == {"department": department.code, "origin": "department"}


def test_a_caseworker_proposes_for_their_department(caseworker, department):
    proposal = services.proposal_submit({"title": "Idee", "description": "Text"}, department, caseworker)
    assert proposal.department == department


def test_nobody_proposes_for_another_department(department_head, other_department):
    with pytest.raises(ValidationError) as excinfo:
        services.proposal_submit({"title": "Idee", "description": "Text"}, other_department, department_head)
    assert "department" in excinfo.value.message_dict
    assert not MeasureProposal.objects.exists()


def test_the_strategy_office_proposes_for_any_department(strategy_officer, other_department):
    proposal = services.proposal_submit(
        {"title": "Idee", "description": "Text"}, other_department, strategy_officer
    )
    assert proposal.department == other_department


@pytest.mark.parametrize("actor_fixture", ["citizen", "leadership"])
def test_people_without_a_department_role_cannot_propose(request, actor_fixture, department):
    actor = request.getfixturevalue(actor_fixture)
    with pytest.raises(ValidationError):
        services.proposal_submit({"title": "Idee", "description": "Text"}, department, actor)


def test_a_proposal_needs_title_and_description_and_a_non_negative_cost(department_head, department):
    with pytest.raises(ValidationError) as excinfo:
        services.proposal_submit({"title": " ", "description": ""}, department, department_head)
    assert set(excinfo.value.message_dict) == {"title", "description"}
    with pytest.raises(ValidationError) as excinfo:
        services.proposal_submit(
            {"title": "A", "description": "B", "estimated_cost": Decimal("-5")}, department, department_head
        )
    assert "estimated_cost" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        services.proposal_submit(
            {"title": "A", "description": "B", "guidelines": [999999]}, department, department_head
        )
    assert not MeasureProposal.objects.exists()


# --- the seam for ideas of citizens and staff ------------------------------------------------------


def test_an_idea_needs_no_account_and_is_idempotent_per_reference():
    guideline = make_guideline()
    first = services.proposal_submit_idea(
        title="Bürgerhaushalt online",
        description="Vorschläge zum Haushalt online sammeln.",
        origin=MeasureOrigin.CITIZEN,
        external_reference="participation:idea:42",
        guidelines=[guideline.pk],
    )
    again = services.proposal_submit_idea(
        title="anders",
        description="anders",
        origin=MeasureOrigin.CITIZEN,
        external_reference="participation:idea:42",
    )
    assert again.pk == first.pk
    assert MeasureProposal.objects.count() == 1
    first.refresh_from_db()
    assert (first.title, first.origin, first.department, first.proposed_by) == (
        "Bürgerhaushalt online",
        MeasureOrigin.CITIZEN,
        None,
        None,
    )
    assert list(first.guidelines.all()) == [guideline]
    assert AuditEntry.objects.filter(action=services.StructureAuditAction.PROPOSAL_SUBMITTED).count() == 1


def test_a_staff_idea_has_the_staff_origin():
    proposal = services.proposal_submit_idea(
        title="Scan-Straße",
        description="Post digitalisieren.",
        origin=MeasureOrigin.STAFF,
        external_reference="x:1",
    )
    assert proposal.origin == MeasureOrigin.STAFF


@pytest.mark.parametrize(
    ("origin", "reference", "field"),
    [
        (MeasureOrigin.DEPARTMENT, "participation:idea:1", "origin"),
        ("anything", "participation:idea:1", "origin"),
        (MeasureOrigin.CITIZEN, " ", "external_reference"),
        (MeasureOrigin.CITIZEN, "x" * 500, "external_reference"),
    ],
)
def test_an_idea_with_a_wrong_origin_or_reference_is_refused(origin, reference, field):
    with pytest.raises(ValidationError) as excinfo:
        services.proposal_submit_idea(title="T", description="D", origin=origin, external_reference=reference)
    assert field in excinfo.value.message_dict
    assert not MeasureProposal.objects.exists()


# --- deciding --------------------------------------------------------------------------------------


def test_accepting_creates_the_measure_with_the_proposals_origin(strategy_officer, department):
    idea = services.proposal_submit_idea(
        title="Kita-App", description="D", origin=MeasureOrigin.CITIZEN, external_reference="p:7"
    )
    measure = services.proposal_accept(idea, measure_data(department), strategy_officer, reason="Gute Idee")
    idea.refresh_from_db()
    assert measure.origin == MeasureOrigin.CITIZEN
    assert (idea.status, idea.measure, idea.decision_reason) == (
        ProposalStatus.ACCEPTED,
        measure,
        "Gute Idee",
    )
    assert idea.decided_by == strategy_officer and idea.decided_at is not None
    assert list(measure.proposals.all()) == [idea]
    assert AuditEntry.objects.filter(action=services.StructureAuditAction.PROPOSAL_ACCEPTED).exists()


def test_accepting_with_bad_measure_data_leaves_the_proposal_open(proposal, strategy_officer, department):
    with pytest.raises(ValidationError) as excinfo:
        services.proposal_accept(proposal, measure_data(department, investment_cost=-1), strategy_officer)
    assert "investment_cost" in excinfo.value.message_dict
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED
    assert not Measure.objects.exists()


def test_merging_needs_a_reason_and_links_the_measure(proposal, strategy_officer):
    target = make_measure()
    with pytest.raises(ValidationError) as excinfo:
        services.proposal_merge(proposal, target, "  ", strategy_officer)
    assert "reason" in excinfo.value.message_dict
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED
    services.proposal_merge(proposal, target, "Gehört zu M-01", strategy_officer)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.measure, proposal.decision_reason) == (
        ProposalStatus.MERGED,
        target,
        "Gehört zu M-01",
    )


def test_rejecting_needs_a_reason(proposal, strategy_officer):
    with pytest.raises(ValidationError):
        services.proposal_reject(proposal, "", strategy_officer)
    services.proposal_reject(proposal, "Schon umgesetzt.", strategy_officer)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_reason, proposal.measure) == (
        ProposalStatus.REJECTED,
        "Schon umgesetzt.",
        None,
    )


@pytest.mark.parametrize("second", ["accept", "merge", "reject"])
def test_a_proposal_is_decided_only_once(
    proposal, strategy_officer, second_strategy_officer, department, second
):
    stale = MeasureProposal.objects.get(pk=proposal.pk)  # what the second officer's page showed
    services.proposal_reject(proposal, "Nein.", strategy_officer)
    target = make_measure()
    with pytest.raises(ValidationError) as excinfo:
        if second == "accept":
            services.proposal_accept(stale, measure_data(department), second_strategy_officer)
        elif second == "merge":
            services.proposal_merge(stale, target, "Doch.", second_strategy_officer)
        else:
            services.proposal_reject(stale, "Auch nein.", second_strategy_officer)
    assert "bereits entschieden" in " ".join(excinfo.value.messages)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_reason, proposal.decided_by) == (
        ProposalStatus.REJECTED,
        "Nein.",
        strategy_officer,
    )
    assert Measure.objects.count() == 1  # only the merge target; no measure from a late accept


def test_the_already_decided_message_is_german(proposal, strategy_officer, settings):
    from django.utils import translation

    services.proposal_reject(proposal, "Nein.", strategy_officer)
    with translation.override("de"), pytest.raises(ValidationError) as excinfo:
        services.proposal_reject(proposal, "Nein.", strategy_officer)
    # German once the lead has merged the catalogue; the English msgid until then
    text = " ".join(excinfo.value.messages)
    assert "bereits entschieden" in text or "already been decided" in text


@pytest.mark.django_db(transaction=True)
def test_two_officers_deciding_at_the_same_moment_one_wins(department):
    """Two connections decide at once; exactly one decision stands (PostgreSQL locks the row; on
    SQLite writers queue)."""
    concurrent = connection.vendor == "postgresql"
    first = make_staff("a@stadt.example", StaffRoleKind.STRATEGY_OFFICE)
    second = make_staff("b@stadt.example", StaffRoleKind.STRATEGY_OFFICE)
    head = make_staff("h@stadt.example", StaffRoleKind.DEPARTMENT_HEAD, department)
    proposal = services.proposal_submit({"title": "T", "description": "D"}, department, head)
    target = make_measure()
    barrier = threading.Barrier(2) if concurrent else None
    outcomes: list[str] = []

    def decide(actor, action):
        try:
            if barrier:
                barrier.wait()
            action(MeasureProposal.objects.get(pk=proposal.pk), actor)
            outcomes.append("won")
        except ValidationError:
            outcomes.append("refused")
        finally:
            if concurrent:
                connections.close_all()

    decisions = [
        (first, lambda p, a: services.proposal_reject(p, "Nein.", a)),
        (second, lambda p, a: services.proposal_merge(p, target, "Ja.", a)),
    ]
    if concurrent:
        threads = [threading.Thread(target=decide, args=args) for args in decisions]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        for args in decisions:
            decide(*args)
    assert sorted(outcomes) == ["refused", "won"]
    proposal.refresh_from_db()
    assert proposal.status in (ProposalStatus.REJECTED, ProposalStatus.MERGED)
