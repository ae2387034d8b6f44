"""Read queries of accounts."""

from __future__ import annotations

from django.db.models import QuerySet

from rathaus.core.models import AuditEntry

from .models import Organisation, User


def organisations_of(user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(memberships__user=user).order_by("name")


def staff_accesses_to(person: User) -> QuerySet[AuditEntry]:
    """Every recorded staff access to this person's data: the data-sovereignty promise."""
    return AuditEntry.objects.staff_reads_of(person.pk).order_by("-sequence")


def api_token_candidates() -> QuerySet[User]:
    """Accounts an administrator may issue an API token to (``services.api_token_refusal``)."""
    return User.objects.filter(
        is_integration=True,
        is_active=True,
        is_superuser=False,
        email_verified_at__isnull=True,
        external_identities__isnull=True,
        auth_token__isnull=True,
    ).order_by("email")
