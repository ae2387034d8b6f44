"""Forms API: the current form of a service, and uploading files for an API submission.

Submitting is done through the cases API (``POST /api/v1/cases/submissions/``), because a
submission opens a case and the forms app must not import cases; it takes the files with the
answers in one multipart request. The upload endpoint here is the two-step alternative for
JSON submissions: an upload is stored on the caller's online draft of the service's current
form version (the oldest, if there are several); the submission's file answers name the
returned upload ids, and the engine accepts only uploads of that very draft.
"""

from __future__ import annotations

import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.signals import post_delete, post_save
from django.http import Http404
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from rathaus.accounts.trust import session_meets
from rathaus.catalog.models import Department, Service

from . import selectors, services
from .models import FormDefinition, FormVersion, Upload

__all__ = ["FormVersionView", "UploadCreateView", "published_form_of", "require_trust_level_for"]


# The current form of a service, per process, for the API's submissions (issue 3: the joined
# row of form, service, department and workflow was the dearest read of a submission). Saves in
# this process clear it at once (signals below, and the cases app for workflows); changes made
# by another process are seen after at most PUBLISHED_FORM_TTL seconds, as in the catalogue
# search. A published form version itself never changes.
PUBLISHED_FORM_TTL = 2.0
_published_forms: dict[tuple[str, tuple[str, ...]], tuple[float, FormVersion]] = {}


def invalidate_published_forms(**_kwargs) -> None:
    _published_forms.clear()


for _model in (Service, Department, FormDefinition, FormVersion):
    post_save.connect(
        invalidate_published_forms, sender=_model, dispatch_uid=f"forms-published-{_model.__name__}"
    )
    post_delete.connect(
        invalidate_published_forms, sender=_model, dispatch_uid=f"forms-published-d-{_model.__name__}"
    )


def published_form_of(slug: str, *, related: tuple[str, ...] = (), cached: bool = False) -> FormVersion:
    """The current published form version of a published service (``is_published``, as
    ``Service.objects.published()``), else 404. One query, with the service and its department
    loaded; ``related`` names further relations of the service to load with it (``workflow``
    for a submission). ``cached``: the same object for up to ``PUBLISHED_FORM_TTL`` seconds,
    shared between requests; the caller must not change it."""
    key = (slug, related)
    if cached and (hit := _published_forms.get(key)) is not None and hit[0] > time.monotonic():
        return hit[1]
    version = (
        FormVersion.objects.filter(
            definition__service__slug=slug, definition__service__is_published=True, published_at__isnull=False
        )
        .select_related("definition__service__department", *(f"definition__service__{r}" for r in related))
        .order_by("-number")
        .first()
    )
    if version is None:
        raise Http404
    if cached:
        _published_forms[key] = (time.monotonic() + PUBLISHED_FORM_TTL, version)
    return version


def require_trust_level_for(request, service) -> None:
    """Refuse (403 with the reason) if the login's trust level is below the service's minimum.
    Token logins count as "basic": an integration cannot prove an eID login."""
    if not session_meets(request, service.min_trust_level):
        raise ApiPermissionDenied(
            _("This service requires the trust level “%(level)s”. Log in with your ID card.")
            % {"level": service.get_min_trust_level_display()}
        )


class FormVersionSerializer(serializers.ModelSerializer):
    service = serializers.CharField(source="definition.service.slug", help_text=gettext_lazy("service slug"))
    version = serializers.IntegerField(source="number")
    title = serializers.SerializerMethodField()
    definition = serializers.JSONField(
        source="schema", help_text=gettext_lazy("the declarative form definition (see schema.json)")
    )

    class Meta:
        model = FormVersion
        fields = ["service", "version", "title", "published_at", "definition"]
        read_only_fields = fields

    def get_title(self, obj) -> str:
        spec = selectors.spec_for_version(obj)
        return spec.title((get_language() or "de")[:2]) or obj.definition.service.display_name


class UploadRequestSerializer(serializers.Serializer):
    field_name = serializers.CharField(max_length=200, help_text=gettext_lazy("name of the file question"))
    file = serializers.FileField()


class UploadSerializer(serializers.ModelSerializer):
    class Meta:
        model = Upload
        fields = ["id", "field_name", "original_name", "content_type", "size", "sha256", "created_at"]
        read_only_fields = fields


@extend_schema(tags=["forms"])
class FormVersionView(generics.RetrieveAPIView):
    """The form people fill in for a service (public for published forms)."""

    serializer_class = FormVersionSerializer
    permission_classes = [permissions.AllowAny]

    def get_object(self):
        return published_form_of(self.kwargs["slug"])


@extend_schema(
    tags=["forms"],
    request={"multipart/form-data": UploadRequestSerializer},
    responses={
        201: UploadSerializer,
        400: OpenApiResponse(description="invalid file (type checked by content, size)"),
        403: OpenApiResponse(description="trust level too low"),
    },
)
class UploadCreateView(APIView):
    """Upload one file for a file question; name its id in the submission's answers."""

    parser_classes = [MultiPartParser, FormParser]
    permission_classes = [permissions.IsAuthenticated]

    def post(self, request, slug: str):
        version = published_form_of(slug)
        require_trust_level_for(request, version.definition.service)
        given = UploadRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            draft = services.draft_start(user=request.user, form_version=version, session=request.session)
            upload = services.upload_accept(
                draft=draft,
                field_name=given.validated_data["field_name"],
                file=given.validated_data["file"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            return Response({"file": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc) or None) from exc
        return Response(UploadSerializer(upload).data, status=status.HTTP_201_CREATED)
