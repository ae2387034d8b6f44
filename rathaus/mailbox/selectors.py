"""Read queries of the mailbox."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import Message, Thread

__all__ = ["threads_of", "unread_count"]


def threads_of(user) -> QuerySet[Thread]:
    return (
        Thread.objects.filter(person_id=user.pk)
        .select_related("case__service")
        .annotate(
            unread=Count(
                "messages", filter=Q(messages__sender=Message.Sender.CITY, messages__read_at__isnull=True)
            )
        )
        .order_by("-updated_at")
    )


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Message.objects.filter(
        thread__person_id=user.pk, sender=Message.Sender.CITY, read_at__isnull=True
    ).count()
