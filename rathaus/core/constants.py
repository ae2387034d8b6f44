from django.db import models
from django.utils.translation import gettext_lazy as _

from .audit_actions import audit_actions


@audit_actions
class AuditAction(models.TextChoices):
    """What happened. Reads of personal data and security events are the ones that must appear."""

    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logout")
    LOCKED_OUT = "locked_out", _("Locked out after failed logins")
    PERMISSION_DENIED = "permission_denied", _("Access refused")
    PERSONAL_DATA_READ = "personal_data_read", _("Personal data viewed")
    PERSONAL_DATA_CHANGED = "personal_data_changed", _("Personal data changed")
    ACCOUNT_CREATED = "account_created", _("Account created")
    ACCOUNT_VERIFIED = "account_verified", _("E-mail address confirmed")
    ACCOUNT_DELETED = "account_deleted", _("Account deleted")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password reset requested")
    ROLE_GRANTED = "role_granted", _("Role granted")
    ROLE_REVOKED = "role_revoked", _("Role revoked")
    SECOND_FACTOR_ADDED = "second_factor_added", _("Second factor set up")
    SECOND_FACTOR_FAILED = "second_factor_failed", _("Wrong second-factor code")
    EID_LOGIN_REJECTED = "eid_login_rejected", _("eID login rejected")
    CSRF_FAILURE = "csrf_failure", _("Form security check failed")
    SETTINGS_CHANGED = "settings_changed", _("Settings changed")


class LegalPageKind(models.TextChoices):
    IMPRINT = "impressum", _("Legal notice")
    PRIVACY = "datenschutz", _("Privacy policy")
    ACCESSIBILITY = "barrierefreiheit", _("Accessibility statement")
