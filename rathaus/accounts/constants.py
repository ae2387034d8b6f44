from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.core.audit_actions import audit_actions


class TrustLevel(models.TextChoices):
    """Assurance level of a login (Vertrauensniveau, eIDAS low/substantial/high)."""

    BASIC = "basic", _("basic (user name and password)")
    SUBSTANTIAL = "substantial", _("substantial")
    HIGH = "high", _("high (online ID function)")

    @classmethod
    def rank(cls, level: str | None) -> int:
        order = {cls.BASIC: 1, cls.SUBSTANTIAL: 2, cls.HIGH: 3}
        return order.get(level, 0)


class StaffRoleKind(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    DEPARTMENT_HEAD = "department_head", _("Head of department")
    STRATEGY_OFFICE = "strategy_office", _("Strategy office")
    LEADERSHIP = "leadership", _("City leadership")
    DATA_PROTECTION_OFFICER = "data_protection_officer", _("Data protection officer")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles that act for one department; the others act city-wide.
DEPARTMENT_ROLES = (StaffRoleKind.CASEWORKER, StaffRoleKind.DEPARTMENT_HEAD)


class ContactChannel(models.TextChoices):
    MAILBOX = "mailbox", _("Online mailbox with e-mail notice")
    POST = "post", _("Letter by post")
    PHONE = "phone", _("Phone")


class OrganisationKind(models.TextChoices):
    COMPANY = "company", _("Company")
    CLUB = "club", _("Club or association")
    INSTITUTION = "institution", _("Institution")
    OTHER = "other", _("Other organisation")


class IdentityProvider(models.TextChoices):
    OIDC = "oidc", _("eID via OpenID Connect")
    SAML = "saml", _("eID via SAML")


@audit_actions
class AccountsAuditAction(models.TextChoices):
    """Audit actions of accounts beyond core's: the audit log page, organisations' members, API
    tokens, confirmation links."""

    AUDIT_LOG_READ = "audit_log_read", _("Audit log viewed")
    AUDIT_CHAIN_CHECKED = "audit_chain_checked", _("Audit log chain checked")
    MEMBER_INVITED = "org_member_invited", _("Invited to an organisation")
    MEMBER_INVITATION_WITHDRAWN = "org_invitation_withdrawn", _("Invitation to an organisation withdrawn")
    MEMBER_JOINED = "org_member_joined", _("Joined an organisation")
    MEMBER_REMOVED = "org_member_removed", _("Removed from an organisation")
    MEMBER_LEFT = "org_member_left", _("Left an organisation")
    MANAGER_GRANTED = "org_manager_granted", _("Made a manager of an organisation")
    MANAGER_REVOKED = "org_manager_revoked", _("No longer a manager of an organisation")
    API_TOKEN_CREATED = "api_token_created", _("API token created")
    API_TOKEN_DELETED = "api_token_deleted", _("API token deleted")
    CONFIRMATION_RESENT = "confirmation_resent", _("Confirmation link sent again")
