"""Read queries of accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from rathaus.core.models import AuditEntry

from .models import Organisation, User


def organisations_of(user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(memberships__user=user).order_by("name")


def staff_accesses_to(person: User) -> QuerySet[AuditEntry]:
    """Every recorded staff access to this person's data: the data-sovereignty promise."""
    return AuditEntry.objects.staff_reads_of(person.pk).order_by("-id")


AUDIT_LOG_PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditLogPage:
    entries: list[AuditEntry]
    older: int | None  # pass as ``before`` for the next older page
    newer: int | None  # pass as ``after`` for the next newer page


def audit_log_filtered(
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    action: str = "",
    actor: int | None = None,
    object_type: str = "",
    object_id: str = "",
    subject: int | None = None,
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.all()
    zone = timezone.get_current_timezone()
    if date_from:
        entries = entries.filter(created_at__gte=datetime.combine(date_from, time.min, tzinfo=zone))
    if date_to:
        end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone)
        entries = entries.filter(created_at__lt=end)
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor_id=actor)
    if object_type:
        entries = entries.filter(object_type=object_type)
        if object_id:
            entries = entries.filter(object_id=object_id)
    if subject:
        entries = entries.filter(subject_user_id=subject)
    return entries


def audit_log_page(
    entries: QuerySet[AuditEntry],
    *,
    before: int | None = None,
    after: int | None = None,
    size: int = AUDIT_LOG_PAGE_SIZE,
) -> AuditLogPage:
    """One page of the log, newest first, by keyset on ``id``: no OFFSET and no COUNT(*), so a
    page costs the same at the start and deep into millions of entries. (By id, not by the
    chain's ``sequence``: entries not sealed yet have none.)"""
    if after is not None:
        rows = list(entries.filter(id__gt=after).order_by("id")[: size + 1])
        more_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        older = rows[-1].pk if rows else after + 1
        return AuditLogPage(rows, older=older, newer=rows[0].pk if rows and more_newer else None)
    if before is not None:
        entries = entries.filter(id__lt=before)
    rows = list(entries.order_by("-id")[: size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    older = rows[-1].pk if rows and more_older else None
    newer = rows[0].pk if rows and before is not None else None
    return AuditLogPage(rows, older=older, newer=newer)


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
