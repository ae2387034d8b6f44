"""Case workflows: states, transitions, who may take them, deadlines.

A workflow is JSON so that a service can bring its own (``ServiceWorkflow.definition``); services
without one use ``DEFAULT_WORKFLOW``. Shape::

    {"initial": "received",
     "states": {"received": {"deadline_days": 5}, "closed": {"kind": "final"}, ...},
     "transitions": [{"name": "start_review", "from": ["received"], "to": "in_review",
                      "roles": ["caseworker", "department_head"]}, ...]}

A state's ``kind`` says what entering it means: ``waiting`` stops the processing clock (the
applicant has to act), ``decision`` records the decision time, ``final`` closes the case. The
dedicated services (information request, decide, withdraw) take the transitions into those
states; ``case_transition`` takes the plain ones. ``validate_workflow`` refuses definitions that
name unknown states or roles, have transitions nobody may take, or cannot reach their end.
"""

from __future__ import annotations

import copy
import json
from collections import deque
from dataclasses import dataclass, field
from functools import cache, lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .constants import CaseState, StateKind, WorkflowRole

__all__ = [
    "DEFAULT_WORKFLOW",
    "Transition",
    "Workflow",
    "validate_workflow",
    "workflow_for_service",
]

STAFF = [WorkflowRole.CASEWORKER.value, WorkflowRole.DEPARTMENT_HEAD.value]
OPEN_STATES = [CaseState.RECEIVED.value, CaseState.IN_REVIEW.value, CaseState.INFORMATION_REQUESTED.value]

DEFAULT_WORKFLOW: dict = {
    "initial": CaseState.RECEIVED.value,
    "states": {
        CaseState.RECEIVED.value: {"kind": StateKind.NORMAL.value, "deadline_days": 3},
        CaseState.IN_REVIEW.value: {"kind": StateKind.NORMAL.value},
        CaseState.INFORMATION_REQUESTED.value: {"kind": StateKind.WAITING.value, "deadline_days": 14},
        CaseState.DECIDED.value: {"kind": StateKind.DECISION.value, "deadline_days": 30},
        CaseState.CLOSED.value: {"kind": StateKind.FINAL.value},
        CaseState.WITHDRAWN.value: {"kind": StateKind.FINAL.value},
    },
    "transitions": [
        {"name": "start_review", "from": ["received"], "to": "in_review", "roles": STAFF},
        {
            "name": "request_information",
            "from": ["received", "in_review"],
            "to": "information_requested",
            "roles": STAFF,
        },
        {
            "name": "resume",
            "from": ["information_requested"],
            "to": "in_review",
            "roles": [*STAFF, "applicant"],
        },
        {"name": "decide", "from": ["in_review"], "to": "decided", "roles": STAFF},
        {"name": "close", "from": ["decided"], "to": "closed", "roles": STAFF},
        {"name": "withdraw", "from": OPEN_STATES, "to": "withdrawn", "roles": ["applicant"]},
    ],
}

_TRANSITION_LABELS = {
    "start_review": lambda: _("Start review"),
    "request_information": lambda: _("Request information"),
    "resume": lambda: _("Resume review"),
    "decide": lambda: _("Decide"),
    "close": lambda: _("Close case"),
    "withdraw": lambda: _("Withdraw application"),
}


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    label_text: str = ""
    label_en: str = ""

    @property
    def label(self) -> str:
        if get_language() == "en" and self.label_en:
            return self.label_en
        if self.label_text:
            return self.label_text
        known = _TRANSITION_LABELS.get(self.name)
        return known() if known else self.name


_STANDARD_STATES = frozenset(CaseState.values)


@dataclass
class Workflow:
    """A validated workflow definition with the questions the services ask of it."""

    definition: dict
    transitions: dict[str, Transition] = field(init=False)

    def __post_init__(self):
        validate_workflow(self.definition)
        self.transitions = {
            item["name"]: Transition(
                name=item["name"],
                sources=tuple(item["from"]),
                target=item["to"],
                roles=frozenset(item["roles"]),
                label_text=item.get("label", ""),
                label_en=item.get("label_en", ""),
            )
            for item in self.definition["transitions"]
        }

    @property
    def initial(self) -> str:
        return self.definition["initial"]

    def state(self, name: str) -> dict:
        return self.definition["states"].get(name, {})

    def kind(self, state: str) -> str:
        return self.state(state).get("kind", StateKind.NORMAL)

    def is_final(self, state: str) -> bool:
        return self.kind(state) == StateKind.FINAL

    def deadline_days(self, state: str) -> int | None:
        return self.state(state).get("deadline_days")

    def state_label(self, state: str) -> str:
        spec = self.state(state)
        if get_language() == "en" and spec.get("label_en"):
            return spec["label_en"]
        if spec.get("label"):
            return spec["label"]
        if state in _STANDARD_STATES:
            return str(CaseState(state).label)
        return state

    def available(self, state: str, roles: set[str]) -> list[Transition]:
        """Transitions out of ``state`` that someone holding ``roles`` may take."""
        return [t for t in self.transitions.values() if state in t.sources and t.roles & roles]

    def leading_to_kind(self, state: str, kind: str) -> list[Transition]:
        return [t for t in self.transitions.values() if state in t.sources and self.kind(t.target) == kind]


def _reachable(initial: str, transitions: list[dict]) -> set[str]:
    seen = {initial}
    queue = deque([initial])
    while queue:
        current = queue.popleft()
        for item in transitions:
            if current in item.get("from", []) and item.get("to") not in seen:
                seen.add(item["to"])
                queue.append(item["to"])
    return seen


def _structure_errors(definition) -> list[str]:
    if not isinstance(definition, dict):
        return [_("The workflow must be a JSON object.")]
    errors = []
    if not isinstance(definition.get("states"), dict) or not definition["states"]:
        errors.append(_("The workflow names no states."))
    if not isinstance(definition.get("transitions"), list):
        errors.append(_("The workflow names no transitions."))
    if not isinstance(definition.get("initial"), str):
        errors.append(_("The workflow names no initial state."))
    return errors


def _transition_errors(item, states: dict, seen_names: set) -> list[str]:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        return [_("Every transition needs a name.")]
    name = item["name"]
    errors = []
    if name in seen_names:
        errors.append(_("The transition “%(name)s” is defined twice.") % {"name": name})
    seen_names.add(name)
    sources = item.get("from")
    if not isinstance(sources, list) or not sources:
        errors.append(_("The transition “%(name)s” starts from no state.") % {"name": name})
        sources = []
    for state in [*sources, item.get("to")]:
        if state not in states:
            errors.append(
                _("The transition “%(name)s” names the unknown state “%(state)s”.")
                % {"name": name, "state": state}
            )
    roles = item.get("roles")
    if not isinstance(roles, list) or not roles:
        errors.append(_("Nobody may take the transition “%(name)s”: it names no roles.") % {"name": name})
    else:
        for role in set(roles) - set(WorkflowRole.values):
            errors.append(
                _("The transition “%(name)s” names the unknown role “%(role)s”.")
                % {"name": name, "role": role}
            )
    return errors


def _state_errors(states: dict) -> list[str]:
    errors = []
    for name, spec in states.items():
        if not isinstance(spec, dict):
            errors.append(_("The state “%(state)s” must be a JSON object.") % {"state": name})
            continue
        if spec.get("kind", StateKind.NORMAL) not in StateKind.values:
            errors.append(_("The state “%(state)s” has an unknown kind.") % {"state": name})
        days = spec.get("deadline_days")
        if days is not None and (not isinstance(days, int) or isinstance(days, bool) or days < 0):
            errors.append(_("The deadline of “%(state)s” must be a whole number of days.") % {"state": name})
    return errors


def validate_workflow(definition) -> None:
    """Raise ``ValidationError`` with every problem of ``definition`` (translated messages)."""
    errors = _structure_errors(definition)
    if errors:
        raise ValidationError(errors)
    states, transitions = definition["states"], definition["transitions"]
    if definition["initial"] not in states:
        errors.append(_("The initial state “%(state)s” is not defined.") % {"state": definition["initial"]})
    errors += _state_errors(states)
    seen_names: set[str] = set()
    for item in transitions:
        errors += _transition_errors(item, states, seen_names)
    if errors:
        raise ValidationError(errors)
    finals = [name for name, spec in states.items() if spec.get("kind") == StateKind.FINAL]
    if not finals:
        errors.append(_("The workflow has no final state."))
    reachable = _reachable(definition["initial"], transitions)
    for name in states:
        if name not in reachable:
            errors.append(_("The state “%(state)s” cannot be reached from the start.") % {"state": name})
    for name in states:
        if name in reachable and name not in finals and not (_reachable(name, transitions) & set(finals)):
            errors.append(_("From the state “%(state)s” no final state can be reached.") % {"state": name})
    if errors:
        raise ValidationError(errors)


@lru_cache(maxsize=256)
def _workflow_from_text(text: str) -> Workflow:
    return Workflow(json.loads(text))


@cache
def _default_workflow() -> Workflow:
    return _workflow_from_text(json.dumps(DEFAULT_WORKFLOW, sort_keys=True))


def workflow_for_service(service) -> Workflow:
    """The service's own workflow, or the default. Parsed and validated once per definition
    (cached by content, so an edited workflow is a new entry): treat it as read-only."""
    own = getattr(service, "workflow", None) if service is not None else None
    try:
        definition = own.definition if own is not None else None
    except AttributeError:
        definition = None
    if not definition:
        return _default_workflow()
    # The row object remembers its parsed workflow with a copy of the definition it came from:
    # comparing is cheaper than the canonical text (cached service objects are asked on every
    # submission), and a definition changed in place since is parsed anew.
    kept = getattr(own, "_parsed_workflow", None)
    if kept is not None and kept[0] == definition:
        return kept[1]
    workflow = _workflow_from_text(json.dumps(definition, sort_keys=True))
    own._parsed_workflow = (copy.deepcopy(definition), workflow)
    return workflow
