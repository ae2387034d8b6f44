import copy

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from rathaus.cases.models import ServiceWorkflow
from rathaus.cases.workflow import DEFAULT_WORKFLOW, Workflow, validate_workflow, workflow_for_service


def _messages(definition) -> str:
    with translation.override("en"), pytest.raises(ValidationError) as info:
        validate_workflow(definition)
    return " ".join(info.value.messages)


def test_default_workflow_is_valid():
    validate_workflow(DEFAULT_WORKFLOW)


def test_unknown_state_is_refused():
    definition = copy.deepcopy(DEFAULT_WORKFLOW)
    definition["transitions"][0]["to"] = "nowhere"
    assert "nowhere" in _messages(definition)


def test_unreachable_final_state_is_refused():
    definition = copy.deepcopy(DEFAULT_WORKFLOW)
    definition["transitions"] = [
        t for t in definition["transitions"] if t["name"] not in ("close", "withdraw")
    ]
    text = _messages(definition)
    assert "closed" in text and "cannot be reached" in text


def test_transition_without_roles_is_refused():
    definition = copy.deepcopy(DEFAULT_WORKFLOW)
    definition["transitions"][0]["roles"] = []
    assert "start_review" in _messages(definition)


def test_unknown_role_is_refused():
    definition = copy.deepcopy(DEFAULT_WORKFLOW)
    definition["transitions"][0]["roles"] = ["mayor"]
    assert "mayor" in _messages(definition)


def test_workflow_without_final_state_is_refused():
    definition = {"initial": "a", "states": {"a": {}}, "transitions": []}
    assert "no final state" in _messages(definition)


def test_messages_are_translated_to_german():
    definition = copy.deepcopy(DEFAULT_WORKFLOW)
    definition["transitions"][0]["roles"] = []
    with translation.override("de"), pytest.raises(ValidationError) as info:
        validate_workflow(definition)
    assert "start_review" in info.value.messages[0]


def test_service_workflow_overrides_the_default(service):
    definition = {
        "initial": "neu",
        "states": {"neu": {"label": "Neu"}, "erledigt": {"kind": "final", "label": "Erledigt"}},
        "transitions": [{"name": "erledigen", "from": ["neu"], "to": "erledigt", "roles": ["caseworker"]}],
    }
    own = ServiceWorkflow(service=service, definition=definition)
    own.full_clean()
    own.save()
    service.refresh_from_db()
    workflow = workflow_for_service(service)
    assert workflow.initial == "neu"
    assert workflow.state_label("erledigt") == "Erledigt"


def test_a_kept_service_object_sees_its_workflow_changed_in_place(service):
    definition = {
        "initial": "neu",
        "states": {"neu": {"label": "Neu"}, "erledigt": {"kind": "final", "label": "Erledigt"}},
        "transitions": [{"name": "erledigen", "from": ["neu"], "to": "erledigt", "roles": ["caseworker"]}],
    }
    ServiceWorkflow.objects.create(service=service, definition=definition)
    service.refresh_from_db()
    first = workflow_for_service(service)
    assert workflow_for_service(service) is first  # parsed once for this object
    service.workflow.definition["states"]["erledigt"]["label"] = "Abgeschlossen"
    assert workflow_for_service(service).state_label("erledigt") == "Abgeschlossen"
    service.workflow.definition = {}
    assert workflow_for_service(service).initial == DEFAULT_WORKFLOW["initial"]


def test_invalid_service_workflow_is_refused_on_save(service):
    own = ServiceWorkflow(service=service, definition={"initial": "x", "states": {}, "transitions": []})
    with pytest.raises(ValidationError):
        own.full_clean()


def test_available_transitions_depend_on_role():
    workflow = Workflow(copy.deepcopy(DEFAULT_WORKFLOW))
    assert [t.name for t in workflow.available("received", {"applicant"})] == ["withdraw"]
    assert {t.name for t in workflow.available("received", {"caseworker"})} == {
        "start_review",
        "request_information",
    }
