"""Security events from Django and django-axes, written to the audit log."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import Signal, receiver

from .audit import audit_record
from .constants import AuditAction

# A logged-in person chose a language with the header's buttons (``core.views.language_switch``);
# arguments: request, user, language. Accounts stores it as the person's preferred language.
language_chosen = Signal()


@receiver(user_logged_in, dispatch_uid="core_audit_login")
def _audit_login(sender, request, user, **kwargs):
    # The accounts receiver that stores the session's trust level may run after this one: an
    # eID backend marks the user with the asserted level, every other login is "basic".
    trust = ""
    if request is not None:
        trust = request.session.get("trust_level") or getattr(user, "eid_trust_level", None) or "basic"
    audit_record(
        action=AuditAction.LOGIN,
        actor=user,
        subject_user_id=user.pk,
        request=request,
        details={"trust_level": trust},
    )


@receiver(user_logged_out, dispatch_uid="core_audit_logout")
def _audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditAction.LOGOUT, actor=user, subject_user_id=user.pk, request=request)


@receiver(user_login_failed, dispatch_uid="core_audit_login_failed")
def _audit_login_failed(sender, credentials, request=None, **kwargs):
    # The attempted user name is personal data: keep only whether one was given.
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        request=request,
        details={"username_given": bool(credentials.get("username"))},
    )


@receiver(user_locked_out, dispatch_uid="core_audit_locked_out")
def _audit_locked_out(sender, request, **kwargs):
    audit_record(action=AuditAction.LOCKED_OUT, request=request)
