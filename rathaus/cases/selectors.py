"""Read queries of cases: the applicant's list, the department inbox, timelines, summaries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case as When_
from django.db.models import IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import get_language

from rathaus.accounts.constants import DEPARTMENT_ROLES
from rathaus.accounts.models import User
from rathaus.forms.constants import FILE_EXTENSIONS, FILE_KINDS
from rathaus.forms.models import Upload

from .models import Case, CaseEvent, WebhookDelivery, overdue_condition
from .rules import department_role_ids

__all__ = [
    "INBOX_SORTS",
    "case_processing_time",
    "cases_of_applicant",
    "department_inbox",
    "department_staff",
    "failed_webhook_deliveries",
    "public_timeline",
    "submission_summary_rows",
    "submission_uploads",
    "upload_download_name",
]

INBOX_SORTS = {
    "due": ("due_at", "created_at"),
    "-due": ("-due_at", "-created_at"),
    "received": ("created_at",),
    "-received": ("-created_at",),
    "reference": ("reference",),
}


def cases_of_applicant(user) -> QuerySet[Case]:
    return (
        Case.objects.for_applicant(user)
        .select_related("service__workflow", "organisation")
        .order_by("-created_at")
    )


def department_inbox(
    user,
    *,
    state: str = "",
    scope: str = "",
    overdue: bool = False,
    query: str = "",
    sort: str = "due",
    include_closed: bool = False,
    channel: str = "",
) -> QuerySet[Case]:
    """The cases of the departments ``user`` processes; overdue cases first, then ``sort``.

    Without a chosen ``state`` only the work still to do is listed (open and undecided), unless
    ``include_closed`` or a search ``query``: a reference looked up is found in every state."""
    now = timezone.now()
    query = query.strip()[:32]
    cases = Case.objects.for_departments(department_role_ids(user)).select_related(
        "service__workflow", "department", "assigned_to"
    )
    if not include_closed and not state and not query:
        cases = cases.in_processing()
    if state:
        cases = cases.filter(state=state)
    if channel:
        cases = cases.filter(channel=channel)
    if scope == "mine":
        cases = cases.filter(assigned_to_id=user.pk)
    elif scope == "unassigned":
        cases = cases.filter(assigned_to__isnull=True)
    overdue_q = overdue_condition(now)
    if overdue:
        cases = cases.filter(overdue_q)
    if query:
        cases = cases.filter(reference__icontains=query)
    cases = cases.annotate(
        overdue_rank=When_(When(overdue_q, then=Value(0)), default=Value(1), output_field=IntegerField())
    )
    return cases.order_by("overdue_rank", *INBOX_SORTS.get(sort, INBOX_SORTS["due"]))


def department_staff(department_id: int) -> QuerySet[User]:
    """Who may be given a case of this department."""
    return (
        User.objects.filter(staff_roles__department_id=department_id, staff_roles__kind__in=DEPARTMENT_ROLES)
        .distinct()
        .order_by("last_name", "first_name")
    )


def failed_webhook_deliveries(user) -> QuerySet[WebhookDelivery]:
    """Deliveries to specialised systems that gave up, for the departments ``user`` processes."""
    return (
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.FAILED, case__department_id__in=department_role_ids(user)
        )
        .select_related("case__service")
        .order_by("-created_at")
    )


def retrying_webhook_deliveries(user) -> QuerySet[WebhookDelivery]:
    """Deliveries that failed at least once and are still being retried (with backoff, for up
    to about an hour), for the departments ``user`` processes: a specialised system that is
    down shows here before the deliveries give up."""
    return (
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING,
            attempts__gte=1,
            case__department_id__in=department_role_ids(user),
        )
        .exclude(last_error="")
        .select_related("case__service")
        .order_by("-created_at")
    )


def public_timeline(case: Case) -> QuerySet[CaseEvent]:
    return case.events.filter(public=True).order_by("created_at", "id")


def case_processing_time(case: Case) -> dt.timedelta:
    """Decision time minus receipt, without the time spent waiting for the applicant."""
    return dt.timedelta(seconds=case.processing_seconds)


def submission_summary_rows(submission, language: str | None = None) -> list[tuple[str, str]]:
    """The answers as (label, value) rows, as the form engine shows them; a plain key/value list
    if the definition cannot be read."""
    language = language or get_language() or "de"
    try:
        from rathaus.forms.engine import FormSpec, summary_rows

        spec = FormSpec.from_json(submission.form_version.schema)
        return summary_rows(spec, submission.data, language)
    except Exception:
        return [
            (str(key), _plain(value))
            for key, value in (submission.data or {}).items()
            if not key.startswith("_")
        ]


def submission_uploads(submission, language: str | None = None) -> list[tuple[str, Upload]]:
    """The files of a submission as ``(label, upload)``: the label of the question each file
    answers (a group's question with the group's label), in form order; the field's name if the
    definition cannot be read."""
    language = language or get_language() or "de"
    uploads = list(Upload.objects.filter(submission_id=submission.pk).order_by("created_at", "pk"))
    if not uploads:
        return []
    labels: dict[str, str] = {}
    try:
        from rathaus.forms.engine import FormSpec

        spec = FormSpec.from_json(submission.form_version.schema)
        fields = spec.all_fields
        for name, fld in fields.items():
            label = fld.label(language) or name
            group = fields.get(fld.group) if fld.group else None
            labels[name] = f"{group.label(language)}: {label}" if group is not None else label
    except Exception:  # an unreadable definition must not hide the files
        labels = {}
    order = {name: index for index, name in enumerate(labels)}
    uploads.sort(key=lambda upload: order.get(upload.field_name, len(order)))
    return [(labels.get(upload.field_name) or upload.field_name, upload) for upload in uploads]


def upload_download_name(case: Case, upload: Upload) -> str:
    """The name a submitted file is downloaded under: reference, question and the ending of its
    type as sniffed on upload ("RBG-2026-000184-residence_proof.pdf")."""
    kind = next(
        (kind for kind, content_type in FILE_KINDS.items() if content_type == upload.content_type), None
    )
    extension = FILE_EXTENSIONS[kind].split(",")[0] if kind else ""
    return f"{case.reference}-{upload.field_name}{extension}"


def _plain(value) -> str:
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_plain(item)}" for key, item in value.items())
    if isinstance(value, bool):
        return "ja" if value else "nein"
    return "" if value is None else str(value)
