"""The one place that decides who may see or change an object.

Rules live in each app's ``rules.py`` (django-rules predicates, autodiscovered). Views call
``access_object`` and API classes use ``RulesObjectPermission``; both ask ``user.has_perm`` with
the object, so a page and the API can never disagree. A refusal looks like a missing object
(404): we do not tell a stranger that an object with this id exists. Every refusal is audited.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.http import Http404
from rest_framework.permissions import BasePermission

from .audit import audit_record
from .constants import AuditAction

__all__ = ["RulesObjectPermission", "access_object", "audit_denial"]

M = TypeVar("M", bound=models.Model)


def audit_denial(*, request, perm: str, obj: models.Model | None = None) -> None:
    audit_record(
        action=AuditAction.PERMISSION_DENIED,
        actor=request.user,
        obj=obj,
        request=request,
        details={"permission": perm, "path": request.path[:200]},
    )


def access_object(request, queryset: models.QuerySet[M], *, perm: str, **lookup) -> M:
    """Fetch the object ``lookup`` names if ``request.user`` holds ``perm`` on it, else 404."""
    try:
        obj = queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc
    if not request.user.has_perm(perm, obj):
        audit_denial(request=request, perm=perm, obj=obj)
        raise Http404
    return obj


class RulesObjectPermission(BasePermission):
    """DRF permission: the view names ``object_permission`` (a rules permission name)."""

    def has_object_permission(self, request, view, obj) -> bool:
        perm = view.object_permission
        if request.user.has_perm(perm, obj):
            return True
        audit_denial(request=request, perm=perm, obj=obj)
        return False
