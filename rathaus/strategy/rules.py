"""Who may see and change what in the strategy cockpit.

The strategy office runs the cockpit. The city leadership and heads of department read it and
evaluate measures. Departments propose measures and see their own proposals. A project lead sees
and updates their project. Citizens and other staff see only the public transparency page.
"""

from __future__ import annotations

import rules

from rathaus.accounts.constants import DEPARTMENT_ROLES, StaffRoleKind

__all__ = [
    "is_cockpit_reader",
    "is_department_head",
    "is_leadership",
    "is_strategy_office",
]


def _kinds(user) -> set[str]:
    return user.role_kinds() if user.is_authenticated else set()


@rules.predicate
def is_strategy_office(user, _obj=None) -> bool:
    return StaffRoleKind.STRATEGY_OFFICE in _kinds(user)


@rules.predicate
def is_leadership(user, _obj=None) -> bool:
    return StaffRoleKind.LEADERSHIP in _kinds(user)


@rules.predicate
def is_department_head(user, _obj=None) -> bool:
    return StaffRoleKind.DEPARTMENT_HEAD in _kinds(user)


@rules.predicate
def has_department_role(user, _obj=None) -> bool:
    return bool(_kinds(user) & {k.value for k in DEPARTMENT_ROLES})


is_cockpit_reader = is_strategy_office | is_leadership | is_department_head


@rules.predicate
def is_proposal_department(user, proposal) -> bool:
    if proposal is None or not user.is_authenticated or not proposal.department_id:
        return False
    return proposal.department_id in user.department_ids(*DEPARTMENT_ROLES)


@rules.predicate
def is_project_lead(user, project) -> bool:
    return project is not None and user.is_authenticated and project.lead_id == user.pk


# pages without an object
rules.add_perm("strategy.view_cockpit", is_cockpit_reader)
rules.add_perm("strategy.manage", is_strategy_office)
rules.add_perm("strategy.evaluate", is_cockpit_reader)
rules.add_perm("strategy.propose_measure", has_department_role | is_strategy_office)
# objects
rules.add_perm("strategy.view_measure", is_cockpit_reader)
rules.add_perm("strategy.view_proposal", is_strategy_office | is_proposal_department)
rules.add_perm("strategy.view_project", is_cockpit_reader | is_project_lead)
rules.add_perm("strategy.change_project", is_strategy_office | is_project_lead)
rules.add_perm("strategy.view_plan", is_cockpit_reader)
rules.add_perm("strategy.view_report", is_cockpit_reader)
rules.add_perm("strategy.view_kpi", is_cockpit_reader)
