"""Who may see and process cases.

Applicants see their own cases and those submitted for an organisation they belong to; staff
see the cases of departments where they hold a caseworker or department-head role. Nobody else
sees a case, not even other staff: an administrator's role is to run the system, not to read
applications.
"""

from __future__ import annotations

import rules

from rathaus.accounts.constants import DEPARTMENT_ROLES

__all__ = ["department_role_ids", "is_case_applicant", "is_case_staff"]


def department_role_ids(user) -> set[int]:
    """Departments where ``user`` processes cases (caseworker or head)."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_case_department_ids", None)
    if cached is None:
        cached = user.department_ids(*DEPARTMENT_ROLES)
        user._case_department_ids = cached
    return cached


@rules.predicate
def is_case_applicant(user, case) -> bool:
    if case is None or not user.is_authenticated:
        return False
    if case.applicant_id == user.pk:
        return True
    return bool(case.organisation_id) and case.organisation.memberships.filter(user_id=user.pk).exists()


@rules.predicate
def is_case_staff(user, case) -> bool:
    return case is not None and case.department_id in department_role_ids(user)


@rules.predicate
def is_document_applicant(user, document) -> bool:
    return document is not None and document.visible_to_applicant and is_case_applicant(user, document.case)


@rules.predicate
def is_document_staff(user, document) -> bool:
    return document is not None and is_case_staff(user, document.case)


@rules.predicate
def processes_cases(user, _obj=None) -> bool:
    return bool(department_role_ids(user))


rules.add_perm("cases.view_case", is_case_applicant | is_case_staff)
rules.add_perm("cases.view_own_case", is_case_applicant)
rules.add_perm("cases.process_case", is_case_staff)
rules.add_perm("cases.view_document", is_document_applicant | is_document_staff)
rules.add_perm("cases.use_inbox", processes_cases)
