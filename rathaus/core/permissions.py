"""The one place that decides who may see or change an object.

Rules live in each app's ``rules.py`` (django-rules predicates, autodiscovered). Views call
``access_object`` and API classes use ``RulesObjectPermission``; both ask ``user.has_perm`` with
the object, so a page and the API can never disagree. A refusal looks like a missing object
(404): we do not tell a stranger that an object with this id exists. Every refusal is audited.
"""

from __future__ import annotations

from functools import wraps
from typing import TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from rest_framework.permissions import BasePermission

from .audit import audit_record
from .constants import AuditAction

__all__ = [
    "RulesObjectPermission",
    "access_object",
    "audit_denial",
    "login_required_for",
    "permission_required",
]

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


def login_required_for(perm: str):
    """View decorator: send an anonymous visitor to the login page and audit the refusal.

    For views that then check ``perm`` on an object through ``access_object``.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                audit_denial(request=request, perm=perm)
                return redirect_to_login(request.get_full_path())
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def permission_required(perm: str):
    """View decorator for pages without an object: login first, then ``perm`` or 403 (audited)."""

    def decorator(view):
        @wraps(view)
        @login_required_for(perm)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                audit_denial(request=request, perm=perm)
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class RulesObjectPermission(BasePermission):
    """DRF permission: the view names ``object_permission`` (a rules permission name)."""

    def has_object_permission(self, request, view, obj) -> bool:
        perm = view.object_permission
        if request.user.has_perm(perm, obj):
            return True
        audit_denial(request=request, perm=perm, obj=obj)
        return False
