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
class AccountAuditAction(models.TextChoices):
    """Audit actions of accounts beyond the shared ones in ``core.constants.AuditAction``."""

    API_TOKEN_CREATED = "api_token_created", _("API token created")
    API_TOKEN_DELETED = "api_token_deleted", _("API token deleted")
    CONFIRMATION_RESENT = "confirmation_resent", _("Confirmation link sent again")
