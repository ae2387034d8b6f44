"""API plumbing shared by every app: error bodies that never leak internals, refusals that
read as missing objects."""

from django.http import Http404
from rest_framework.views import exception_handler as drf_exception_handler

__all__ = ["HideRefusalsMixin", "exception_handler"]


class HideRefusalsMixin:
    """For detail views: a logged-in caller refused by a permission gets 404, as for an object
    that does not exist, so ids reveal nothing (the permission audits the refusal). Anonymous
    callers still get 401/403."""

    def permission_denied(self, request, message=None, code=None):
        if request.user and request.user.is_authenticated:
            raise Http404
        super().permission_denied(request, message, code)


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data = {
            "detail": str(response.data["detail"]),
            "code": getattr(exc, "default_code", "error"),
        }
    return response
