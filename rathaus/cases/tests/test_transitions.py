import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rathaus.cases.constants import CaseAuditAction
from rathaus.cases.models import Case, CaseEvent
from rathaus.cases.services import (
    StaleCaseError,
    case_add_note,
    case_assign,
    case_bulk_assign,
    case_claim,
    case_decide,
    case_transition,
    case_withdraw,
    information_request_create,
)
from rathaus.core.models import AuditEntry

from .factories import make_case


def _to(case, state, actor):
    """Bring a case into ``state`` along the default workflow."""
    if state in ("in_review", "decided", "closed"):
        case_transition(case=case, acting_user=actor, transition="start_review")
    if state in ("decided", "closed"):
        case_decide(case=case, acting_user=actor, outcome="granted", reasoning="Alles in Ordnung.")
    if state == "closed":
        case_transition(case=case, acting_user=actor, transition="close")
    if state == "information_requested":
        information_request_create(case=case, acting_user=actor, message="Bitte Meldebescheinigung.")
    return case


@pytest.fixture
def people(citizen, other_citizen, caseworker, department_head, other_caseworker):
    return {
        "applicant": citizen,
        "caseworker": caseworker,
        "department_head": department_head,
        "other_citizen": other_citizen,
        "other_caseworker": other_caseworker,
    }


@pytest.mark.parametrize(
    ("state", "transition", "allowed"),
    [
        ("received", "start_review", {"caseworker", "department_head"}),
        ("in_review", "close", set()),
        ("decided", "close", {"caseworker", "department_head"}),
        ("received", "withdraw", {"applicant"}),
        ("in_review", "withdraw", {"applicant"}),
        ("information_requested", "withdraw", {"applicant"}),
        ("information_requested", "resume", {"caseworker", "department_head", "applicant"}),
    ],
)
@pytest.mark.parametrize(
    "who", ["applicant", "caseworker", "department_head", "other_citizen", "other_caseworker"]
)
def test_transition_allowed_only_for_its_roles(service, people, state, transition, allowed, who):
    case = _to(make_case(service, applicant=people["applicant"]), state, people["caseworker"])
    before = case.state
    if who in allowed:
        case_transition(case=case, acting_user=people[who], transition=transition)
        assert Case.objects.get(pk=case.pk).state != before
    else:
        with pytest.raises((PermissionDenied, ValidationError)):
            case_transition(case=case, acting_user=people[who], transition=transition)
        assert Case.objects.get(pk=case.pk).state == before


def test_refused_role_gets_a_clear_message(case, citizen):
    with pytest.raises(PermissionDenied) as info:
        case_transition(case=case, acting_user=citizen, transition="start_review")
    assert "Start review" in str(info.value) or "Bearbeitung beginnen" in str(info.value)


def test_decide_and_request_need_their_own_service(case, caseworker):
    _to(case, "in_review", caseworker)
    with pytest.raises(ValidationError):
        case_transition(case=case, acting_user=caseworker, transition="decide")


def test_stale_version_is_refused_and_nothing_written(case, caseworker, department_head):
    shown = case.version
    case_transition(case=Case.objects.get(pk=case.pk), acting_user=department_head, transition="start_review")
    events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(StaleCaseError):
        case_decide(
            case=case, acting_user=caseworker, outcome="refused", reasoning="x", expected_version=shown
        )
    stored = Case.objects.get(pk=case.pk)
    assert stored.state == "in_review"
    assert not hasattr(stored, "notice") or not Case.objects.filter(pk=case.pk, notice__isnull=False).exists()
    assert CaseEvent.objects.filter(case=case).count() == events


def test_transition_is_audited(case, caseworker):
    case_transition(case=case, acting_user=caseworker, transition="start_review")
    entry = AuditEntry.objects.filter(action=CaseAuditAction.CASE_TRANSITION).latest("id")
    assert entry.object_label == case.reference
    assert entry.subject_user_id == case.applicant_id
    assert entry.details["to_state"] == "in_review"


def test_applicant_withdraws(case, citizen):
    case_withdraw(case=case, acting_user=citizen, reason="Umzug abgesagt")
    stored = Case.objects.get(pk=case.pk)
    assert stored.state == "withdrawn"
    assert stored.closed_at is not None
    assert stored.events.filter(kind="withdrawn").exists()
    assert AuditEntry.objects.filter(action=CaseAuditAction.CASE_WITHDRAWN, object_id=str(case.pk)).exists()


def test_staff_cannot_withdraw(case, caseworker):
    with pytest.raises(PermissionDenied):
        case_withdraw(case=case, acting_user=caseworker)


def test_decided_case_cannot_be_withdrawn(case, citizen, caseworker):
    _to(case, "decided", caseworker)
    with pytest.raises(ValidationError):
        case_withdraw(case=case, acting_user=citizen)


def test_claim_and_assign_within_department(case, caseworker, colleague, other_caseworker):
    case_claim(case=case, acting_user=caseworker)
    assert Case.objects.get(pk=case.pk).assigned_to == caseworker
    with pytest.raises(ValidationError):
        case_claim(case=case, acting_user=colleague)
    case_assign(case=case, acting_user=caseworker, assignee=colleague)
    assert Case.objects.get(pk=case.pk).assigned_to == colleague
    with pytest.raises(ValidationError):
        case_assign(case=case, acting_user=caseworker, assignee=other_caseworker)
    with pytest.raises(PermissionDenied):
        case_assign(case=case, acting_user=other_caseworker, assignee=other_caseworker)


def test_bulk_assign_only_within_own_department(
    service, other_service, citizen, caseworker, colleague, other_caseworker
):
    own = [make_case(service, applicant=citizen) for _ in range(2)]
    foreign = make_case(other_service, applicant=citizen)
    assert case_bulk_assign(case_ids=[c.pk for c in own], acting_user=caseworker, assignee=colleague) == 2
    assert set(Case.objects.filter(pk__in=[c.pk for c in own]).values_list("assigned_to", flat=True)) == {
        colleague.pk
    }
    with pytest.raises(PermissionDenied):
        case_bulk_assign(case_ids=[own[0].pk, foreign.pk], acting_user=caseworker, assignee=caseworker)
    assert Case.objects.get(pk=own[0].pk).assigned_to == colleague  # nothing changed
    assert Case.objects.get(pk=foreign.pk).assigned_to is None
    with pytest.raises(PermissionDenied):
        case_bulk_assign(
            case_ids=[c.pk for c in own], acting_user=other_caseworker, assignee=other_caseworker
        )


def test_internal_note_is_not_public(case, caseworker, citizen):
    case_add_note(case=case, acting_user=caseworker, text="Rückruf vereinbart")
    assert case.notes.count() == 1
    with pytest.raises(PermissionDenied):
        case_add_note(case=case, acting_user=citizen, text="x")
