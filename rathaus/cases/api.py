"""Cases API: submitting applications, the applicant's own cases, the department inbox.

Every case and document is fetched through the rules (``RulesObjectPermission`` in
``get_object``): a stranger's case reads as missing (404) and the refusal is audited; staff
reads are recorded for the applicant's "who looked at my data", as on the pages. Session logins
of staff must have confirmed their second factor; integrations use tokens issued by an
administrator (``rest_framework.authtoken``). Submitting takes a whole application in one
request (JSON, or multipart with the files), is checked by the same form engine as the pages
(``application_submit_direct``), is idempotent by the ``Idempotency-Key`` header and answers
invalid data with 400 and the errors by field, never with 500.
"""

from __future__ import annotations

import json
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.signals import post_delete, post_save
from django.http import Http404
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import APIException
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import is_form_media_type
from rest_framework.response import Response
from rest_framework.views import APIView

from rathaus.accounts.trust import current_trust_level
from rathaus.core.api import HideRefusalsMixin
from rathaus.core.parsers import FastMultiPartParser
from rathaus.core.permissions import RulesObjectPermission, audit_denial
from rathaus.forms.api import invalidate_published_forms, published_form_of, require_trust_level_for
from rathaus.forms.engine import FormValidationError
from rathaus.forms.services import organisation_for_application

from . import selectors, services
from .models import Case, CaseEvent, Document, ServiceWorkflow
from .views import document_response
from .workflow import workflow_for_service

# A service's workflow is loaded with its current form for a submission (``published_form_of``).
post_save.connect(
    invalidate_published_forms, sender=ServiceWorkflow, dispatch_uid="cases-published-form-workflow"
)
post_delete.connect(
    invalidate_published_forms, sender=ServiceWorkflow, dispatch_uid="cases-published-form-workflow-d"
)

__all__ = [
    "ApplicantCaseDetailView",
    "ApplicantCaseListView",
    "ApplicantDocumentFileView",
    "StaffCaseAssignView",
    "StaffCaseClaimView",
    "StaffCaseDetailView",
    "StaffCaseListView",
    "StaffCaseTransitionView",
    "StaffDocumentFileView",
    "SubmissionCreateView",
]

PROCESS = "cases.process_case"
VIEW_OWN = "cases.view_own_case"
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="A key chosen by the client (max. 80 characters); repeating it returns the same case.",
)
FILE_RESPONSE = {
    (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="the file"),
    404: OpenApiResponse(description="no such document, or not yours"),
}


def _list_of(serializer_class):
    return extend_schema_field(serializer_class(many=True))


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The case changed in the meantime.")
    default_code = "stale"


class KeyUsed(Conflict):
    default_detail = gettext_lazy("This Idempotency-Key has already been used for another request.")
    default_code = "key_used"


class Invalid(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = gettext_lazy("The request is not valid.")
    default_code = "invalid"


def _call(action):
    """Run a service; refusals become 403, stale versions 409, invalid requests 400, each with
    the service's message."""
    try:
        return action()
    except services.StaleCaseError as exc:
        raise Conflict(" ".join(exc.messages)) from exc
    except services.IdempotencyKeyUsed as exc:
        raise KeyUsed from exc
    except PermissionDenied as exc:
        raise ApiPermissionDenied(str(exc) or None) from exc
    except ValidationError as exc:
        raise Invalid(" ".join(exc.messages)) from exc


class ProcessesCases(permissions.BasePermission):
    """Staff of a department that processes cases; a session login needs its second factor."""

    message = gettext_lazy("Only caseworkers who confirmed their second factor may use this.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        verified = request.auth is not None or getattr(user, "is_verified", lambda: False)()
        if user.has_perm("cases.use_inbox") and verified:
            return True
        audit_denial(request=request, perm="cases.use_inbox")
        return False


# --- serializers ------------------------------------------------------------------------------


class _StateLabelMixin(serializers.Serializer):
    state_label = serializers.SerializerMethodField()

    def get_state_label(self, obj) -> str:
        cache = self.context.setdefault("_workflows", {})
        if obj.service_id not in cache:
            cache[obj.service_id] = workflow_for_service(obj.service)
        return cache[obj.service_id].state_label(obj.state)


class ApplicantCaseSerializer(_StateLabelMixin, serializers.ModelSerializer):
    service = serializers.CharField(source="service.slug")
    service_name = serializers.CharField(source="service.display_name")

    class Meta:
        model = Case
        fields = [
            "reference",
            "service",
            "service_name",
            "state",
            "state_label",
            "channel",
            "created_at",
            "due_at",
            "decided_at",
            "closed_at",
            "version",
        ]
        read_only_fields = fields

    def to_representation(self, obj: Case) -> dict:
        # The answer to every API submission (issue 3 benchmark): building a ModelSerializer's
        # fields per request cost as much as two of the submission's inserts. Subclasses add
        # fields and keep the generic path; a test compares both for the applicant's cases.
        if type(self) is not ApplicantCaseSerializer:
            return super().to_representation(obj)
        moment = _DATETIME.to_representation
        return {
            "reference": obj.reference,
            "service": obj.service.slug,
            "service_name": obj.service.display_name,
            "state": obj.state,
            "state_label": self.get_state_label(obj),
            "channel": obj.channel,
            "created_at": moment(obj.created_at),
            "due_at": moment(obj.due_at) if obj.due_at else None,
            "decided_at": moment(obj.decided_at) if obj.decided_at else None,
            "closed_at": moment(obj.closed_at) if obj.closed_at else None,
            "version": obj.version,
        }


_DATETIME = serializers.DateTimeField()


class StaffCaseSerializer(ApplicantCaseSerializer):
    department = serializers.CharField(source="department.code")
    assigned_to = serializers.IntegerField(source="assigned_to_id", allow_null=True)
    overdue = serializers.SerializerMethodField()

    class Meta(ApplicantCaseSerializer.Meta):
        fields = [
            *ApplicantCaseSerializer.Meta.fields,
            "department",
            "state_due_at",
            "assigned_to",
            "overdue",
        ]
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue()


class AnswerRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField()


class EventSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField()
    to_state_label = serializers.CharField()

    class Meta:
        model = CaseEvent
        fields = ["created_at", "kind", "kind_label", "from_state", "to_state", "to_state_label", "message"]
        read_only_fields = fields


class StaffEventSerializer(EventSerializer):
    actor = serializers.IntegerField(source="actor_id", allow_null=True)

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "public", "actor"]
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["id", "kind", "title", "content_type", "created_at"]
        read_only_fields = fields


class StaffDocumentSerializer(DocumentSerializer):
    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "visible_to_applicant"]
        read_only_fields = fields


class TransitionOptionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()


def _rows(case: Case) -> list[dict]:
    return [
        {"label": label, "value": value}
        for label, value in selectors.submission_summary_rows(case.submission)
    ]


class ApplicantCaseDetailSerializer(ApplicantCaseSerializer):
    data = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    class Meta(ApplicantCaseSerializer.Meta):
        fields = [*ApplicantCaseSerializer.Meta.fields, "data", "events", "documents"]
        read_only_fields = fields

    @_list_of(AnswerRowSerializer)
    def get_data(self, obj) -> list[dict]:
        return _rows(obj)

    @_list_of(EventSerializer)
    def get_events(self, obj) -> list[dict]:
        return EventSerializer(selectors.public_timeline(obj), many=True).data

    @_list_of(DocumentSerializer)
    def get_documents(self, obj) -> list[dict]:
        return DocumentSerializer(obj.documents.filter(visible_to_applicant=True), many=True).data


class StaffCaseDetailSerializer(StaffCaseSerializer):
    applicant = serializers.IntegerField(source="applicant_id", allow_null=True)
    applicant_name = serializers.SerializerMethodField()
    organisation = serializers.CharField(source="organisation.name", allow_null=True, default=None)
    data = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    transitions = serializers.SerializerMethodField()

    class Meta(StaffCaseSerializer.Meta):
        fields = [
            *StaffCaseSerializer.Meta.fields,
            "applicant",
            "applicant_name",
            "organisation",
            "data",
            "events",
            "documents",
            "transitions",
        ]
        read_only_fields = fields

    def get_applicant_name(self, obj) -> str:
        return obj.applicant.get_full_name() if obj.applicant_id else ""

    @_list_of(AnswerRowSerializer)
    def get_data(self, obj) -> list[dict]:
        return _rows(obj)

    @_list_of(StaffEventSerializer)
    def get_events(self, obj) -> list[dict]:
        return StaffEventSerializer(obj.events.all(), many=True).data

    @_list_of(StaffDocumentSerializer)
    def get_documents(self, obj) -> list[dict]:
        return StaffDocumentSerializer(obj.documents.all(), many=True).data

    @_list_of(TransitionOptionSerializer)
    def get_transitions(self, obj) -> list[dict]:
        """Plain steps the caller may take now (steps needing a request text or a notice are
        taken on the case page)."""
        request = self.context["request"]
        workflow = workflow_for_service(obj.service)
        roles = services.case_roles(case=obj, user=request.user)
        return [{"name": t.name, "label": t.label} for t in workflow.available(obj.state, roles)]


class SubmissionRequestSerializer(serializers.Serializer):
    service = serializers.SlugField(help_text=gettext_lazy("slug of the service"))
    organisation = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy(
            "optional: id of an organisation you act for; the application is made in its name"
        ),
    )
    answers = serializers.DictField(
        help_text=gettext_lazy(
            "answers by question name, as in the form definition; a file question takes a list of upload ids"
        )
    )


class TransitionRequestSerializer(serializers.Serializer):
    transition = serializers.CharField(max_length=64)
    expected_version = serializers.IntegerField(min_value=0)
    message = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ClaimRequestSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)


class AssignRequestSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("user id, or null"))
    expected_version = serializers.IntegerField(min_value=0)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


class FormErrorSerializer(ErrorSerializer):
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


# --- submitting -------------------------------------------------------------------------------

MULTIPART_SUBMISSION = {
    "type": "object",
    "required": ["service"],
    "properties": {
        "service": {"type": "string", "description": "slug of the service"},
        "organisation": {
            "type": "integer",
            "description": "optional: id of an organisation you act for; the application is made in its name",
        },
        "answers": {
            "type": "string",
            "description": (
                "optional: all answers as one JSON object, as in an application/json request; "
                "without it, every other form field is an answer by question name (several "
                "fields of one name for a multiple choice, `address.street`, `address.postal_code`, "
                "`address.city` for an address, `group.0.name` in a repeating group; a question "
                "named `service`, `organisation` or `answers` is answered in this JSON part)"
            ),
        },
    },
    "additionalProperties": {
        "oneOf": [
            {"type": "string", "description": "an answer"},
            {
                "type": "string",
                "format": "binary",
                "description": "a file for the file question of this name (`group.0.name` in a group)",
            },
        ]
    },
}
MAX_ANSWERS_PART = 1024 * 1024


def _json_object(text) -> dict:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        value = None
    if not isinstance(value, dict):
        raise Invalid(_("The answers must be a JSON object."))
    return value


def _multipart_input(request) -> tuple[str, object, MultiValueDict]:
    """(service, answers, files) of a form post: the answers are the form fields (or one JSON
    part ``answers``), the files the parts named after their question."""
    fields = request.POST
    files = MultiValueDict({name: request.FILES.getlist(name) for name in request.FILES})
    service = fields.get("service", "").strip()
    if "answers" in fields:
        answers = _json_object(fields["answers"])
    elif "answers" in files:
        part = files.pop("answers")[0]
        if part.size > MAX_ANSWERS_PART:
            raise Invalid(_("The answers must be a JSON object."))
        answers = _json_object(part.read())
    else:
        answers = fields  # the engine reads the fields the form knows, nothing else
    return service, answers, files


@extend_schema(
    tags=["cases"],
    parameters=[IDEMPOTENCY_HEADER],
    request={
        "application/json": SubmissionRequestSerializer,
        "multipart/form-data": MULTIPART_SUBMISSION,
    },
    responses={
        201: ApplicantCaseSerializer,
        200: OpenApiResponse(
            ApplicantCaseSerializer, description="repeated key: the case of the first request"
        ),
        400: FormErrorSerializer,
        403: ErrorSerializer,
        409: ErrorSerializer,
    },
)
class SubmissionCreateView(APIView):
    """Submit an application in one request; it is checked exactly like the online form.

    `application/json`: the answers as an object; a file question names the ids of files
    uploaded before (`POST /api/v1/forms/services/{slug}/uploads/`). `multipart/form-data`:
    the answers as form fields (or as one JSON part `answers`) and each file as a part named
    after its question; the files are checked (type by content, size) and stored only if the
    whole application is valid. Invalid answers or files: 400 with the errors by field, nothing
    stored. The response names the case's reference; the case lists its receipt at once, and
    its message reaches the applicant's mailbox within seconds (the PDF is made on first
    download if not before).
    """

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser, FastMultiPartParser, FormParser]

    def post(self, request):
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key or len(key) > 80:
            raise Invalid(_("The Idempotency-Key header is missing or longer than 80 characters."))
        version, answers, files, organisation = _submission_input(request)
        try:
            case, created = _call(
                lambda: services.application_submit_direct(
                    form_version=version,
                    answers=answers,
                    files=files,
                    acting_user=request.user,
                    idempotency_key=key,
                    trust_level=current_trust_level(request) or "",
                    language=request.LANGUAGE_CODE[:2],
                    earlier_uploads=files is None,
                    organisation=organisation,
                    request=request,
                )
            )
        except FormValidationError as exc:
            return _invalid_answers(exc)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(ApplicantCaseSerializer(case).data, status=code)


def _submission_input(request):
    """(published form version, answers, files or None, organisation or None) of a submission
    request, JSON or multipart; the caller's trust level must suffice for the service, and a
    named organisation must be one they act for."""
    if is_form_media_type(request.content_type):
        slug, answers, files = _multipart_input(request)
        named = request.POST.get("organisation", "").strip() or None
        given = _plain_multipart_fields(slug, named)
        if given is None:  # the serializer says what is wrong, in its words
            serializer = SubmissionRequestSerializer(
                data={"service": slug, "answers": {}, "organisation": named}
            )
            serializer.is_valid(raise_exception=True)
            given = serializer.validated_data
    else:
        serializer = SubmissionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        given, files = serializer.validated_data, None
        answers = given["answers"]
    version = published_form_of(given["service"], related=("workflow",), cached=True)
    require_trust_level_for(request, version.definition.service)
    organisation = _call(lambda: organisation_for_application(request.user, given["organisation"]))
    return version, answers, files, organisation


_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_ID = re.compile(r"[0-9]{1,18}")


def _plain_multipart_fields(slug: str, organisation: str | None) -> dict | None:
    """The service and organisation fields of a form post, when they are what the serializer
    would accept without a word (a slug, digits): the common case then skips building it."""
    if not _SLUG.fullmatch(slug) or (organisation is not None and not _ID.fullmatch(organisation)):
        return None
    return {"service": slug, "organisation": int(organisation) if organisation is not None else None}


def _invalid_answers(exc: FormValidationError) -> Response:
    body = {"detail": _("Some answers are not valid."), "code": "invalid", "errors": exc.errors}
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


class SubmissionCheckResultSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    service = serializers.CharField()
    form_version = serializers.IntegerField()


@extend_schema(
    tags=["cases"],
    request={
        "application/json": SubmissionRequestSerializer,
        "multipart/form-data": MULTIPART_SUBMISSION,
    },
    responses={200: SubmissionCheckResultSerializer, 400: FormErrorSerializer, 403: ErrorSerializer},
)
class SubmissionCheckView(APIView):
    """Check an application without submitting it: the same input as `POST /submissions/`
    (no Idempotency-Key), the same checks and the same errors by field; nothing is stored
    and no case is opened. 200 if the city would accept it as it is."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser, FastMultiPartParser, FormParser]

    def post(self, request):
        from rathaus.forms.services import submission_check

        version, answers, files, organisation = _submission_input(request)
        try:
            _call(
                lambda: submission_check(
                    form_version=version,
                    answers=answers,
                    files=files,
                    acting_user=request.user,
                    trust_level=current_trust_level(request) or "",
                    language=request.LANGUAGE_CODE[:2],
                    earlier_uploads=files is None,
                    organisation=organisation,
                )
            )
        except FormValidationError as exc:
            return _invalid_answers(exc)
        body = {"valid": True, "service": version.definition.service.slug, "form_version": version.number}
        return Response(body)


# --- the applicant's cases --------------------------------------------------------------------


@extend_schema(tags=["cases"])
class ApplicantCaseListView(generics.ListAPIView):
    """The caller's own applications (and those of their organisations), newest first."""

    serializer_class = ApplicantCaseSerializer

    def get_queryset(self):
        return selectors.cases_of_applicant(self.request.user)


class _ApplicantCaseMixin(HideRefusalsMixin):
    permission_classes = [permissions.IsAuthenticated, RulesObjectPermission]
    object_permission = VIEW_OWN
    lookup_field = "reference"
    queryset = Case.objects.select_related("service__workflow", "department", "submission__form_version")


@extend_schema(tags=["cases"], responses={200: ApplicantCaseDetailSerializer, 404: ErrorSerializer})
class ApplicantCaseDetailView(_ApplicantCaseMixin, generics.RetrieveAPIView):
    """One own application: answers, public timeline and the documents meant for the applicant."""

    serializer_class = ApplicantCaseDetailSerializer


@extend_schema(tags=["cases"], responses=FILE_RESPONSE)
class ApplicantDocumentFileView(HideRefusalsMixin, generics.GenericAPIView):
    """Download a document of an own application (only those meant for the applicant)."""

    permission_classes = [permissions.IsAuthenticated, RulesObjectPermission]
    object_permission = "cases.view_document"
    serializer_class = DocumentSerializer

    def get_queryset(self):
        return Document.objects.select_related("case").filter(case__reference=self.kwargs["reference"])

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    def get(self, request, reference: str, pk: int):
        return document_response(self.get_object())


# --- the department inbox ---------------------------------------------------------------------


@extend_schema(
    tags=["cases"],
    parameters=[
        OpenApiParameter("state", str, description="only cases in this state (closed ones included)"),
        OpenApiParameter("service", str, description="only cases of this service (slug)"),
        OpenApiParameter("overdue", bool, description="only overdue cases"),
        OpenApiParameter("scope", str, enum=["mine", "unassigned"], description="assigned to me / nobody"),
        OpenApiParameter(
            "channel", str, enum=["online", "counter", "post", "phone"], description="received by"
        ),
        OpenApiParameter("include_closed", bool, description="also decided and closed cases"),
    ],
)
class StaffCaseListView(generics.ListAPIView):
    """Cases of the caller's departments still in processing (not decided, not closed); overdue
    first, then by due date."""

    serializer_class = StaffCaseSerializer
    permission_classes = [ProcessesCases]

    def get_queryset(self):
        params = self.request.query_params
        truthy = {"1", "true", "yes", "on"}
        cases = selectors.department_inbox(
            self.request.user,
            state=params.get("state", "")[:40],
            scope=params.get("scope", ""),
            overdue=params.get("overdue", "").lower() in truthy,
            include_closed=params.get("include_closed", "").lower() in truthy,
            channel=params.get("channel", "")[:8],
        )
        if params.get("service"):
            cases = cases.filter(service__slug=params["service"][:100])
        return cases


class _StaffCaseMixin(HideRefusalsMixin):
    permission_classes = [ProcessesCases, RulesObjectPermission]
    object_permission = PROCESS
    lookup_field = "reference"
    queryset = Case.objects.select_related(
        "service__workflow", "department", "applicant", "organisation", "submission__form_version"
    )

    def permission_denied(self, request, message=None, code=None):
        # Not processing cases (or no second factor): 403 with the reason. Staff of another
        # department: 404 from the object check, as if the case did not exist.
        if getattr(self, "_object_checked", False):
            super().permission_denied(request, message, code)
        generics.GenericAPIView.permission_denied(self, request, message, code)  # raises

    def check_object_permissions(self, request, obj):
        self._object_checked = True
        super().check_object_permissions(request, obj)

    def detail_response(self, case: Case) -> Response:
        case = self.get_queryset().get(pk=case.pk)
        return Response(StaffCaseDetailSerializer(case, context=self.get_serializer_context()).data)


@extend_schema(tags=["cases"], responses={200: StaffCaseDetailSerializer, 404: ErrorSerializer})
class StaffCaseDetailView(_StaffCaseMixin, generics.RetrieveAPIView):
    """One case of the caller's departments; each reading is recorded for the applicant."""

    serializer_class = StaffCaseDetailSerializer

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        services.case_record_read(case=case, acting_user=request.user, request=request)
        return self.detail_response(case)


@extend_schema(
    tags=["cases"],
    request=TransitionRequestSerializer,
    responses={
        200: StaffCaseDetailSerializer,
        400: ErrorSerializer,
        403: ErrorSerializer,
        409: ErrorSerializer,
    },
)
class StaffCaseTransitionView(_StaffCaseMixin, generics.GenericAPIView):
    """Take a plain workflow step; 409 if the case changed since ``expected_version``."""

    serializer_class = TransitionRequestSerializer

    def post(self, request, reference: str):
        case = self.get_object()
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        _call(
            lambda: services.case_transition(
                case=case,
                acting_user=request.user,
                transition=data["transition"],
                message=data["message"],
                expected_version=data["expected_version"],
                request=request,
            )
        )
        return self.detail_response(case)


@extend_schema(
    tags=["cases"],
    request=ClaimRequestSerializer,
    responses={200: StaffCaseDetailSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
)
class StaffCaseClaimView(_StaffCaseMixin, generics.GenericAPIView):
    """Take an unassigned case of one's department."""

    serializer_class = ClaimRequestSerializer

    def post(self, request, reference: str):
        case = self.get_object()
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        expected = given.validated_data["expected_version"]
        _call(
            lambda: services.case_claim(
                case=case, acting_user=request.user, expected_version=expected, request=request
            )
        )
        return self.detail_response(case)


@extend_schema(
    tags=["cases"],
    request=AssignRequestSerializer,
    responses={200: StaffCaseDetailSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
)
class StaffCaseAssignView(_StaffCaseMixin, generics.GenericAPIView):
    """Give the case to a member of staff of its department (or to nobody)."""

    serializer_class = AssignRequestSerializer

    def post(self, request, reference: str):
        case = self.get_object()
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        assignee = None
        if data["assignee"] is not None:
            assignee = selectors.department_staff(case.department_id).filter(pk=data["assignee"]).first()
            if assignee is None:
                raise Invalid(_("Cases can only be assigned to staff of the responsible department."))
        _call(
            lambda: services.case_assign(
                case=case,
                acting_user=request.user,
                assignee=assignee,
                expected_version=data["expected_version"],
                request=request,
            )
        )
        return self.detail_response(case)


@extend_schema(tags=["cases"], responses=FILE_RESPONSE)
class StaffDocumentFileView(_StaffCaseMixin, generics.GenericAPIView):
    """Download a document of a case of one's departments (recorded for the applicant)."""

    serializer_class = StaffDocumentSerializer

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    def get(self, request, reference: str, pk: int):
        case = self.get_object()
        document = case.documents.filter(pk=pk).first()
        if document is None:
            raise Http404
        services.case_record_read(case=case, acting_user=request.user, request=request, item="Dokument")
        return document_response(document)
