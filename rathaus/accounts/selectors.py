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
