"""Who may see or change accounts, organisations and the audit trail of a person."""

import rules

from .constants import StaffRoleKind


@rules.predicate
def is_self(user, person) -> bool:
    return person is not None and user.pk == person.pk


@rules.predicate
def has_city_role(user, _obj=None) -> bool:
    return user.is_authenticated and bool(
        user.role_kinds() & {StaffRoleKind.ADMINISTRATOR, StaffRoleKind.DATA_PROTECTION_OFFICER}
    )


@rules.predicate
def is_administrator(user, _obj=None) -> bool:
    return user.is_authenticated and (user.is_superuser or StaffRoleKind.ADMINISTRATOR in user.role_kinds())


@rules.predicate
def is_data_protection_officer(user, _obj=None) -> bool:
    return user.is_authenticated and StaffRoleKind.DATA_PROTECTION_OFFICER in user.role_kinds()


@rules.predicate
def is_staff_member(user, _obj=None) -> bool:
    return user.is_authenticated and user.is_staff_member


@rules.predicate
def is_organisation_member(user, organisation) -> bool:
    return organisation is not None and organisation.memberships.filter(user_id=user.pk).exists()


@rules.predicate
def is_organisation_admin(user, organisation) -> bool:
    return (
        organisation is not None and organisation.memberships.filter(user_id=user.pk, is_admin=True).exists()
    )


# A person's own record; staff see others only where a role needs it (and the read is audited).
rules.add_perm("accounts.view_person", is_self | is_administrator | is_data_protection_officer)
rules.add_perm("accounts.change_person", is_self)
rules.add_perm("accounts.view_organisation", is_organisation_member | is_administrator)
rules.add_perm("accounts.change_organisation", is_organisation_admin)
rules.add_perm("accounts.view_audit_log", is_data_protection_officer | is_administrator)
rules.add_perm("accounts.use_back_office", is_staff_member)
# Apply and book in the organisation's name: every member.
rules.add_perm("accounts.act_for_organisation", is_organisation_member)
